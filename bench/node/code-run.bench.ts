// Issue 19: server-side execution against the plain hop, on one plane and workspace in the same run
// (bench/node/docked-plane.ts), each path one call at a time, in alternating blocks:
// - `tools/call up__echo` over MCP: the baseline;
// - a warm `run_code` whose script returns at once (the same code every time: its isolate is loaded);
// - `run_code` of code never seen before (a fresh hash each call: the isolate's first load);
// - `run_code` whose script makes 10 `orbit.tools.call("up__echo")`, so that one orbit call's cost is
//   (that run - the warm empty run) / 10, against the same call over MCP.
// Prints and writes bench/results/code-run.json; asserts results and recording, never timings.
import type { Client } from "@modelcontextprotocol/client"
import { afterAll, beforeAll, expect, inject, it } from "vitest"
import { median, percentile, table } from "../stats.ts"
import { type DockedPlane, dockedPlane, modernClient } from "./docked-plane.ts"
import { type Call, sequential } from "./load.ts"

const WARMUP_CALLS = 50
const BLOCKS = 10
const BLOCK_CALLS = 20
const ORBIT_CALLS_PER_RUN = 10
const PHASE_LIMIT_MS = 120_000

let docked: DockedPlane
let client: Client
beforeAll(async () => {
  docked = await dockedPlane(new URL(inject("upstreamRuntimeUrl")).origin)
  const response = await fetch(`${docked.plane.runtimeUrl}/admin/rpc`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${docked.plane.token}` },
    body: JSON.stringify({ _tag: "SetPolicy", workspace: docked.workspace, policy: "code", text: 'permit(principal, action == Action::"run_code", resource);' })
  })
  expect(response.status).toBe(200)
  client = await modernClient(docked.endpoint, { authorization: `Bearer ${docked.key}` })
}, 120_000)
afterAll(async () => {
  await client?.close()
  await docked?.stop()
})

const structured = (result: unknown) => (result as { structuredContent?: any }).structuredContent

const echo: Call = async () => {
  const result = await client.callTool({ name: "up__echo", arguments: { text: "bench" } })
  if (result.isError) throw new Error("echo failed")
}

const runCode = (code: () => string, expected: unknown): Call => async () => {
  const out = structured(await client.callTool({ name: "run_code", arguments: { code: code() } }))
  if (out?.status !== "ok") throw new Error(`run_code ended ${out?.status}: ${JSON.stringify(out?.error)}`)
  expect(out.result).toEqual(expected)
}

const EMPTY = "export default async function () { return 1 }"
let fresh = 0
const LOOP = `export default async function (input, orbit) {
  for (let i = 0; i < ${ORBIT_CALLS_PER_RUN}; i++) await orbit.tools.call("up__echo", { text: "bench" })
  return ${ORBIT_CALLS_PER_RUN}
}`

const paths = {
  "tools/call up__echo (baseline)": echo,
  "run_code, warm, returns at once": runCode(() => EMPTY, 1),
  "run_code, a new code hash each call": runCode(() => `// ${Date.now()}-${fresh++}\n${EMPTY}`, 1),
  [`run_code, ${ORBIT_CALLS_PER_RUN} orbit.tools.call`]: runCode(() => LOOP, ORBIT_CALLS_PER_RUN)
} as const
type Path = keyof typeof paths

it("run_code against the plain hop: warm, first load, and orbit.tools.call against the same call over MCP", async ({ task }) => {
  const runsBefore = (await docked.runs({ limit: 1000 })).length
  const deadline = performance.now() + PHASE_LIMIT_MS
  for (const call of Object.values(paths)) for (let i = 0; i < WARMUP_CALLS / 5; i++) await call()

  const samples = Object.fromEntries(Object.keys(paths).map((p) => [p, [] as Array<number>])) as Record<Path, Array<number>>
  let cutShort = false
  const order = Object.keys(paths) as Array<Path>
  for (let b = 0; b < BLOCKS; b++) {
    // The order rotates by block, so drift spreads over every path.
    for (let k = 0; k < order.length; k++) {
      const path = order[(b + k) % order.length]!
      const block = await sequential(paths[path], BLOCK_CALLS, deadline)
      samples[path].push(...block.ms)
      cutShort ||= block.cutShort
    }
  }

  const p50 = (path: Path) => percentile(samples[path], 50)
  const base = p50("tools/call up__echo (baseline)")
  const warm = p50("run_code, warm, returns at once")
  const firstLoad = p50("run_code, a new code hash each call")
  const looped = p50(`run_code, ${ORBIT_CALLS_PER_RUN} orbit.tools.call`)
  const perOrbitCall = Math.max(0, looped - warm) / ORBIT_CALLS_PER_RUN

  // Every run_code and every orbit call was recorded as a run (of the bot).
  const runs = await docked.runs({ limit: 1000 })
  expect(runs.length).toBeGreaterThan(runsBefore)
  expect(runs.filter((r) => r.tool === "run_code").every((r) => r.status === "ok" && r.agent === "bot")).toBe(true)

  const ms = (x: number) => x.toFixed(2)
  console.log(
    [
      "",
      `run_code against the plain hop: one call at a time, ${BLOCKS} blocks of ${BLOCK_CALLS} per path, rotating order${cutShort ? " (CUT SHORT by the deadline)" : ""}`,
      table(
        ["path", "calls", "p50 ms", "p99 ms", "p50 / baseline"],
        order.map((path) => [path, String(samples[path].length), ms(p50(path)), ms(percentile(samples[path], 99)), (p50(path) / base).toFixed(2)])
      ),
      "",
      `warm run_code over tools/call: ${(warm / base).toFixed(2)}x; first load of a new code hash over a warm run: +${ms(firstLoad - warm)} ms;` +
        ` one orbit.tools.call inside a script: ${ms(perOrbitCall)} ms, against ${ms(base)} ms for the same call over MCP (${(perOrbitCall / base).toFixed(2)}x)`,
      ""
    ].join("\n")
  )

  task.meta.berthBench = {
    name: "code-run",
    setup: { warmupCalls: WARMUP_CALLS, blocks: BLOCKS, blockCalls: BLOCK_CALLS, orbitCallsPerRun: ORBIT_CALLS_PER_RUN },
    cutShort,
    p50Ms: Object.fromEntries(order.map((path) => [path, p50(path)])),
    p99Ms: Object.fromEntries(order.map((path) => [path, percentile(samples[path], 99)])),
    medianMs: Object.fromEntries(order.map((path) => [path, median(samples[path])])),
    ratios: {
      warmRunCodeOverToolsCall: warm / base,
      firstLoadOverWarm: firstLoad / warm,
      orbitToolsCallOverMcpCall: perOrbitCall / base
    },
    perOrbitCallMs: perOrbitCall
  }
})
