// `npm run soak`: issue 22's load test. Agents over several workspaces call tools for minutes against
// a real plane on loopback (wrangler's workerd, at the runtime's own entry) and the test upstream,
// bounded in calls and in time. Then it checks, from the logs, that nothing but rate-limit refusals
// went wrong, that a run was recorded for every call made (by tool and status), that every chain
// verifies, and that the plane's memory is stable (docs/soak.md). Prints pass/FAIL rows, writes
// bench/results/soak.json, and exits 1 on a FAIL.
//
//   npm run soak [-- --minutes 5 --agents 256 --workspaces 8 --max-calls 2000000 --control-seconds 60 --heap-every-line]
import { mkdirSync, writeFileSync } from "node:fs"
import { cpus, loadavg, totalmem } from "node:os"
import { join, resolve } from "node:path"
import { parseArgs } from "node:util"
import type { Client } from "@modelcontextprotocol/client"
import { startDevWorker } from "../../test/node/dev-worker.ts"
import { adminRpc, startPlane } from "../../test/node/plane.ts"
import { table } from "../stats.ts"
import { isolateHeap } from "./isolate-heap.ts"
import { workerdListeningOn } from "./process-cpu.ts"
import { type Rss, rssOf } from "./process-rss.ts"
import { recordedRuns } from "./recorded-runs.ts"
import { type RelayGrowth, relayGrowth } from "./relay-rss-control.ts"
import { connectAgent, type Era, runAgent, Tally } from "./soak-agent.ts"
import { anonPerCall, HEAP_GROWTH_LIMIT, type MemoryReadings, RSS_PER_CALL_LIMIT, RSS_SLACK_BYTES, soakChecks, type WorkspaceOutcome } from "./soak-checks.ts"

const { values: args } = parseArgs({
  options: {
    minutes: { type: "string", default: "5" },
    agents: { type: "string", default: "256" },
    workspaces: { type: "string", default: "8" },
    "max-calls": { type: "string", default: "2000000" },
    "control-seconds": { type: "string", default: "60" },
    "heap-every-line": { type: "boolean", default: false }
  }
})
const minutes = Number(args.minutes)
const workspaceCount = Number(args.workspaces)
const agentsPerWorkspace = Math.ceil(Number(args.agents) / workspaceCount)
const maxCalls = Number(args["max-calls"])
const controlSeconds = Number(args["control-seconds"])
if (!(minutes > 0) || !(workspaceCount >= 1) || !(agentsPerWorkspace >= 1) || !(maxCalls >= 1) || !(controlSeconds >= 0)) {
  console.error("usage: npm run soak -- [--minutes N>0] [--agents N>=1] [--workspaces N>=1] [--max-calls N>=1] [--control-seconds N>=0] [--heap-every-line]")
  process.exit(2)
}
const durationMs = minutes * 60_000
/** Memory is compared from the end of warm-up: the first half of the run, at most a minute. */
const warmUpMs = Math.min(60_000, durationMs / 2)
/** Past the deadline, the calls in flight have this long to answer before the soak gives up on them. */
const DRAIN_MS = 60_000
const PROGRESS_MS = 10_000
/** Every fourth agent speaks 2025-11-25 (a session per agent), the rest 2026-07-28. */
const eraOf = (index: number): Era => (index % 4 === 3 ? "2025-11-25" : "2026-07-28")
/**
 * Two workspaces carry a rate limit, so refusals happen and are told apart from errors: the first a
 * workspace-wide limit that every tool call meets, the second a limit on memory_put alone.
 */
const LIMITS: ReadonlyArray<Record<string, unknown> & { readonly label: string }> = [
  { label: "workspace: 600 per minute, burst 20", scope: "workspace", perMinute: 600, burst: 20 },
  { label: "tool memory_put: 120 per minute, burst 10", scope: "tool", target: "memory_put", perMinute: 120, burst: 10 }
]

