// The cost of one Berth hop on `tools/call`, as issue 22's ratios within one run: a real plane
// (wrangler's workerd) against the relay floor that records as Berth does (bench/floor-relay), the
// peer gateway a team could write instead (peer-gateway.ts) and the upstream called directly, all
// reaching the same upstream, once for each kind of upstream (hop-paths.ts). Then the same request
// cut down layer by layer, to see where the time goes. Prints each target with its ratio and pass or
// MISS, and writes bench/results/mcp-hop.json; never asserts timings.
import { afterAll, beforeAll, expect, inject, it } from "vitest"
import type { DevWorker } from "../../test/node/dev-worker.ts"
import { formatRate, median, percentile, perSecond, table } from "../stats.ts"
import { type DockedPlane, dockedPlane, modernClient } from "./docked-plane.ts"
import { everythingPaths, type HopPaths, startRelay, testUpstreamPaths, type UpstreamKind } from "./hop-paths.ts"
import { type Call, concurrent, echoesSent, sequential, type Throughput } from "./load.ts"
import { cpuMeter, workerdListeningOn } from "./process-cpu.ts"
import { type D1Share, d1Share } from "./d1-share.ts"

const WARMUP_CALLS = 200
const LATENCY_BLOCKS = 10
const BLOCK_CALLS = 100
const THROUGHPUT_CALLS = 1_000
const THROUGHPUT_REPEATS = 3
const CONCURRENCY = 32
const LAYER_LATENCY_CALLS = 200
const LAYER_THROUGHPUT_CALLS = 600
/** Every phase stops issuing calls at its deadline, so a slow machine shortens the run rather than hang it. */
const PHASE_LIMIT_MS = { latency: 60_000, throughput: 20_000, layer: 5_000 }

/** Issue 22's targets, each read within one run against the relay floor that records as Berth does, or the peer. */
export const TARGETS = {
  /** Berth's calls/s at 32 in flight over the recording floor's: at least. */
  callsPerSecondOverFloor: 0.8,
  /** Berth's p50 minus the recording floor's, in ms: at most. */
  p50OverFloorMs: 1,
  /** The plane's CPU per call over the recording floor relay's: at most. */
  cpuOverFloor: 1.5,
  /** Berth's calls/s at 32 in flight over the peer gateway's: at least. */
  callsPerSecondOverPeer: 0.8
} as const

/**
 * The paths compared in alternation; `floor` is the relay floor writing a row before dispatch and one
 * after, `sdkFloor` the same object speaking MCP through the SDK with the same writes.
 */
const PATHS = ["direct", "berth", "floor", "sdkFloor", "peer"] as const
type PathName = (typeof PATHS)[number]
const LABEL: Record<PathName, string> = {
  direct: "the upstream directly",
  berth: "through Berth",
  floor: "relay floor, 1 write before, 1 after",
  sdkFloor: "SDK floor (the peer in the relay's object), same writes",
  peer: "peer gateway (SDK v2, Node)"
}

let docked: DockedPlane
let relay: DevWorker | undefined
const hops: Partial<Record<UpstreamKind, HopPaths>> = {}
beforeAll(async () => {
  docked = await dockedPlane(new URL(inject("upstreamRuntimeUrl")).origin)
  relay = await startRelay()
  hops["test upstream"] = await testUpstreamPaths(docked, relay)
  hops["server-everything"] = await everythingPaths(docked, relay, inject("everythingUrl"))
}, 180_000)
afterAll(async () => {
  await Promise.allSettled(Object.values(hops).map((hop) => hop.close()))
  await Promise.allSettled([docked?.stop(), relay?.stop()])
})

const latencyRow = (ms: ReadonlyArray<number>) => ({ calls: ms.length, p50: percentile(ms, 50), p99: percentile(ms, 99) })
const fmtMs = (ms: number) => ms.toFixed(2)
const verdict = (ok: boolean) => (ok ? "pass" : "MISS")
/** `xs` started at its `by`th element, so which path goes first moves from block to block. */
const rotated = <T>(xs: ReadonlyArray<T>, by: number): Array<T> => xs.map((_, i) => xs[(i + by) % xs.length]!)

