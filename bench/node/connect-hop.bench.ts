// What `berth connect` adds to a tool call: `tools/call` from the SDK's stdio client through the
// adapter (a child process relaying stdio to the hosted endpoint over HTTP) against the same call
// from the SDK's HTTP client straight to the endpoint, alternating in the same run, both on MCP
// 2026-07-28, against the same plane, workspace, agent key and upstream. Prints and writes
// bench/results/connect-hop.json; never asserts timings. Target: at most 1.2x at p50.
import { resolve } from "node:path"
import { Client } from "@modelcontextprotocol/client"
import { StdioClientTransport } from "@modelcontextprotocol/client/stdio"
import { afterAll, beforeAll, inject, it } from "vitest"
import { median, percentile, table } from "../stats.ts"
import { type DockedPlane, dockedPlane, modernClient } from "./docked-plane.ts"
import { compareCalls, echoCall, warmUpBoth } from "./load.ts"

const WARMUP_CALLS = 200
const LATENCY_BLOCKS = 10
const BLOCK_CALLS = 100
const THROUGHPUT_CALLS = 1_000
const THROUGHPUT_REPEATS = 3
const CONCURRENCY = 32
const PHASE_LIMIT_MS = { latency: 40_000, throughput: 10_000 }
export const TARGET_RATIO = 1.2

let docked: DockedPlane
let http: Client
let stdio: Client
beforeAll(async () => {
  docked = await dockedPlane(new URL(inject("upstreamRuntimeUrl")).origin)
  http = await modernClient(docked.endpoint, { authorization: `Bearer ${docked.key}` })
  // The adapter as a client runs it: its own process, the project's Node, the bin.
  stdio = new Client({ name: "berth-bench-agent", version: "1.0.0" }, { versionNegotiation: { mode: { pin: "2026-07-28" } } })
  await stdio.connect(
    new StdioClientTransport({
      command: process.execPath,
      args: [resolve(import.meta.dirname, "../../bin/berth.js"), "-w", docked.workspace, "connect"],
      env: { BERTH_URL: docked.plane.runtimeUrl, BERTH_AGENT_KEY: docked.key },
      stderr: "ignore"
    })
  )
}, 120_000)
afterAll(async () => {
  await Promise.allSettled([http?.close(), stdio?.close()])
  await docked?.stop()
})

it("tools/call through berth connect vs the same call over HTTP to Berth", async ({ task }) => {
  const viaConnect = echoCall(stdio)
  const viaHttp = echoCall(http)
  await warmUpBoth(viaConnect, viaHttp, WARMUP_CALLS, CONCURRENCY)
  const { ms, blockRatios, cutShort, throughputRuns: runs } = await compareCalls(viaConnect, viaHttp, {
    blocks: LATENCY_BLOCKS,
    blockCalls: BLOCK_CALLS,
    latencyMs: PHASE_LIMIT_MS.latency,
    throughputCalls: THROUGHPUT_CALLS,
    throughputRepeats: THROUGHPUT_REPEATS,
    throughputMs: PHASE_LIMIT_MS.throughput,
    concurrency: CONCURRENCY
  })
  const throughputRuns = runs.map((r) => ({ connect: r.a, http: r.b }))
  const [connectMs, httpMs] = [ms.a, ms.b]

  const latency = {
    connect: { calls: connectMs.length, p50: percentile(connectMs, 50), p99: percentile(connectMs, 99) },
    http: { calls: httpMs.length, p50: percentile(httpMs, 50), p99: percentile(httpMs, 99) },
    cutShort
  }
  const ratio = {
    p50: latency.connect.p50 / latency.http.p50,
    p99: latency.connect.p99 / latency.http.p99,
    p50PerBlock: median(blockRatios),
    throughput: median(throughputRuns.map((r) => r.http / r.connect))
  }
  console.log(
    table(
      ["", "p50 ms", "p99 ms", "calls/s (32 in flight)"],
      [
        ["stdio → berth connect → Berth", latency.connect.p50.toFixed(2), latency.connect.p99.toFixed(2), median(throughputRuns.map((r) => r.connect)).toFixed(0)],
        ["HTTP → Berth", latency.http.p50.toFixed(2), latency.http.p99.toFixed(2), median(throughputRuns.map((r) => r.http)).toFixed(0)],
        [`ratio (target ≤ ${TARGET_RATIO} at p50)`, ratio.p50.toFixed(3), ratio.p99.toFixed(3), `${ratio.throughput.toFixed(3)} (time per call)`]
      ]
    )
  )
  task.meta.berthBench = { name: "connect-hop", target: TARGET_RATIO, latency, ratio, throughput: { concurrency: CONCURRENCY, runs: throughputRuns } }
})
