// The latency and throughput one Berth hop adds to `tools/call`: a real plane (wrangler's workerd)
// relaying to the real test upstream, against the same upstream called directly, in the same run,
// with the pooled upstream client warm. Then the same request cut down layer by layer, to see where
// the time goes. Prints and writes bench/results/mcp-hop.json; never asserts timings.
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import type { Client } from "@modelcontextprotocol/client"
import { afterAll, beforeAll, expect, inject, it } from "vitest"
import { type DevWorker, startDevWorker } from "../../test/node/dev-worker.ts"
import { formatRate, median, percentile, perSecond, table } from "../stats.ts"
import { type DockedPlane, dockedPlane, modernClient } from "./docked-plane.ts"
import { type Call, concurrent, echoCall, echoesSent, sequential, type Throughput, warmUpBoth } from "./load.ts"
import { cpuMeter, workerdListeningOn } from "./process-cpu.ts"

const WARMUP_CALLS = 200
const LATENCY_BLOCKS = 10
const BLOCK_CALLS = 100
const THROUGHPUT_CALLS = 1_000
const THROUGHPUT_REPEATS = 3
const CONCURRENCY = 32
const LAYER_LATENCY_CALLS = 200
const LAYER_THROUGHPUT_CALLS = 600
/** Every phase stops issuing calls at its deadline, so a slow machine shortens the run rather than hang it. */
const PHASE_LIMIT_MS = { latency: 30_000, throughput: 10_000, layer: 5_000 }

export const TARGET_P50_OVERHEAD_MS = 2
export const TARGET_CALLS_PER_SECOND = 1_000

let docked: DockedPlane
let berth: Client
let direct: Client
/** The relay floor (bench/floor-relay): a Durable Object that passes MCP requests to the upstream untouched. */
let floor: DevWorker | undefined
beforeAll(async () => {
  docked = await dockedPlane(new URL(inject("upstreamRuntimeUrl")).origin)
  berth = await modernClient(docked.endpoint, { authorization: `Bearer ${docked.key}` })
  direct = await modernClient(docked.upstreamUrl)
}, 120_000)
afterAll(async () => {
  await Promise.allSettled([berth?.close(), direct?.close()])
  await Promise.allSettled([docked?.stop(), floor?.stop()])
})

/** The echo call as this client sees the tool: namespaced through Berth, bare at the upstream. */
const echo = (client: Client, name = client === direct ? "echo" : "up__echo"): Call => echoCall(client, name)

const latencyRow = (ms: ReadonlyArray<number>) => ({ calls: ms.length, p50: percentile(ms, 50), p99: percentile(ms, 99) })
const fmtMs = (ms: number) => ms.toFixed(2)

interface CpuPerCall {
  readonly [process: string]: number
}

const cpuGroups = () => {
  const groups: Record<string, Array<number>> = {}
  const plane = workerdListeningOn(Number(new URL(docked.plane.runtimeUrl).port))
  const devProxy = workerdListeningOn(Number(new URL(docked.plane.url).port))
  const upstream = workerdListeningOn(Number(new URL(docked.upstreamUrl).port))
  if (plane !== undefined) groups.plane = [plane]
  if (devProxy !== undefined) groups.devProxy = [devProxy]
  if (upstream !== undefined) groups.upstream = [upstream]
  const relay = floor === undefined ? undefined : workerdListeningOn(Number(new URL(floor.runtimeUrl).port))
  if (relay !== undefined) groups.relay = [relay]
  return groups
}

/** A throughput run with the CPU each process spent on it, per call. */
const measuredRun = async (call: Call, count: number, limitMs: number): Promise<Throughput & { cpuMsPerCall: CpuPerCall }> => {
  const meter = cpuMeter(cpuGroups())
  const run = await concurrent(call, count, CONCURRENCY, performance.now() + limitMs)
  const cpu = meter.stop()
  return { ...run, cpuMsPerCall: Object.fromEntries(Object.entries(cpu).map(([name, ms]) => [name, ms / run.calls])) }
}

interface Layer {
  readonly name: string
  readonly what: string
  readonly call: Call
}

