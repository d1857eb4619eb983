// Load drivers for the Node-side benchmarks: one request at a time (latency per call) and a fixed
// number of requests with N in flight (calls/s). Both are bounded in count and in time; a run cut
// short by its deadline says so rather than hang the benchmark.
import type { Client } from "@modelcontextprotocol/client"
import { median, percentile, perSecond, table } from "../stats.ts"

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

let echoed = 0
/** How many echo calls this module's echoCall has sent (each benchmark file has its own module). */
export const echoesSent = () => echoed

/** A `tools/call` of the test upstream's echo tool (`name` as this client sees it) that must come back intact. */
export const echoCall = (client: Client, name = "up__echo"): Call => async () => {
  const text = `bench ${echoed++}`
  const result = await client.callTool({ name, arguments: { text } })
  const content = result.content as ReadonlyArray<{ type: string; text?: string }>
  if (result.isError || content[0]?.text !== `echo: ${text}`) throw new Error(`unexpected echo result: ${JSON.stringify(result)}`)
}

export interface Comparison {
  readonly ms: { readonly a: ReadonlyArray<number>; readonly b: ReadonlyArray<number> }
  /** Each block's median of `a` over its median of `b`. */
  readonly blockRatios: ReadonlyArray<number>
  readonly cutShort: boolean
  /** calls/s of each, per repeat, measured back to back. */
  readonly throughputRuns: ReadonlyArray<{ readonly a: number; readonly b: number }>
}

/**
 * Two calls compared in one run: latency one call at a time in alternating blocks (which goes first
 * alternates too, so neither always runs on a warmer or busier machine), then throughput with
 * `concurrency` in flight, each repeat measuring both back to back.
 */
export const compareCalls = async (
  a: Call,
  b: Call,
  options: { blocks: number; blockCalls: number; latencyMs: number; throughputCalls: number; throughputRepeats: number; throughputMs: number; concurrency: number }
): Promise<Comparison> => {
  const ms = { a: [] as Array<number>, b: [] as Array<number> }
  const blockRatios: Array<number> = []
  const deadline = performance.now() + options.latencyMs
  let cutShort = false
  for (let block = 0; block < options.blocks && !cutShort; block++) {
    const aFirst = block % 2 === 0
    const a1 = aFirst ? await sequential(a, options.blockCalls, deadline) : undefined
    const bs = await sequential(b, options.blockCalls, deadline)
    const as = a1 ?? (await sequential(a, options.blockCalls, deadline))
    ms.a.push(...as.ms)
    ms.b.push(...bs.ms)
    if (as.ms.length && bs.ms.length) blockRatios.push(median(as.ms) / median(bs.ms))
    cutShort = as.cutShort || bs.cutShort
  }
  const throughputRuns: Array<{ a: number; b: number }> = []
  for (let repeat = 0; repeat < options.throughputRepeats; repeat++) {
    const ta = await concurrent(a, options.throughputCalls, options.concurrency, performance.now() + options.throughputMs)
    const tb = await concurrent(b, options.throughputCalls, options.concurrency, performance.now() + options.throughputMs)
    throughputRuns.push({ a: perSecond(ta.calls, ta.ms), b: perSecond(tb.calls, tb.ms) })
  }
  return { ms, blockRatios, cutShort, throughputRuns }
}

/**
 * Prints a comparison as a table (each side's p50, p99 and calls/s, then the ratio of `a` to `b`) and
 * returns the benchmark's result, each side under its key (bench/results/{name}.json).
 */
export const reportComparison = (
  comparison: Comparison,
  options: { name: string; target: number; concurrency: number; a: readonly [key: string, label: string]; b: readonly [key: string, label: string] }
) => {
  const [aKey, aLabel] = options.a
  const [bKey, bLabel] = options.b
  const row = (ms: ReadonlyArray<number>) => ({ calls: ms.length, p50: percentile(ms, 50), p99: percentile(ms, 99) })
  const [a, b] = [row(comparison.ms.a), row(comparison.ms.b)]
  const runs = comparison.throughputRuns
  const ratio = {
    p50: a.p50 / b.p50,
    p99: a.p99 / b.p99,
    p50PerBlock: median(comparison.blockRatios),
    throughput: median(runs.map((r) => r.b / r.a))
  }
  console.log(
    table(
      ["", "p50 ms", "p99 ms", `calls/s (${options.concurrency} in flight)`],
      [
        [aLabel, a.p50.toFixed(2), a.p99.toFixed(2), median(runs.map((r) => r.a)).toFixed(0)],
        [bLabel, b.p50.toFixed(2), b.p99.toFixed(2), median(runs.map((r) => r.b)).toFixed(0)],
        [`ratio (target ≤ ${options.target} at p50)`, ratio.p50.toFixed(3), ratio.p99.toFixed(3), `${ratio.throughput.toFixed(3)} (time per call)`]
      ]
    )
  )
  return {
    name: options.name,
    target: options.target,
    latency: { [aKey]: a, [bKey]: b, cutShort: comparison.cutShort },
    ratio,
    throughput: { concurrency: options.concurrency, runs: runs.map((r) => ({ [aKey]: r.a, [bKey]: r.b })) }
  }
}