// As in bench/vitest.node.config.ts: wrangler's local observability keeps a trace of every request in
// an object in the plane's own runtime; production runs no such store, and its growth is not Berth's.
process.env.X_LOCAL_OBSERVABILITY ??= "false"

const root = resolve(import.meta.dirname, "../..")
const MB = 2 ** 20
const mb = (bytes: number | undefined) => (bytes === undefined ? "n/a" : `${(bytes / MB).toFixed(0)} MB`)
const inMB = (bytes: number | undefined) => (bytes === undefined ? null : Math.round((bytes / MB) * 10) / 10)
const count = (n: number) => n.toLocaleString("en-US")

const stops: Array<() => Promise<void>> = []
const stopAll = async () => {
  for (const stop of stops.reverse()) await stop().catch(() => undefined)
  stops.length = 0
}
process.once("SIGINT", () => void stopAll().then(() => process.exit(130)))

// watch: false, so an edit elsewhere in a shared checkout does not restart the upstream mid-soak.
const upstream = await startDevWorker({
  config: "test/mcp/upstream/wrangler.toml",
  dev: { server: { hostname: "127.0.0.1", port: 0 }, inspector: false, persist: false, logLevel: "error", watch: false }
})
stops.push(upstream.stop)
// With the inspector, to read the isolate's heap after a GC beside the process's RSS (./isolate-heap.ts).
const plane = await startPlane({ inspector: true })
stops.push(plane.stop)
const heap = await isolateHeap(plane.inspectorUrl!)
stops.push(async () => heap.close())
const heapAfterGc = () => heap.afterGc(() => fetch(`${plane.runtimeUrl}/healthz`).then((r) => r.arrayBuffer()))

// Everything goes to the runtimes' own entries, past wrangler's dev proxy, as the benchmarks do.
const rpc = (body: Record<string, unknown>) => adminRpc({ url: plane.runtimeUrl, token: plane.token }, body)
const planePort = Number(new URL(plane.runtimeUrl).port)
const planePid = workerdListeningOn(planePort)
const upstreamPid = workerdListeningOn(Number(new URL(upstream.runtimeUrl).port))
console.log(
  `soak: ${workspaceCount} workspaces × ${agentsPerWorkspace} agents for ${minutes} min (at most ${count(maxCalls)} calls); ` +
    `plane ${plane.runtimeUrl} (workerd pid ${planePid ?? "?"}, state in ${plane.persist}), upstream ${upstream.runtimeUrl}`
)

interface Workspace {
  readonly workspace: string
  readonly limit: string | null
  readonly tally: Tally
  readonly agents: Array<{ readonly name: string; readonly era: Era; key?: string; client?: Client }>
}
const workspaces: Array<Workspace> = []
for (let w = 0; w < workspaceCount; w++) {
  const workspace = `soak-${w}`
  await rpc({ _tag: "CreateWorkspace", workspace })
  // A namespace of the upstream per workspace, so its call counter is that workspace's alone.
  await rpc({ _tag: "InstallPlugin", workspace, plugin: "up", url: `${upstream.runtimeUrl}/ns/${workspace}/mcp`, transport: "streamable-http", auth: "none" })
  const limit = LIMITS[w]
  if (limit) {
    const { label: _, ...command } = limit
    await rpc({ _tag: "SetRateLimit", workspace, ...command })
  }
  const agents: Workspace["agents"] = []
  for (let a = 0; a < agentsPerWorkspace; a++) {
    const name = `a${String(a).padStart(2, "0")}`
    const { key } = (await rpc({ _tag: "RegisterAgent", workspace, agent: name })) as { key: string }
    agents.push({ name, era: eraOf(a), key })
  }
  workspaces.push({ workspace, limit: limit?.label ?? null, tally: new Tally(), agents })
}
// Connected sixteen at a time, so that setup is not itself a burst.
const connecting = workspaces.flatMap((ws) => ws.agents.map((agent) => ({ ws, agent })))
await Promise.all(
  Array.from({ length: 16 }, async () => {
    for (let next = connecting.shift(); next; next = connecting.shift())
      next.agent.client = await connectAgent(`${plane.runtimeUrl}/w/${next.ws.workspace}/mcp`, next.agent.key!, next.agent.name, next.agent.era)
  })
)

