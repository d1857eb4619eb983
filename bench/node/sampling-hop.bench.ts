// Issue 21: a sampling round trip through Berth against the same round trip direct, as a ratio. An
// upstream tool asks the client's model (sampling/createMessage) and returns the answer; the client
// answers at once. Measured per agent era, Berth and direct alternating in the same run:
// - 2026-07-28: the call answers input_required and the client retries with the answer (directly:
//   two tools/call to the upstream; through Berth: two to the plane, which parks the upstream call
//   between them and retries it upstream with the answer);
// - 2025-11-25: the request rides the call's SSE stream and the answer comes back in a POST (directly:
//   on the upstream's session; through Berth: on the agent's session with Berth, relayed from the
//   2025 session Berth's pool keeps with the upstream, which keeps sessions).
// The upstream is bench/node/sampling-upstream.ts in a process of its own. Prints and writes
// bench/results/sampling-hop.json; never asserts timings.
import { type ChildProcess, spawn } from "node:child_process"
import { once } from "node:events"
import { resolve } from "node:path"
import { createInterface } from "node:readline"
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client"
import { afterAll, beforeAll, expect, inject, it } from "vitest"
import { adminRpc } from "../../test/node/plane.ts"
import { formatRate, median, percentile, table } from "../stats.ts"
import { type DockedPlane, dockedPlane } from "./docked-plane.ts"
import { type Call, type Comparison, compareCalls, warmUpBoth } from "./load.ts"

const WARMUP_CALLS = 200
const LATENCY_BLOCKS = 10
const BLOCK_CALLS = 100
const THROUGHPUT_CALLS = 1_000
const THROUGHPUT_REPEATS = 3
/** At most MAX_PARKED_PER_AGENT (src/mcp/parked-calls.ts): a 2026-07-28 agent's calls in flight all park at once. */
const CONCURRENCY = 32
const PHASE_LIMIT_MS = { latency: 60_000, throughput: 20_000 }

const PLUGIN = "sampler"
const ERAS = ["2026-07-28", "2025-11-25"] as const
type Era = (typeof ERAS)[number]
const HOW: Record<Era, string> = {
  "2026-07-28": "input_required, then the retry with the answer",
  "2025-11-25": "the request on the call's SSE stream, the answer in a POST"
}

/** The upstream in its own process, once it prints the URL it listens on. */
const startSamplingUpstream = async () => {
  const child: ChildProcess = spawn(process.execPath, [resolve(import.meta.dirname, "sampling-upstream.ts")], { stdio: ["ignore", "pipe", "inherit"] })
  const [line] = (await Promise.race([
    once(createInterface({ input: child.stdout! }), "line"),
    once(child, "exit").then(([code]) => Promise.reject(new Error(`the sampling upstream exited (${String(code)}) before it listened`)))
  ])) as [string]
  const { url } = JSON.parse(line) as { url: string }
  return {
    url,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return
      child.kill("SIGTERM")
      await once(child, "exit")
    }
  }
}

/**
 * fetch with a signal of its own per request, following the transport's. A 2025-era transport hands its
 * one long-lived signal to every POST, and Node's fetch leaves an abort listener on it per request until
 * the request is collected: past 1,500, Node prints a warning on every call, which would cost the client
 * time on both paths and flood the output.
 */
const ownSignal: typeof fetch = (input, init) => fetch(input, init?.signal ? { ...init, signal: AbortSignal.any([init.signal]) } : init)

/** A client of `era` calling `tool` (as it sees it) that answers every sampling request at once, counting them. */
const samplingClient = async (url: string, era: Era, tool: string, headers: Record<string, string> = {}) => {
  const client = new Client(
    { name: "berth-bench-agent", version: "1.0.0" },
    { capabilities: { sampling: {} }, versionNegotiation: { mode: era === "2026-07-28" ? { pin: era } : "legacy" } }
  )
  const counts = { sent: 0, asked: 0 }
  client.setRequestHandler("sampling/createMessage", async (request) => {
    counts.asked++
    const content = request.params.messages[0]?.content
    const first = Array.isArray(content) ? content[0] : content
    const heard = first?.type === "text" ? first.text : "(not text)"
    return { model: "bench-model", role: "assistant", content: { type: "text", text: `heard ${heard}` } }
  })
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers }, fetch: ownSignal }))
  /** One round trip, whose answer must be the one this call's own request was given. */
  const call: Call = async () => {
    const prompt = `bench ${counts.sent++}`
    const result = await client.callTool({ name: tool, arguments: { prompt } })
    const content = result.content as ReadonlyArray<{ type: string; text?: string }>
    if (result.isError || content[0]?.text !== `bench-model said: heard ${prompt}`) throw new Error(`unexpected sample result: ${JSON.stringify(result)}`)
  }
  return { client, call, counts }
}
type SamplingClient = Awaited<ReturnType<typeof samplingClient>>

let docked: DockedPlane
let upstream: Awaited<ReturnType<typeof startSamplingUpstream>>
const clients: Record<Era, { berth: SamplingClient; direct: SamplingClient }> = {} as never
beforeAll(async () => {
  docked = await dockedPlane(new URL(inject("upstreamRuntimeUrl")).origin)
  upstream = await startSamplingUpstream()
  await adminRpc(
    { url: docked.plane.runtimeUrl, token: docked.plane.token },
    { _tag: "InstallPlugin", workspace: docked.workspace, plugin: PLUGIN, url: upstream.url, transport: "streamable-http", auth: "none" }
  )
  for (const era of ERAS) {
    clients[era] = {
      berth: await samplingClient(docked.endpoint, era, `${PLUGIN}__sample`, { authorization: `Bearer ${docked.key}` }),
      direct: await samplingClient(upstream.url, era, "sample")
    }
  }
}, 120_000)
afterAll(async () => {
  await Promise.allSettled(Object.values(clients).flatMap(({ berth, direct }) => [berth.client.close(), direct.client.close()]))
  await Promise.allSettled([upstream?.stop(), docked?.stop()])
})

