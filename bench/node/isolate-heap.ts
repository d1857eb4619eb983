// The JavaScript heap of a Worker's isolate, read through wrangler's inspector proxy (DevTools
// protocol) after a full garbage collection: what the isolate still holds, as against its process's
// RSS, which also counts freed pages the allocator keeps, SQLite's caches and the runtime itself.
// `npm run soak` reads it beside the plane's RSS to tell retained objects from the rest.
import WebSocket from "ws"

export interface HeapReading {
  /** Bytes of live objects after a full GC, and the heap's size (live and free) at that moment. */
  readonly usedBytes: number
  readonly totalBytes: number
  /** ArrayBuffer backing stores outside the heap, WebAssembly memories among them. */
  readonly backingStoreBytes: number
}

/**
 * One DevTools session on the isolate at `inspectorUrl`. With `ws` and no compression: Node's own
 * WebSocket offers permessage-deflate, and wrangler's inspector proxy refuses the connection.
 */
export const isolateHeap = async (inspectorUrl: string) => {
  const targets = (await (await fetch(`${inspectorUrl}/json/list`)).json()) as Array<{ webSocketDebuggerUrl: string }>
  const socket = new WebSocket(targets[0]!.webSocketDebuggerUrl, { perMessageDeflate: false })
  await new Promise((resolve, reject) => socket.once("open", resolve).once("error", reject))
  let next = 0
  const pending = new Map<number, { resolve: (result: any) => void; reject: (error: Error) => void }>()
  socket.on("message", (data) => {
    const message = JSON.parse(String(data)) as { id?: number; result?: unknown; error?: { message: string } }
    const waiting = message.id === undefined ? undefined : pending.get(message.id)
    if (!waiting) return
    pending.delete(message.id!)
    if (message.error) waiting.reject(new Error(`inspector: ${message.error.message}`))
    else waiting.resolve(message.result)
  })
  const send = <T>(method: string, params: Record<string, unknown> = {}) =>
    new Promise<T>((resolve, reject) => {
      pending.set(++next, { resolve, reject })
      socket.send(JSON.stringify({ id: next, method, params }))
    })
  await send("Runtime.enable")
  return {
    /**
     * Collects garbage, then reads the heap. The runtime runs a collection only when the isolate next
     * serves something, so an idle one is woken with `poke` (a cheap request) until it has.
     */
    afterGc: async (poke: () => Promise<unknown>): Promise<HeapReading> => {
      let collected = false
      const collecting = send("HeapProfiler.collectGarbage").then(() => (collected = true))
      while (!collected) await Promise.race([collecting, poke().then(() => new Promise((r) => setTimeout(r, 100)))])
      const usage = await send<{ usedSize: number; totalSize: number; backingStorageSize?: number }>("Runtime.getHeapUsage")
      return { usedBytes: usage.usedSize, totalBytes: usage.totalSize, backingStoreBytes: usage.backingStorageSize ?? 0 }
    },
    close: () => socket.close()
  }
}