// The load: every agent calls until the deadline, or until the soak's calls reach the bound.
interface Sample {
  readonly s: number
  readonly calls: number
  readonly rss: Rss | undefined
  /** The isolate's live heap after a forced GC: after warm-up, or at every line with --heap-every-line. */
  heapUsed?: number
}
const samples: Array<Sample> = []
const rssBeforeLoad = rssOf(planePid)
const upstreamBeforeLoad = rssOf(upstreamPid)
const totals = () =>
  workspaces.reduce((t, ws) => ({ calls: t.calls + ws.tally.calls, errors: t.errors + ws.tally.errors, refused: t.refused + ws.tally.refused }), {
    calls: 0,
    errors: 0,
    refused: 0
  })
const t0 = performance.now()
const deadline = t0 + durationMs
const go = () => performance.now() < deadline && totals().calls < maxCalls
let lastLine = { at: t0, calls: 0 }
let warm: { sample: Sample; afterGc: Promise<{ bytes: number; calls: number } | undefined> } | undefined
const progress = setInterval(() => {
  const now = performance.now()
  const t = totals()
  const sample: Sample = { s: Math.round((now - t0) / 1000), calls: t.calls, rss: rssOf(planePid) }
  samples.push(sample)
  // The RSS is read before any collection, which can only shrink it.
  const collect = () => heapAfterGc().then((h) => ((sample.heapUsed = h.usedBytes), h))
  if (warm === undefined && now - t0 >= warmUpMs) {
    const afterGc = collect().then(() => {
      const rss = rssOf(planePid)
      return rss && { bytes: rss.anonBytes, calls: totals().calls }
    })
    warm = { sample, afterGc: afterGc.catch(() => undefined) }
  } else if (args["heap-every-line"]) void collect().catch(() => undefined)
  const rate = ((t.calls - lastLine.calls) * 1000) / (now - lastLine.at)
  lastLine = { at: now, calls: t.calls }
  console.log(
    `${String(sample.s).padStart(4)} s  calls ${count(t.calls).padStart(9)}  ${rate.toFixed(0).padStart(5)}/s  ` +
      `errors ${count(t.errors)}  refusals ${count(t.refused)}  plane RSS ${mb(sample.rss?.bytes)}  load ${loadavg()[0]!.toFixed(1)}`
  )
}, PROGRESS_MS)
const load = Promise.all(workspaces.flatMap((ws) => ws.agents.map((agent) => runAgent(agent.client!, agent.name, ws.tally, go))))
let rssEnd: Rss | undefined
let loadMs = 0
let drained = true
await new Promise<void>((resolveLoad) => {
  // The RSS at the end of the load is read as the last agent's loop ends, before anything else runs.
  const finish = () => {
    clearTimeout(giveUp)
    loadMs = performance.now() - t0
    rssEnd = rssOf(planePid)
    resolveLoad()
  }
  const giveUp = setTimeout(() => {
    drained = false
    finish()
  }, durationMs + DRAIN_MS)
  load.then(finish, finish)
})
clearInterval(progress)
const made = totals()
const heapEnd = await heapAfterGc()
const rssEndAfterGc = rssOf(planePid)
const anonWarm = await warm?.afterGc
console.log(
  `load over after ${(loadMs / 1000).toFixed(1)} s: ${count(made.calls)} calls, ${(made.calls / (loadMs / 1000)).toFixed(0)}/s` +
    (drained ? "" : " (calls still in flight: not drained)")
)
for (const ws of workspaces) for (const agent of ws.agents) await agent.client?.close().catch(() => undefined)