interface CpuPerCall {
  readonly [process: string]: number
}

const cpuGroups = (hop: HopPaths) => {
  const groups: Record<string, Array<number>> = {}
  const add = (name: string, pid: number | undefined) => void (pid !== undefined && (groups[name] = [pid]))
  add("plane", workerdListeningOn(Number(new URL(docked.plane.runtimeUrl).port)))
  add("devProxy", workerdListeningOn(Number(new URL(docked.plane.url).port)))
  add("relay", relay === undefined ? undefined : workerdListeningOn(Number(new URL(relay.runtimeUrl).port)))
  add("peer", hop.pids.peer)
  add("upstream", hop.pids.upstream)
  return groups
}

type MeasuredRun = Throughput & { readonly callsPerSecond: number; readonly cpuMsPerCall: CpuPerCall }

/** A throughput run with the CPU each process spent on it, per call. */
const measuredRun = async (hop: HopPaths, call: Call, count: number, limitMs: number): Promise<MeasuredRun> => {
  const meter = cpuMeter(cpuGroups(hop))
  const run = await concurrent(call, count, CONCURRENCY, performance.now() + limitMs)
  const cpu = meter.stop()
  return {
    ...run,
    callsPerSecond: perSecond(run.calls, run.ms),
    cpuMsPerCall: Object.fromEntries(Object.entries(cpu).map(([name, ms]) => [name, ms / run.calls]))
  }
}