const latencyRow = (ms: ReadonlyArray<number>) => ({ calls: ms.length, p50: percentile(ms, 50), p95: percentile(ms, 95), p99: percentile(ms, 99) })

/** One era's comparison: `a` is Berth, `b` direct; every ratio is Berth's over direct's. */
const summarize = (comparison: Comparison, eventsPerCall: number) => {
  const [berth, direct] = [latencyRow(comparison.ms.a), latencyRow(comparison.ms.b)]
  const runs = comparison.throughputRuns
  return {
    latency: { berth, direct, cutShort: comparison.cutShort },
    throughput: {
      concurrency: CONCURRENCY,
      calls: THROUGHPUT_CALLS,
      berthCallsPerSecond: median(runs.map((r) => r.a)),
      directCallsPerSecond: median(runs.map((r) => r.b)),
      runs: runs.map((r) => ({ berth: r.a, direct: r.b }))
    },
    ratio: {
      p50: berth.p50 / direct.p50,
      p95: berth.p95 / direct.p95,
      p99: berth.p99 / direct.p99,
      /** The median of each block pair's p50 ratio: the same figure with drift cancelled. */
      p50PerBlock: median(comparison.blockRatios),
      /** The median of each repeat's pair; below 1, Berth serves fewer calls per second. */
      callsPerSecond: median(runs.map((r) => r.a / r.b))
    },
    eventsPerCall
  }
}

it("a sampling round trip through Berth vs directly, in both agent eras", async ({ task }) => {
  const results = {} as Record<Era, ReturnType<typeof summarize>>
  for (const era of ERAS) {
    const { berth, direct } = clients[era]
    const head0 = await docked.head()
    const sent0 = berth.counts.sent
    await warmUpBoth(berth.call, direct.call, WARMUP_CALLS, CONCURRENCY)
    const comparison = await compareCalls(berth.call, direct.call, {
      blocks: LATENCY_BLOCKS,
      blockCalls: BLOCK_CALLS,
      latencyMs: PHASE_LIMIT_MS.latency,
      throughputCalls: THROUGHPUT_CALLS,
      throughputRepeats: THROUGHPUT_REPEATS,
      throughputMs: PHASE_LIMIT_MS.throughput,
      concurrency: CONCURRENCY
    })
    results[era] = summarize(comparison, ((await docked.head()) - head0) / (berth.counts.sent - sent0))
  }

  // Each call asked the client exactly once, on both paths, and every call through Berth is an ok run.
  for (const era of ERAS) {
    for (const path of [clients[era].berth, clients[era].direct]) expect(path.counts.asked).toBe(path.counts.sent)
  }
  const runs = await docked.runs({ agent: "bot", limit: 1_000 })
  expect(runs).toHaveLength(1_000)
  expect(runs.every((r) => r.tool === `${PLUGIN}__sample` && r.status === "ok")).toBe(true)

  const fmt = (ms: number) => ms.toFixed(2)
  for (const era of ERAS) {
    const { latency, throughput, ratio, eventsPerCall } = results[era]
    console.log(
      [
        "",
        `Sampling round trip, agent on MCP ${era} (${HOW[era]}): ${PLUGIN}__sample through Berth vs sample at the upstream directly` +
          ` (${latency.berth.calls} calls each, alternating blocks of ${BLOCK_CALLS}; calls/s with ${CONCURRENCY} in flight, median of ${THROUGHPUT_REPEATS})`,
        table(
          ["path", "p50 ms", "p95 ms", "p99 ms", "calls/s"],
          [
            ["direct", fmt(latency.direct.p50), fmt(latency.direct.p95), fmt(latency.direct.p99), formatRate(throughput.directCallsPerSecond)],
            ["through Berth", fmt(latency.berth.p50), fmt(latency.berth.p95), fmt(latency.berth.p99), formatRate(throughput.berthCallsPerSecond)],
            ["ratio (Berth / direct)", ratio.p50.toFixed(3), ratio.p95.toFixed(3), ratio.p99.toFixed(3), ratio.callsPerSecond.toFixed(3)]
          ]
        ),
        `p50 ratio, median of per-block ratios: ${ratio.p50PerBlock.toFixed(3)}; ${eventsPerCall.toFixed(2)} events per call through Berth` +
          (latency.cutShort ? "  [the latency phase hit its time limit]" : "")
      ].join("\n")
    )
  }

  task.meta.berthBench = {
    name: "sampling-hop",
    setup: {
      upstream: "bench/node/sampling-upstream.ts (SDK v2, own process): tool `sample` asks sampling/createMessage",
      plugin: PLUGIN,
      warmupCalls: WARMUP_CALLS,
      latencyBlocks: LATENCY_BLOCKS,
      blockCalls: BLOCK_CALLS,
      concurrency: CONCURRENCY,
      throughputCalls: THROUGHPUT_CALLS,
      throughputRepeats: THROUGHPUT_REPEATS
    },
    eras: results
  }
}, 900_000)
