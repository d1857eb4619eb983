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

export const median = (xs: ReadonlyArray<number>): number => {
  const sorted = [...xs].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

export const perSecond = (count: number, ms: number): number => (count * 1000) / ms

/** A fixed-width text table, the first column left-aligned and the rest right-aligned. */
export const table = (header: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string>>): string => {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)))
  const line = (cells: ReadonlyArray<string>) =>
    cells.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join("  ")
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n")
}

export const formatRate = (eventsPerSecond: number): string => Math.round(eventsPerSecond).toLocaleString("en-US")