it("one hop: tools/call through Berth vs the upstream directly", async ({ task }) => {
  const berthEcho = echo(berth)
  const directEcho = echo(direct)

  // Warm-up: JIT on both sides, the pooled upstream client connected, connections open.
  await warmUpBoth(berthEcho, directEcho, WARMUP_CALLS, CONCURRENCY)

  // 1. Latency, one call at a time, Berth and direct alternating in blocks so drift hits both.
  const berthMs: Array<number> = []
  const directMs: Array<number> = []
  const blockOverheads: Array<number> = []
  const headBefore = await docked.head()
  const latencyDeadline = performance.now() + PHASE_LIMIT_MS.latency
  let latencyCutShort = false
  for (let block = 0; block < LATENCY_BLOCKS && !latencyCutShort; block++) {
    const viaBerth = await sequential(berthEcho, BLOCK_CALLS, latencyDeadline)
    const straight = await sequential(directEcho, BLOCK_CALLS, latencyDeadline)
    berthMs.push(...viaBerth.ms)
    directMs.push(...straight.ms)
    if (viaBerth.ms.length && straight.ms.length) blockOverheads.push(median(viaBerth.ms) - median(straight.ms))
    latencyCutShort = viaBerth.cutShort || straight.cutShort
  }
  const eventsPerCall = ((await docked.head()) - headBefore) / berthMs.length

  const latency = {
    berth: latencyRow(berthMs),
    direct: latencyRow(directMs),
    cutShort: latencyCutShort
  }
  const overhead = {
    p50: latency.berth.p50 - latency.direct.p50,
    p99: latency.berth.p99 - latency.direct.p99,
    /** The median of each block pair's p50 difference: the same figure with drift cancelled. */
    p50PerBlock: median(blockOverheads),
    ratioP50: latency.berth.p50 / latency.direct.p50,
    ratioP99: latency.berth.p99 / latency.direct.p99
  }

  // 2. Throughput with 32 calls in flight, Berth then direct, repeated.
  const throughputRuns: Array<{ berth: Awaited<ReturnType<typeof measuredRun>>; direct: Awaited<ReturnType<typeof measuredRun>> }> = []
  for (let repeat = 0; repeat < THROUGHPUT_REPEATS; repeat++) {
    throughputRuns.push({
      berth: await measuredRun(berthEcho, THROUGHPUT_CALLS, PHASE_LIMIT_MS.throughput),
      direct: await measuredRun(directEcho, THROUGHPUT_CALLS, PHASE_LIMIT_MS.throughput)
    })
  }
  const rate = (run: Throughput) => perSecond(run.calls, run.ms)
  const throughput = {
    concurrency: CONCURRENCY,
    calls: THROUGHPUT_CALLS,
    berthCallsPerSecond: median(throughputRuns.map((r) => rate(r.berth))),
    directCallsPerSecond: median(throughputRuns.map((r) => rate(r.direct))),
    ratio: median(throughputRuns.map((r) => rate(r.berth) / rate(r.direct))),
    cutShort: throughputRuns.some((r) => r.berth.cutShort || r.direct.cutShort),
    runs: throughputRuns
  }

  // 3. Where the time goes: the same endpoint with one layer added at a time.
  const listing = await modernClient(docked.endpoint, { authorization: `Bearer ${docked.key}` })
  const refused = await modernClient(docked.endpoint, { authorization: `Bearer ${docked.key}` })
  // Started only now, so its runtime is not idle beside the plane during the phases above.
  const relay = await startDevWorker({
    config: resolve(import.meta.dirname, "../floor-relay/wrangler.toml"),
    dev: { server: { hostname: "127.0.0.1", port: 0 }, inspector: false, persist: mkdtempSync(join(tmpdir(), "berth-floor-")), logLevel: "error" }
  })
  floor = relay
  const relayed = (writes: number) => modernClient(`${relay.runtimeUrl}/?to=${encodeURIComponent(docked.upstreamUrl)}&writes=${writes}`)
  const floorClients = [await relayed(0), await relayed(1), await relayed(2)] as const
  const healthz = (origin: string) => async () => {
    const response = await fetch(`${origin}/healthz`)
    await response.arrayBuffer()
    if (response.status !== 200) throw new Error(`healthz: ${response.status}`)
  }
  const layers: ReadonlyArray<Layer> = [
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
    },
    { name: "tools/call up__echo", what: "+ argument validation and the pooled upstream call (6 events): the full hop", call: berthEcho },
    { name: "tools/call echo, direct", what: "the upstream alone, called from Node (the baseline)", call: directEcho },
    {
      name: "floor: object relay",
      what: "no Berth code (bench/floor-relay): Worker → Durable Object → the upstream and back, byte for byte; no MCP, auth or records",
      call: echo(floorClients[0], "echo")
    },
    {
      name: "floor: + 1 write before dispatch",
      what: "+ one SQLite row before the request leaves, which the output gate holds it for (Berth's RunStarted)",
      call: echo(floorClients[1], "echo")
    },
    {
      name: "floor: + 1 write before, 1 after",
      what: "+ one more row before answering (Berth's FinishRun): the floor under Berth's hop",
      call: echo(floorClients[2], "echo")
    }
  ]
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
  const profile: Array<LayerResult> = []
  for (const layer of layers) {
    await sequential(layer.call, 50, Infinity)
    const head0 = await docked.head()
    const seq = await sequential(layer.call, LAYER_LATENCY_CALLS, performance.now() + PHASE_LIMIT_MS.layer)
    const events = ((await docked.head()) - head0) / seq.ms.length
    const run = await measuredRun(layer.call, LAYER_THROUGHPUT_CALLS, PHASE_LIMIT_MS.layer)
    profile.push({
      name: layer.name,
      what: layer.what,
      ...latencyRow(seq.ms),
      eventsPerCall: events,
      callsPerSecond: rate(run),
      cpuMsPerCall: run.cpuMsPerCall,
      cutShort: seq.cutShort || run.cutShort
    })
  }
  await Promise.allSettled([listing.close(), refused.close(), ...floorClients.map((c) => c.close())])
  const [devIngress, ingress, objectHop] = [profile[0]!, profile[1]!, profile[2]!]
  const byName = (name: string) => profile.find((p) => p.name === name)!
  const directLayer = byName("tools/call echo, direct")
  const berthLayer = byName("tools/call up__echo")
  const relayBoth = byName("floor: + 1 write before, 1 after")
  // What a relay in a Durable Object adds at best, measured against the same direct calls.
  const relayFloor = {
    bareP50Ms: byName("floor: object relay").p50 - directLayer.p50,
    recordBeforeP50Ms: byName("floor: + 1 write before dispatch").p50 - directLayer.p50,
    recordBothP50Ms: relayBoth.p50 - directLayer.p50,
    /** Berth's full hop over the floor that records as it does, from the same phase. */
    berthOverFloorP50Ms: berthLayer.p50 - relayBoth.p50,
    bareCallsPerSecond: byName("floor: object relay").callsPerSecond,
    directCallsPerSecond: directLayer.callsPerSecond
  }

  // What the upstream saw: every echo sent, through Berth or directly, and nothing else.
  expect((await docked.upstreamCalls()).echo).toBe(echoesSent())

  const verdict = (ok: boolean) => (ok ? "pass" : "MISS")
  const cpuCell = (cpu: CpuPerCall, name: string) => (cpu[name] === undefined ? "-" : cpu[name]!.toFixed(2))
  console.log(
    [
      "",
      `One hop: tools/call up__echo through Berth vs echo at the upstream directly (warm pool; ${berthMs.length} calls each, alternating blocks of ${BLOCK_CALLS})`,
      table(
        ["path", "p50 ms", "p99 ms"],
        [
          ["direct", fmtMs(latency.direct.p50), fmtMs(latency.direct.p99)],
          ["through Berth", fmtMs(latency.berth.p50), fmtMs(latency.berth.p99)],
          ["overhead (Berth - direct)", fmtMs(overhead.p50), fmtMs(overhead.p99)],
          ["ratio (Berth / direct)", overhead.ratioP50.toFixed(2), overhead.ratioP99.toFixed(2)]
        ]
      ),
      `p50 overhead, median of per-block differences: ${fmtMs(overhead.p50PerBlock)} ms`,
      "",
      `Throughput, ${CONCURRENCY} in flight, ${THROUGHPUT_CALLS} calls (median of ${THROUGHPUT_REPEATS})`,
      table(
        ["path", "calls/s"],
        [
          ["direct", formatRate(throughput.directCallsPerSecond)],
          ["through Berth", formatRate(throughput.berthCallsPerSecond)],
          ["ratio (Berth / direct)", throughput.ratio.toFixed(3)]
        ]
      ),
      "",
      `Run writes: ${eventsPerCall.toFixed(2)} events per call`,
      `targets: p50 overhead <= ${TARGET_P50_OVERHEAD_MS} ms (${verdict(overhead.p50 <= TARGET_P50_OVERHEAD_MS)}),` +
        ` >= ${formatRate(TARGET_CALLS_PER_SECOND)} calls/s at ${CONCURRENCY} (${verdict(throughput.berthCallsPerSecond >= TARGET_CALLS_PER_SECOND)})` +
        (latencyCutShort || throughput.cutShort ? "  [a phase hit its time limit]" : ""),
      "",
      `Where the time goes (each row adds one layer; ${LAYER_LATENCY_CALLS} sequential calls, then ${LAYER_THROUGHPUT_CALLS} at ${CONCURRENCY}; CPU ms per call at ${CONCURRENCY})`,
      table(
        ["request", "p50 ms", "p99 ms", "events", "calls/s", "plane CPU", "dev proxy CPU", "relay CPU", "upstream CPU", "client CPU"],
        profile.map((p) => [
          p.name + (p.cutShort ? " *" : ""),
          fmtMs(p.p50),
          fmtMs(p.p99),
          p.eventsPerCall.toFixed(1),
          formatRate(p.callsPerSecond),
          cpuCell(p.cpuMsPerCall, "plane"),
          cpuCell(p.cpuMsPerCall, "devProxy"),
          cpuCell(p.cpuMsPerCall, "relay"),
          cpuCell(p.cpuMsPerCall, "upstream"),
          cpuCell(p.cpuMsPerCall, "client")
        ])
      ),
      "",
      // What this plane could show at best: the ingress alone, and the Worker → object hop with it.
      `floors of this setup (no Berth work): GET /healthz ${fmtMs(ingress.p50)} ms p50 and ${formatRate(ingress.callsPerSecond)}/s at ${CONCURRENCY};` +
        ` with the Worker → object hop ${fmtMs(objectHop.p50)} ms p50` +
        (ingress.callsPerSecond < TARGET_CALLS_PER_SECOND ? ` (the ingress alone is below the ${formatRate(TARGET_CALLS_PER_SECOND)} calls/s target)` : "") +
        `; through wrangler dev's ingress instead, GET /healthz is ${fmtMs(devIngress.p50)} ms p50 and ${formatRate(devIngress.callsPerSecond)}/s`,
      // The same floor for the hop itself: what a relay that does nothing in a Durable Object adds.
      `relay floor (bench/floor-relay, no Berth code), p50 over the direct call: ${fmtMs(relayFloor.bareP50Ms)} ms relaying alone,` +
        ` ${fmtMs(relayFloor.recordBeforeP50Ms)} ms recording a row before dispatch, ${fmtMs(relayFloor.recordBothP50Ms)} ms with one after too, as Berth records` +
        (relayFloor.recordBothP50Ms > TARGET_P50_OVERHEAD_MS ? ` (above the ${TARGET_P50_OVERHEAD_MS} ms target before any MCP work)` : "") +
        `; Berth's hop is ${fmtMs(relayFloor.berthOverFloorP50Ms)} ms above that floor.` +
        ` The bare relay serves ${formatRate(relayFloor.bareCallsPerSecond)} calls/s at ${CONCURRENCY}` +
        (relayFloor.bareCallsPerSecond < TARGET_CALLS_PER_SECOND ? ` (below the ${formatRate(TARGET_CALLS_PER_SECOND)} calls/s target with no Berth code)` : "") +
        `; the upstream alone serves ${formatRate(relayFloor.directCallsPerSecond)} calls/s at ${CONCURRENCY}` +
        (relayFloor.directCallsPerSecond < TARGET_CALLS_PER_SECOND ? ` (below the ${formatRate(TARGET_CALLS_PER_SECOND)} calls/s target, which no hop in front of it can beat)` : ""),
      ""
    ].join("\n")
  )

  task.meta.berthBench = {
    name: "mcp-hop",
    setup: {
      warmupCalls: WARMUP_CALLS,
      latencyBlocks: LATENCY_BLOCKS,
      blockCalls: BLOCK_CALLS,
      concurrency: CONCURRENCY,
      throughputCalls: THROUGHPUT_CALLS,
      throughputRepeats: THROUGHPUT_REPEATS
    },
    targets: { p50OverheadMs: TARGET_P50_OVERHEAD_MS, callsPerSecond: TARGET_CALLS_PER_SECOND },
    floors: {
      ingressP50Ms: ingress.p50,
      ingressCallsPerSecond: ingress.callsPerSecond,
      objectHopP50Ms: objectHop.p50,
      devIngressP50Ms: devIngress.p50,
      devIngressCallsPerSecond: devIngress.callsPerSecond,
      relay: relayFloor
    },
    pass: {
      p50Overhead: overhead.p50 <= TARGET_P50_OVERHEAD_MS,
      callsPerSecond: throughput.berthCallsPerSecond >= TARGET_CALLS_PER_SECOND
    },
    latency,
    overhead,
    throughput,
    eventsPerCall,
    profile
  }
})