/** The paths to one upstream: latency in alternating blocks, then throughput with its CPU, alternating too. */
const compareHop = async (hop: HopPaths) => {
  const calls: Record<PathName, Call> = { direct: hop.direct, berth: hop.berth, floor: hop.floor[2], sdkFloor: hop.sdkFloor, peer: hop.peer }
  // Warm-up: JIT everywhere, pooled upstream clients connected, connections open.
  for (const path of PATHS) {
    await sequential(calls[path], WARMUP_CALLS, Infinity)
    await concurrent(calls[path], CONCURRENCY * 10, CONCURRENCY, Infinity)
  }

  // Latency one call at a time, each block every path in turn, so drift hits all of them.
  const ms: Record<PathName, Array<number>> = { direct: [], berth: [], floor: [], sdkFloor: [], peer: [] }
  const berthOverFloorPerBlock: Array<number> = []
  const head0 = await hop.head()
  const deadline = performance.now() + PHASE_LIMIT_MS.latency
  let latencyCutShort = false
  for (let block = 0; block < LATENCY_BLOCKS && !latencyCutShort; block++) {
    const inBlock: Partial<Record<PathName, ReadonlyArray<number>>> = {}
    for (const path of rotated(PATHS, block)) {
      const samples = await sequential(calls[path], BLOCK_CALLS, deadline)
      inBlock[path] = samples.ms
      ms[path].push(...samples.ms)
      latencyCutShort ||= samples.cutShort
    }
    if (inBlock.berth?.length && inBlock.floor?.length) berthOverFloorPerBlock.push(median(inBlock.berth) - median(inBlock.floor))
  }
  const eventsPerCall = ((await hop.head()) - head0) / ms.berth.length

  // Throughput with 32 in flight, each repeat every path in turn.
  const runs: Array<Record<PathName, MeasuredRun>> = []
  for (let repeat = 0; repeat < THROUGHPUT_REPEATS; repeat++) {
    const run: Partial<Record<PathName, MeasuredRun>> = {}
    for (const path of rotated(PATHS, repeat)) run[path] = await measuredRun(hop, calls[path], THROUGHPUT_CALLS, PHASE_LIMIT_MS.throughput)
    runs.push(run as Record<PathName, MeasuredRun>)
  }
  const medianOf = (f: (run: Record<PathName, MeasuredRun>) => number) => median(runs.map(f))
  const cpu = (path: PathName, process: string) => medianOf((r) => r[path].cpuMsPerCall[process] ?? NaN)

  const latency = { ...Object.fromEntries(PATHS.map((p) => [p, latencyRow(ms[p])])), cutShort: latencyCutShort } as Record<
    PathName,
    ReturnType<typeof latencyRow>
  > & { cutShort: boolean }
  const callsPerSecond = Object.fromEntries(PATHS.map((p) => [p, medianOf((r) => r[p].callsPerSecond)])) as Record<PathName, number>
  const measures = {
    callsPerSecondOverFloor: medianOf((r) => r.berth.callsPerSecond / r.floor.callsPerSecond),
    p50OverFloorMs: latency.berth.p50 - latency.floor.p50,
    cpuOverFloor: cpu("berth", "plane") / cpu("floor", "relay"),
    callsPerSecondOverPeer: medianOf((r) => r.berth.callsPerSecond / r.peer.callsPerSecond)
  }
  /**
   * Not targets: the SDK floor beside the relay floor. Over the relay floor it is what speaking MCP on
   * both sides costs in this runtime; Berth over it is what Berth adds beyond that (auth, policy, the run's events, fan-out).
   */
  const sdkFloor = {
    callsPerSecondOverFloor: medianOf((r) => r.sdkFloor.callsPerSecond / r.floor.callsPerSecond),
    cpuOverFloor: cpu("sdkFloor", "relay") / cpu("floor", "relay"),
    p50OverFloorMs: latency.sdkFloor.p50 - latency.floor.p50,
    berthCallsPerSecondOverIt: medianOf((r) => r.berth.callsPerSecond / r.sdkFloor.callsPerSecond),
    berthCpuOverIt: cpu("berth", "plane") / cpu("sdkFloor", "relay"),
    berthP50OverItMs: latency.berth.p50 - latency.sdkFloor.p50
  }
  const pass = {
    callsPerSecondOverFloor: measures.callsPerSecondOverFloor >= TARGETS.callsPerSecondOverFloor,
    p50OverFloorMs: measures.p50OverFloorMs <= TARGETS.p50OverFloorMs,
    cpuOverFloor: measures.cpuOverFloor <= TARGETS.cpuOverFloor,
    callsPerSecondOverPeer: measures.callsPerSecondOverPeer >= TARGETS.callsPerSecondOverPeer
  }
  return {
    latency,
    /** Berth's p50 over the recording floor's, as the median of each block's difference: drift cancelled. */
    p50OverFloorPerBlockMs: median(berthOverFloorPerBlock),
    /** For reference: Berth over the upstream directly, and the peer over the recording floor. */
    p50OverDirectMs: latency.berth.p50 - latency.direct.p50,
    peerP50OverFloorMs: latency.peer.p50 - latency.floor.p50,
    eventsPerCall,
    throughput: {
      concurrency: CONCURRENCY,
      calls: THROUGHPUT_CALLS,
      callsPerSecond,
      berthOverDirect: medianOf((r) => r.berth.callsPerSecond / r.direct.callsPerSecond),
      cpuMsPerCall: {
        plane: cpu("berth", "plane"),
        relay: cpu("floor", "relay"),
        sdkFloor: cpu("sdkFloor", "relay"),
        peer: cpu("peer", "peer"),
        upstream: Object.fromEntries(PATHS.map((p) => [p, cpu(p, "upstream")])) as Record<PathName, number>
      },
      cutShort: runs.some((r) => PATHS.some((p) => r[p].cutShort)),
      runs
    },
    measures,
    sdkFloor,
    pass
  }
}

interface Layer {
  readonly name: string
  readonly what: string
  readonly call: Call
}

interface LayerResult {
  readonly name: string
  readonly what: string
  readonly calls: number
  readonly p50: number
  readonly p99: number
  readonly eventsPerCall: number
  readonly callsPerSecond: number
  readonly cpuMsPerCall: CpuPerCall
  readonly cutShort: boolean
}

