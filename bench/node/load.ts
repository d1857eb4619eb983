// Load drivers for the Node-side benchmarks: one request at a time (latency per call) and a fixed
// number of requests with N in flight (calls/s). Both are bounded in count and in time; a run cut
// short by its deadline says so rather than hang the benchmark.

export type Call = () => Promise<void>

export interface LatencySamples {
  readonly ms: ReadonlyArray<number>
  readonly cutShort: boolean
}

/** `count` calls one after another; the latency of each, in ms. */
export const sequential = async (call: Call, count: number, deadline: number): Promise<LatencySamples> => {
  const ms: Array<number> = []
  for (let i = 0; i < count; i++) {
    if (performance.now() > deadline) return { ms, cutShort: true }
    const t0 = performance.now()
    await call()
    ms.push(performance.now() - t0)
  }
  return { ms, cutShort: false }
}

export interface Throughput {
  readonly calls: number
  readonly ms: number
  readonly cutShort: boolean
}

/** `count` calls with `concurrency` in flight at all times until the last ones drain. */
export const concurrent = async (call: Call, count: number, concurrency: number, deadline: number): Promise<Throughput> => {
  let issued = 0
  let cutShort = false
  const lane = async () => {
    while (issued < count) {
      if (performance.now() > deadline) {
        cutShort = true
        return
      }
      issued++
      await call()
    }
  }
  const t0 = performance.now()
  await Promise.all(Array.from({ length: concurrency }, lane))
  return { calls: issued, ms: performance.now() - t0, cutShort }
}

/** Warms both paths before anything is timed: JIT on each side, pooled clients connected, connections open. */
export const warmUpBoth = async (a: Call, b: Call, calls: number, concurrency: number): Promise<void> => {
  await sequential(a, calls, Infinity)
  await sequential(b, calls, Infinity)
  await concurrent(a, concurrency * 10, concurrency, Infinity)
  await concurrent(b, concurrency * 10, concurrency, Infinity)
}
