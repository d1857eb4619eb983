// What `berth connect` adds to a tool call: `tools/call` from the SDK's stdio client through the
// adapter (a child process relaying stdio to the hosted endpoint over HTTP) against the same call
// from the SDK's HTTP client straight to the endpoint, alternating in the same run, both on MCP
// 2026-07-28, against the same plane, workspace, agent key and upstream. Prints and writes
// bench/results/connect-hop.json; never asserts timings. Target: at most 1.2x at p50.
import { resolve } from "node:path"
import { Client } from "@modelcontextprotocol/client"
import { StdioClientTransport } from "@modelcontextprotocol/client/stdio"
import { afterAll, beforeAll, inject, it } from "vitest"
import { type DockedPlane, dockedPlane, modernClient } from "./docked-plane.ts"
import { compareCalls, echoCall, reportComparison, warmUpBoth } from "./load.ts"

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
  const comparison = await compareCalls(viaConnect, viaHttp, {
    blocks: LATENCY_BLOCKS,
    blockCalls: BLOCK_CALLS,
    latencyMs: PHASE_LIMIT_MS.latency,
    throughputCalls: THROUGHPUT_CALLS,
    throughputRepeats: THROUGHPUT_REPEATS,
    throughputMs: PHASE_LIMIT_MS.throughput,
    concurrency: CONCURRENCY
  })
  task.meta.berthBench = reportComparison(comparison, {
    name: "connect-hop",
    target: TARGET_RATIO,
    concurrency: CONCURRENCY,
    a: ["connect", "stdio → berth connect → Berth"],
    b: ["http", "HTTP → Berth"]
  })
})