/** Each layer alone: 200 calls one at a time (not alternated), then 600 at 32 with each process's CPU. */
const profileLayers = async (hop: HopPaths, layers: ReadonlyArray<Layer>): Promise<Array<LayerResult>> => {
  const profile: Array<LayerResult> = []
  for (const layer of layers) {
    await sequential(layer.call, 50, Infinity)
    const head0 = await hop.head()
    const seq = await sequential(layer.call, LAYER_LATENCY_CALLS, performance.now() + PHASE_LIMIT_MS.layer)
    const events = ((await hop.head()) - head0) / seq.ms.length
    const run = await measuredRun(hop, layer.call, LAYER_THROUGHPUT_CALLS, PHASE_LIMIT_MS.layer)
    profile.push({
      name: layer.name,
      what: layer.what,
      ...latencyRow(seq.ms),
      eventsPerCall: events,
      callsPerSecond: run.callsPerSecond,
      cpuMsPerCall: run.cpuMsPerCall,
      cutShort: seq.cutShort || run.cutShort
    })
  }
  return profile
}

/** The rows that reach the upstream, run against each kind. */
const upstreamLayers = (hop: HopPaths): ReadonlyArray<Layer> => [
  { name: "tools/call, full hop", what: "+ argument validation and the pooled upstream call (6 events): the full hop", call: hop.berth },
  { name: "tools/call, direct", what: "the upstream alone, called from Node (the baseline)", call: hop.direct },
  {
    name: "floor: object relay",
    what: "no Berth code (bench/floor-relay): Worker → Durable Object → the upstream and back, byte for byte; no MCP, auth or records",
    call: hop.floor[0]
  },
  {
    name: "floor: + 1 write before dispatch",
    what: "+ one SQLite row before the request leaves, which the output gate holds it for (Berth's RunStarted)",
    call: hop.floor[1]
  },
  { name: "floor: + 1 write before, 1 after", what: "+ one more row before answering (Berth's FinishRun): the floor under Berth's hop", call: hop.floor[2] },
  { name: "peer gateway", what: "the SDK v2 gateway in Node (peer-gateway.ts): a server per request, one pooled client; no records, no policy", call: hop.peer }
]

const cpuCell = (cpu: CpuPerCall, name: string) => (cpu[name] === undefined ? "-" : cpu[name]!.toFixed(2))
const layerTable = (profile: ReadonlyArray<LayerResult>) =>
  table(
    ["request", "p50 ms", "p99 ms", "events", "calls/s", "plane CPU", "dev proxy CPU", "relay CPU", "peer CPU", "upstream CPU", "client CPU"],
    profile.map((p) => [
      p.name + (p.cutShort ? " *" : ""),
      fmtMs(p.p50),
      fmtMs(p.p99),
      p.eventsPerCall.toFixed(1),
      formatRate(p.callsPerSecond),
      ...["plane", "devProxy", "relay", "peer", "upstream", "client"].map((name) => cpuCell(p.cpuMsPerCall, name))
    ])
  )

/** The D1 fan-out's share of the plane's CPU per call (d1-share.ts), and the plane's CPU without it over the relay floor's. */
interface D1Result extends D1Share {
  readonly cpuMsPerCall: number
  readonly planeLessD1OverFloor: number
}

/** `d1` is undefined where the plane's CPU cannot be read (no /proc), as the CPU columns are then empty. */
type HopResult = Awaited<ReturnType<typeof compareHop>> & { readonly profile: ReadonlyArray<LayerResult>; readonly d1: D1Result | undefined }

/** Rebuilds the workspace's D1 rows from its log with the plane's CPU read (d1-share.ts), after the hop's phases. */
const measureD1 = async (hop: HopPaths, compared: Awaited<ReturnType<typeof compareHop>>): Promise<D1Result | undefined> => {
  const pid = workerdListeningOn(Number(new URL(docked.plane.runtimeUrl).port))
  if (pid === undefined) return undefined
  const share = await d1Share({ url: docked.plane.runtimeUrl, token: docked.plane.token }, hop.workspace, pid)
  const cpuMsPerCall = share.cpuMsPerEvent * compared.eventsPerCall
  const { plane, relay } = compared.throughput.cpuMsPerCall
  return { ...share, cpuMsPerCall, planeLessD1OverFloor: (plane - cpuMsPerCall) / relay }
}

