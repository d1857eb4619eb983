// Upstream logging, relayed to the agent whose call it belongs to. One pooled client serves every
// agent, and its notification handler sees a log without the request it came with. The request's
// own response stream does know: on Streamable HTTP, a log sent during a call travels on that
// call's SSE response. So the pool's transports fetch through `relayingFetch`, which passes every
// byte on unchanged and hands the `notifications/message` events of a response to the call that
// made the request, found through the async context the call runs in (call-scope.ts).
import { currentCall, type LogMessage } from "./call-scope.ts"

type Sink = (message: LogMessage) => void

/** Watches an SSE byte stream, passing it through, and calls `sink` for each logging notification in it. */
const tapLogs = (sink: Sink): TransformStream<Uint8Array, Uint8Array> => {
  const decoder = new TextDecoder()
  let buffered = ""
  const event = (block: string) => {
    const data = block
      .split(/\r?\n/)
      .filter((line) => line.startsWith("data:"))
      .map((line) => line.slice(5).replace(/^ /, ""))
      .join("\n")
    if (!data.includes('"notifications/message"')) return
    try {
      const message = JSON.parse(data) as { method?: unknown; params?: LogMessage }
      if (message.method === "notifications/message" && message.params) sink(message.params)
    } catch {
      // Not JSON: the SDK's own parser owns this stream and will report it.
    }
  }
  return new TransformStream({
    transform(chunk, controller) {
      controller.enqueue(chunk)
      buffered += decoder.decode(chunk, { stream: true })
      const blocks = buffered.split(/\r?\n\r?\n/)
      buffered = blocks.pop() ?? ""
      for (const block of blocks) event(block)
    }
  })
}

/** The fetch the pool's Streamable HTTP transports use: unchanged responses, logs handed to their call. */
export const relayingFetch: typeof fetch = async (input, init) => {
  const sink = currentCall()?.log
  const response = await fetch(input, init)
  if (!sink || !response.body || !(response.headers.get("content-type") ?? "").includes("text/event-stream")) return response
  return new Response(response.body.pipeThrough(tapLogs(sink)), response)
}