// From the logs: the runs each workspace recorded and its chain; and what its upstream namespace saw.
const outcomes: Array<WorkspaceOutcome> = []
for (const ws of workspaces) {
  const runs = await recordedRuns(rpc, ws.workspace)
  const chain = (await rpc({ _tag: "VerifyLog", workspace: ws.workspace })) as WorkspaceOutcome["chain"]
  const seen = (await (await fetch(`${upstream.runtimeUrl}/ns/${ws.workspace}/calls`)).json()) as Record<string, number>
  outcomes.push({ workspace: ws.workspace, limit: ws.limit, tally: ws.tally, runs, chain, upstreamSaw: Object.values(seen).reduce((a, b) => a + b, 0) })
}
const planePidAfter = workerdListeningOn(planePort)
const upstreamAfter = rssOf(upstreamPid)
await stopAll()

// The control: how much RSS this runtime gains per request relayed by a Durable Object with no Berth code.
let relay: RelayGrowth | undefined
if (controlSeconds > 0) {
  const controlUpstream = await startDevWorker({
    config: "test/mcp/upstream/wrangler.toml",
    dev: { server: { hostname: "127.0.0.1", port: 0 }, inspector: false, persist: false, logLevel: "error", watch: false }
  })
  try {
    console.log(`\ncontrol: the floor relay (bench/floor-relay) under ${workspaceCount * agentsPerWorkspace} clients for ${controlSeconds} s`)
    relay = await relayGrowth(controlUpstream.runtimeUrl, { seconds: controlSeconds, lanes: workspaceCount * agentsPerWorkspace })
    console.log(`  ${count(relay.requests)} requests, RSS ${mb(relay.warm?.bytes)} after warm-up → ${mb(relay.end?.bytes)}`)
  } finally {
    await controlUpstream.stop()
  }
}

const memory: MemoryReadings = {
  heapWarm: warm?.sample.heapUsed,
  heapEnd: heapEnd.usedBytes,
  anonWarm,
  anonEnd: rssEndAfterGc && { bytes: rssEndAfterGc.anonBytes, calls: made.calls },
  relayAnonPerRequest: relay?.anonPerRequest,
  rss: {
    beforeLoad: rssBeforeLoad?.bytes,
    warm: warm?.sample.rss?.bytes,
    end: rssEnd?.bytes,
    max: Math.max(...samples.map((s) => s.rss?.bytes ?? 0), rssEnd?.bytes ?? 0) || undefined,
    endAfterGc: rssEndAfterGc?.bytes
  }
}
const checks = soakChecks({
  workspaces: outcomes,
  drained,
  overrunMs: loadMs - durationMs,
  drainMs: DRAIN_MS,
  planePids: [planePid, planePidAfter],
  memory
})

console.log()
console.log(
  table(
    ["workspace", "limit", "calls", "ok", "refused", "errors", "runs in log", "events", "upstream saw", "chain"],
    outcomes.map((w) => [
      w.workspace,
      w.limit ?? "",
      count(w.tally.calls),
      count(w.tally.ok),
      count(w.tally.refused),
      count(w.tally.errors),
      count(w.runs.started),
      count(w.runs.events),
      count(w.upstreamSaw),
      w.chain.ok ? "ok" : "BAD"
    ])
  )
)
const errorSamples = outcomes.flatMap((w) => w.tally.errorSamples)
if (errorSamples.length > 0) {
  console.log("\nfirst errors:")
  for (const e of errorSamples.slice(0, 20)) console.log(`  ${e}`)
}
console.log()
for (const c of checks) console.log(`${(c.pass === null ? "n/a" : c.pass ? "pass" : "FAIL").padEnd(4)}  ${c.check}\n      ${c.detail}`)