const printHop = (kind: UpstreamKind, hop: HopResult) => {
  const { latency, throughput } = hop
  const cpu = throughput.cpuMsPerCall
  const hopCpu: Partial<Record<PathName, number>> = { berth: cpu.plane, floor: cpu.relay, sdkFloor: cpu.sdkFloor, peer: cpu.peer }
  const cpuOf = (path: PathName) => hopCpu[path] ?? NaN
  console.log(
    [
      "",
      `${kind}: tools/call echo on ${PATHS.length} paths to the same upstream (warm; ${latency.berth.calls} calls each one at a time in alternating blocks of ${BLOCK_CALLS};` +
        ` then ${THROUGHPUT_CALLS} at ${CONCURRENCY} in flight, median of ${THROUGHPUT_REPEATS})`,
      table(
        ["path", "p50 ms", "p99 ms", `calls/s at ${CONCURRENCY}`, "its hop's CPU/call", "upstream CPU/call"],
        PATHS.map((p) => [
          LABEL[p],
          fmtMs(latency[p].p50),
          fmtMs(latency[p].p99),
          formatRate(throughput.callsPerSecond[p]),
          Number.isNaN(cpuOf(p)) ? "-" : fmtMs(cpuOf(p)),
          fmtMs(throughput.cpuMsPerCall.upstream[p])
        ])
      ),
      `Berth over the recording floor per block (drift cancelled): ${fmtMs(hop.p50OverFloorPerBlockMs)} ms at p50; over the upstream directly ${fmtMs(hop.p50OverDirectMs)} ms,` +
        ` ${throughput.berthOverDirect.toFixed(3)}x its calls/s; run writes ${hop.eventsPerCall.toFixed(2)} events per call` +
        (latency.cutShort || throughput.cutShort ? "  [a phase hit its time limit]" : ""),
      hop.d1 === undefined
        ? "The D1 fan-out's share: not measured (the plane's CPU cannot be read here)"
        : `The D1 fan-out, rebuilt from the log afterwards: ${hop.d1.events} events in ${hop.d1.seconds.toFixed(1)} s, ${hop.d1.cpuMsPerEvent.toFixed(3)} ms of plane CPU each,` +
          ` ${fmtMs(hop.d1.cpuMsPerCall)} ms per call; the plane less it: ${fmtMs(cpu.plane - hop.d1.cpuMsPerCall)} ms, ${hop.d1.planeLessD1OverFloor.toFixed(2)}x the relay floor's`,
      "",
      `${kind}: where the time goes (${LAYER_LATENCY_CALLS} sequential calls per row, then ${LAYER_THROUGHPUT_CALLS} at ${CONCURRENCY}; CPU ms per call at ${CONCURRENCY})`,
      layerTable(hop.profile),
      ""
    ].join("\n")
  )
}

const results: Partial<Record<UpstreamKind, HopResult>> = {}
let setupProfile: ReadonlyArray<LayerResult> = []

