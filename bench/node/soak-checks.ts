// The verdicts of `npm run soak` (bench/node/soak.ts), from what its agents counted, what the logs
// hold, and the memory readings: one row per check, pass, FAIL, or n/a where the machine cannot tell.
import type { RecordedRuns } from "./recorded-runs.ts"
import type { Tally } from "./soak-agent.ts"

export interface WorkspaceOutcome {
  readonly workspace: string
  /** The rate limit set on it, or null: a refusal anywhere else is an error. */
  readonly limit: string | null
  readonly tally: Tally
  readonly runs: RecordedRuns
  readonly chain: { ok: boolean; from: number; count: number; headSeq?: number; firstBadSeq?: number; reason?: string }
  /** tools/call requests the upstream's namespace for this workspace received. */
  readonly upstreamSaw: number
}

export interface MemoryReadings {
  /** The isolate's live JS heap after a forced GC, after warm-up and at the end. */
  readonly heapWarm: number | undefined
  readonly heapEnd: number
  /** The plane's anonymous RSS after those GCs, and the calls made by then. */
  readonly anonWarm: { readonly bytes: number; readonly calls: number } | undefined
  readonly anonEnd: { readonly bytes: number; readonly calls: number } | undefined
  /** The floor relay's anonymous RSS gained per request after its warm-up (./relay-rss-control.ts). */
  readonly relayAnonPerRequest: number | undefined
  /** For the row's detail: RSS before the load, after warm-up, when the load ended, its max, at the end after GC. */
  readonly rss: Readonly<Record<"beforeLoad" | "warm" | "end" | "max" | "endAfterGc", number | undefined>>
}

export interface Check {
  readonly check: string
  readonly pass: boolean | null
  readonly detail: string
}

/** Live heap after GC at the end at most this many times its value after warm-up. */
export const HEAP_GROWTH_LIMIT = 1.25
/**
 * The plane's anonymous RSS per call after warm-up at most this many times the floor relay's per
 * request, plus RSS_SLACK_BYTES so that a runtime which gains nothing per request leaves room for noise.
 */
export const RSS_PER_CALL_LIMIT = 2
export const RSS_SLACK_BYTES = 1024

const MB = 2 ** 20
const mb = (bytes: number | undefined) => (bytes === undefined ? "n/a" : `${(bytes / MB).toFixed(0)} MB`)
const kb = (bytes: number | undefined) => (bytes === undefined ? "n/a" : `${(bytes / 1024).toFixed(1)} KB`)
const count = (n: number) => n.toLocaleString("en-US")

const sameCounts = (a: Readonly<Record<string, number>>, b: Readonly<Record<string, number>>) =>
  [...new Set([...Object.keys(a), ...Object.keys(b)])].every((k) => (a[k] ?? 0) === (b[k] ?? 0))

/** The plane's anonymous RSS gained per call between the two post-GC readings. */
export const anonPerCall = (m: MemoryReadings) =>
  m.anonWarm && m.anonEnd && m.anonEnd.calls > m.anonWarm.calls ? (m.anonEnd.bytes - m.anonWarm.bytes) / (m.anonEnd.calls - m.anonWarm.calls) : undefined

