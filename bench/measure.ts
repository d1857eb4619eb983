// Timing for benchmarks inside a Durable Object. Each measured block runs synchronously inside
// `runInDurableObject` and is timed by the caller around the awaited call: a deployed workerd
// freezes the clock during synchronous execution (a Spectre mitigation) and only moves it across
// I/O, and the awaited call is I/O. The one RPC round trip (~1 ms) is inside every sample, so
// blocks are sized to run for hundreds of milliseconds.
import { runInDurableObject } from "cloudflare:test"

export const timeInObject = async (stub: DurableObjectStub, block: (state: DurableObjectState) => void): Promise<number> => {
  const t0 = performance.now()
  await runInDurableObject(stub, (_instance: unknown, state) => block(state))
  return performance.now() - t0
}