it("the hop against the test upstream (2026-07-28, JSON answers)", async () => {
  const hop = hops["test upstream"]!
  const compared = await compareHop(hop)

  // The rows that do not reach the upstream: what the setup costs before Berth does any work.
  const listing = await modernClient(docked.endpoint, { authorization: `Bearer ${docked.key}` })
  const refused = await modernClient(docked.endpoint, { authorization: `Bearer ${docked.key}` })
  const healthz = (origin: string) => async () => {
    const response = await fetch(`${origin}/healthz`)
    await response.arrayBuffer()
    if (response.status !== 200) throw new Error(`healthz: ${response.status}`)
  }
  setupProfile = await profileLayers(hop, [
    {
      name: "GET /healthz, dev ingress",
      what: "for reference: wrangler dev's ingress (what `npm start` serves; its ProxyWorker forwards over loopback HTTP), then the Worker",
      call: healthz(docked.plane.url)
    },
    {
      name: "GET /healthz",
      what: "HTTP into the plane's runtime (miniflare's entry worker, then the Worker); no Durable Object",
      call: healthz(docked.plane.runtimeUrl)
    },
    {
      name: "POST /w/{ws}/mcp, unknown key",
      what: "+ Worker → Durable Object hop; the object's authenticate answers 401 (no MCP SDK)",
      call: async () => {
        const response = await fetch(docked.endpoint, {
          method: "POST",
          headers: { authorization: "Bearer not-a-key", "content-type": "application/json", accept: "application/json, text/event-stream" },
          body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "up__echo", arguments: { text: "x" } } })
        })
        await response.arrayBuffer()
        if (response.status !== 401) throw new Error(`unknown key: ${response.status}`)
      }
    },
    {
      name: "tools/list",
      what: "+ MCP SDK handler, the per-request agent server, the agent's key check; no write, no upstream",
      call: async () => {
        const { tools } = await listing.listTools(undefined, { cacheMode: "bypass" })
        if (!tools.some((t) => t.name === "up__echo")) throw new Error("tools/list lost up__echo")
      }
    },
    {
      name: "tools/call, unknown tool",
      what: "+ the run recorded (RecordRun: 1 transaction, 4 events); denied, no upstream",
      call: async () => {
        const result = await refused.callTool({ name: "up__missing", arguments: { text: "x" } })
        if (!result.isError) throw new Error("a call to an unknown tool was not refused")
      }
    }
  ])
  await Promise.allSettled([listing.close(), refused.close()])
  const profile = [...setupProfile, ...(await profileLayers(hop, upstreamLayers(hop)))]
  results["test upstream"] = { ...compared, profile, d1: await measureD1(hop, compared) }
  printHop("test upstream", results["test upstream"])

  // What the upstream saw: every echo sent, on every path, and nothing else.
  expect((await docked.upstreamCalls()).echo).toBe(echoesSent())
}, 600_000)

it("the hop against server-everything (2025-era sessions, SSE answers)", async () => {
  const hop = hops["server-everything"]!
  const compared = await compareHop(hop)
  const profile = await profileLayers(hop, upstreamLayers(hop))
  results["server-everything"] = { ...compared, profile, d1: await measureD1(hop, compared) }
  printHop("server-everything", results["server-everything"])
}, 600_000)