export const soakChecks = (input: {
  readonly workspaces: ReadonlyArray<WorkspaceOutcome>
  readonly drained: boolean
  readonly overrunMs: number
  readonly drainMs: number
  readonly planePids: readonly [number | undefined, number | undefined]
  readonly memory: MemoryReadings
}): ReadonlyArray<Check> => {
  const ws = input.workspaces
  const sum = (f: (w: WorkspaceOutcome) => number) => ws.reduce((a, w) => a + f(w), 0)
  const calls = sum((w) => w.tally.calls)
  const errors = sum((w) => w.tally.errors)
  const refused = sum((w) => w.tally.refused)
  const refusedUnlimited = sum((w) => (w.limit === null ? w.tally.refused : 0))
  const runs = sum((w) => w.runs.started)
  const differing = ws.filter((w) => !sameCounts(w.tally.expected, w.runs.finished))
  const m = input.memory
  const perCall = anonPerCall(m)
  const [pidStart, pidEnd] = input.planePids
  return [
    {
      check: "zero errors other than rate-limit refusals",
      pass: errors === 0 && refusedUnlimited === 0,
      detail: `${count(errors)} errors; ${count(refused)} refusals, ${count(refusedUnlimited)} of them in a workspace with no limit`
    },
    {
      check: "every call answered by the deadline's grace",
      pass: input.drained,
      detail: !input.drained
        ? `calls still in flight ${input.drainMs / 1000} s past the deadline`
        : input.overrunMs < 0
          ? `the call bound ended the load ${(-input.overrunMs / 1000).toFixed(1)} s before the deadline`
          : `the load ended ${(input.overrunMs / 1000).toFixed(1)} s after the deadline`
    },
    {
      check: "runs recorded equal calls made (each workspace, by tool and status)",
      pass: runs === calls && ws.every((w) => w.runs.started === w.tally.calls) && differing.length === 0,
      detail: `${count(runs)} RunStarted in the logs for ${count(calls)} calls; by tool and status, ${differing.length === 0 ? "every workspace matches" : `${differing.map((w) => w.workspace).join(", ")} differ`}`
    },
    {
      check: "every run finished once, and no log has a gap",
      pass: ws.every((w) => w.runs.unfinished === 0 && w.runs.unstarted === 0 && w.runs.duplicates === 0 && w.runs.gaps === 0 && w.runs.events === w.runs.head),
      detail: `unfinished ${sum((w) => w.runs.unfinished)}, finished unstarted ${sum((w) => w.runs.unstarted)}, twice ${sum((w) => w.runs.duplicates)}, seq gaps ${sum((w) => w.runs.gaps)}`
    },
    {
      check: "the upstream saw exactly the calls answered through it",
      pass: ws.every((w) => w.upstreamSaw === w.tally.upstreamCalls),
      detail: `${count(sum((w) => w.upstreamSaw))} tools/call at the upstream, ${count(sum((w) => w.tally.upstreamCalls))} answered ok through Berth`
    },
    {
      check: "every chain verifies",
      pass: ws.every((w) => w.chain.ok && w.chain.from === 1 && w.chain.count === w.runs.events),
      detail: ws.map((w) => (w.chain.ok ? `${w.workspace} ${count(w.chain.count)} events` : `${w.workspace} BAD at ${w.chain.firstBadSeq}: ${w.chain.reason}`)).join(", ")
    },
    {
      check: "the plane's runtime ran throughout (same workerd)",
      pass: pidStart === undefined ? null : pidStart === pidEnd,
      detail: `workerd pid ${pidStart ?? "?"} at the start, ${pidEnd ?? "?"} at the end`
    },
    {
      check: `Berth's heap stable: live JS heap after GC at the end ≤ ${HEAP_GROWTH_LIMIT}× after warm-up`,
      pass: m.heapWarm === undefined ? null : m.heapEnd <= m.heapWarm * HEAP_GROWTH_LIMIT,
      detail: `after warm-up ${mb(m.heapWarm)}, at the end ${mb(m.heapEnd)}`
    },
    {
      check: `plane RSS per call ≤ ${RSS_PER_CALL_LIMIT}× the floor relay's per request + 1 KB (the runtime's own growth)`,
      pass: perCall === undefined || m.relayAnonPerRequest === undefined ? null : perCall <= RSS_PER_CALL_LIMIT * Math.max(m.relayAnonPerRequest, 0) + RSS_SLACK_BYTES,
      detail:
        `RSS before the load ${mb(m.rss.beforeLoad)}, after warm-up ${mb(m.rss.warm)}, when the load ended ${mb(m.rss.end)} (max ${mb(m.rss.max)}), ` +
        `after a GC ${mb(m.rss.endAfterGc)}; anonymous RSS ${kb(perCall)} per call after warm-up, the relay ${kb(m.relayAnonPerRequest)} per request`
    }
  ]
}