const cores = cpus()
const sum = (f: (w: WorkspaceOutcome) => number) => outcomes.reduce((a, w) => a + f(w), 0)
const results = {
  measuredAt: new Date().toISOString(),
  machine: {
    cores: cores.length,
    cpu: cores[0]?.model ?? "unknown",
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform}-${process.arch}`
  },
  name: "soak",
  setup: {
    minutes,
    workspaces: workspaceCount,
    agentsPerWorkspace,
    agents: workspaceCount * agentsPerWorkspace,
    maxCalls,
    eras: { "2026-07-28": "3 agents in 4", "2025-11-25": "1 agent in 4, a session each" },
    mix: "per ten calls: 5 up__echo, 2 up__structured, 1 memory_put and 1 memory_get of the agent's own 8 keys",
    limits: Object.fromEntries(outcomes.filter((w) => w.limit !== null).map((w) => [w.workspace, w.limit])),
    onRefusal: "the agent waits 1 s",
    warmUpMs,
    controlSeconds,
    rules: {
      heap: `live JS heap after GC at the end ≤ ${HEAP_GROWTH_LIMIT}× after warm-up`,
      rss: `anonymous RSS per call after warm-up (both read after a GC) ≤ ${RSS_PER_CALL_LIMIT}× the floor relay's per request + ${RSS_SLACK_BYTES} B`
    }
  },
  totals: {
    calls: made.calls,
    loadMs: Math.round(loadMs),
    callsPerSecond: made.calls / (loadMs / 1000),
    ok: sum((w) => w.tally.ok),
    refused: made.refused,
    errors: made.errors,
    runsRecorded: sum((w) => w.runs.started),
    events: sum((w) => w.runs.events),
    loadAverageAtEnd: loadavg()[0]
  },
  memory: {
    planePid: planePid ?? null,
    rssMB: {
      beforeLoad: inMB(rssBeforeLoad?.bytes),
      afterWarmUp: inMB(memory.rss.warm),
      whenLoadEnded: inMB(rssEnd?.bytes),
      max: inMB(memory.rss.max),
      atEndAfterGc: inMB(rssEndAfterGc?.bytes)
    },
    anonMB: { afterWarmUpGc: inMB(anonWarm?.bytes), atEndAfterGc: inMB(rssEndAfterGc?.anonBytes) },
    anonBytesPerCall: anonPerCall(memory) ?? null,
    heapMB: { afterWarmUp: inMB(memory.heapWarm), atEnd: inMB(heapEnd.usedBytes) },
    relay: relay && {
      requests: relay.requests,
      rssMB: { afterWarmUp: inMB(relay.warm?.bytes), atEnd: inMB(relay.end?.bytes) },
      anonBytesPerRequest: relay.anonPerRequest ?? null
    },
    upstreamRssMB: { beforeLoad: inMB(upstreamBeforeLoad?.bytes), atEnd: inMB(upstreamAfter?.bytes) },
    samples: samples.map((s) => ({
      s: s.s,
      calls: s.calls,
      rssMB: inMB(s.rss?.bytes),
      anonMB: inMB(s.rss?.anonBytes),
      fileMB: inMB(s.rss?.fileBytes),
      ...(s.heapUsed === undefined ? {} : { heapMB: inMB(s.heapUsed) })
    }))
  },
  checks,
  workspaces: outcomes.map((w) => ({
    workspace: w.workspace,
    limit: w.limit,
    calls: w.tally.calls,
    ok: w.tally.ok,
    refused: w.tally.refused,
    errors: w.tally.errors,
    expected: w.tally.expected,
    recorded: w.runs.finished,
    runsStarted: w.runs.started,
    unfinished: w.runs.unfinished,
    events: w.runs.events,
    eventsByType: w.runs.byType,
    upstreamSaw: w.upstreamSaw,
    chain: w.chain,
    errorSamples: w.tally.errorSamples
  }))
}
mkdirSync(join(root, "bench/results"), { recursive: true })
writeFileSync(join(root, "bench/results/soak.json"), JSON.stringify(results, null, 2) + "\n")
console.log("\nwrote bench/results/soak.json")
process.exit(checks.some((c) => c.pass === false) ? 1 : 0)