it("issue 22's targets, each within this run", ({ task }) => {
  const measured = Object.entries(results) as Array<[UpstreamKind, HopResult]>
  expect(measured.map(([kind]) => kind)).toEqual(["test upstream", "server-everything"])
  const rows = measured.flatMap(([kind, hop]) => {
    const { latency, throughput, measures, pass } = hop
    const cpu = throughput.cpuMsPerCall
    const rate = throughput.callsPerSecond
    return [
      [
        kind,
        `Berth calls/s at ${CONCURRENCY} ÷ recording floor's`,
        `${formatRate(rate.berth)} / ${formatRate(rate.floor)}`,
        measures.callsPerSecondOverFloor.toFixed(2),
        `≥ ${TARGETS.callsPerSecondOverFloor}`,
        verdict(pass.callsPerSecondOverFloor)
      ],
      [
        kind,
        "Berth p50 − recording floor p50",
        `${fmtMs(latency.berth.p50)} − ${fmtMs(latency.floor.p50)} ms`,
        `${fmtMs(measures.p50OverFloorMs)} ms`,
        `≤ ${TARGETS.p50OverFloorMs} ms`,
        verdict(pass.p50OverFloorMs)
      ],
      [
        kind,
        "plane CPU/call ÷ relay floor's",
        `${fmtMs(cpu.plane)} / ${fmtMs(cpu.relay)} ms`,
        `${measures.cpuOverFloor.toFixed(2)}x`,
        `≤ ${TARGETS.cpuOverFloor}x`,
        verdict(pass.cpuOverFloor)
      ],
      [
        kind,
        `Berth calls/s at ${CONCURRENCY} ÷ peer gateway's`,
        `${formatRate(rate.berth)} / ${formatRate(rate.peer)}`,
        measures.callsPerSecondOverPeer.toFixed(2),
        `≥ ${TARGETS.callsPerSecondOverPeer}`,
        verdict(pass.callsPerSecondOverPeer)
      ],
      [kind, "(for reference) Berth p50 vs peer's", `${fmtMs(latency.berth.p50)} / ${fmtMs(latency.peer.p50)} ms`, (latency.berth.p50 / latency.peer.p50).toFixed(2), "", ""]
    ]
  })
  console.log(["", "Issue 22's targets, each a ratio within this run", table(["upstream", "measure", "measured", "ratio", "target", ""], rows), ""].join("\n"))

  // The SDK floor beside the relay floor: what speaking MCP costs here, and what Berth adds beyond it.
  const sdkRows = measured.flatMap(([kind, { latency, throughput, sdkFloor }]) => {
    const cpu = throughput.cpuMsPerCall
    const rate = throughput.callsPerSecond
    return [
      [kind, `calls/s at ${CONCURRENCY}`, `${formatRate(rate.sdkFloor)} / ${formatRate(rate.floor)}`, sdkFloor.callsPerSecondOverFloor.toFixed(2), `${formatRate(rate.berth)} / ${formatRate(rate.sdkFloor)}`, sdkFloor.berthCallsPerSecondOverIt.toFixed(2)],
      [kind, "p50, difference", `${fmtMs(latency.sdkFloor.p50)} − ${fmtMs(latency.floor.p50)} ms`, `${fmtMs(sdkFloor.p50OverFloorMs)} ms`, `${fmtMs(latency.berth.p50)} − ${fmtMs(latency.sdkFloor.p50)} ms`, `${fmtMs(sdkFloor.berthP50OverItMs)} ms`],
      [kind, "CPU per call", `${fmtMs(cpu.sdkFloor)} / ${fmtMs(cpu.relay)} ms`, `${sdkFloor.cpuOverFloor.toFixed(2)}x`, `${fmtMs(cpu.plane)} / ${fmtMs(cpu.sdkFloor)} ms`, `${sdkFloor.berthCpuOverIt.toFixed(2)}x`]
    ]
  })
  console.log(
    [
      "The SDK floor (MCP through the SDK in the relay's object, the same two writes): what speaking MCP costs here, and Berth beyond it",
      table(["upstream", "measure", "SDK floor vs relay floor", "ratio", "Berth vs SDK floor", "ratio"], sdkRows),
      ""
    ].join("\n")
  )

  const ingress = setupProfile.find((p) => p.name === "GET /healthz")!
  const testHop = results["test upstream"]!
  const byName = (name: string) => testHop.profile.find((p) => p.name === name)!
  task.meta.berthBench = {
    name: "mcp-hop",
    setup: {
      warmupCalls: WARMUP_CALLS,
      latencyBlocks: LATENCY_BLOCKS,
      blockCalls: BLOCK_CALLS,
      concurrency: CONCURRENCY,
      throughputCalls: THROUGHPUT_CALLS,
      throughputRepeats: THROUGHPUT_REPEATS,
      paths: LABEL
    },
    targets: TARGETS,
    pass: Object.fromEntries(measured.map(([kind, hop]) => [kind, hop.pass])),
    floors: {
      ingressP50Ms: ingress.p50,
      ingressCallsPerSecond: ingress.callsPerSecond,
      objectHopP50Ms: byName("POST /w/{ws}/mcp, unknown key").p50,
      devIngressP50Ms: byName("GET /healthz, dev ingress").p50,
      devIngressCallsPerSecond: byName("GET /healthz, dev ingress").callsPerSecond
    },
    upstreams: Object.fromEntries(measured)
  }
})
