// What the workspace-directory gate adds to the MCP hop (issue 16): the Worker's fetch handler for a
// tools/call, the lookup answered from the isolate's cache, against the same request handed
// straight to the workspace's object, in the same run and alternating; plus the lookup alone,
// cached and missed. Prints and writes bench/results/directory-gate.json; asserts outcomes, never timings.
import { createExecutionContext } from "cloudflare:test"
import { env } from "cloudflare:workers"
import { expect, it } from "vitest"
import type { Env } from "../src/env.ts"
import { directHop, gatedHop, type Hop, mintAgentKey, workspaceExists } from "./directory-gate-workload.ts"
import { median, table } from "./stats.ts"

const SLUG = "bench-gate"
const WARMUP_CALLS = 200
const REPEATS = 40
const BLOCK_CALLS = 25
const CACHED_LOOKUPS = 100_000
const MISSED_LOOKUPS = 500

const admin = { actor: { type: "admin", id: "bench" } } as const

const timed = async (work: () => Promise<unknown>) => {
  const t0 = performance.now()
  await work()
  return performance.now() - t0
}

it("directory gate: the MCP hop with the cached lookup, against the hop without it", async ({ task }) => {
  const bindings = env as unknown as Env
  const stub = bindings.WORKSPACE.getByName(SLUG)
  const minted = mintAgentKey(SLUG)
  expect(await stub.execute({ _tag: "CreateWorkspace", workspace: SLUG }, admin)).toMatchObject({ ok: true })
  expect(await stub.execute({ _tag: "RegisterAgent", agent: "bot", keyHash: minted.keyHash, keyPrefix: minted.keyPrefix }, admin)).toMatchObject({
    ok: true
  })

  // A tools/call for a tool the workspace does not have: authenticated, authorized, refused and
  // recorded as a denied run (one append), with no upstream in the way, so the gate's share of it
  // is larger than of a relayed call.
  let id = 0
  const ctx = createExecutionContext()
  const call = (hop: Hop) => async () => {
    const request = new Request(`http://localhost/w/${SLUG}/mcp`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream", authorization: `Bearer ${minted.key}` },
      body: JSON.stringify({ jsonrpc: "2.0", id: ++id, method: "tools/call", params: { name: "up__echo", arguments: { text: "hi" } } })
    })
    const response = await hop(request, bindings, ctx, SLUG)
    const text = await response.text()
    if (response.status !== 200 || !text.includes('"isError":true')) throw new Error(`unexpected answer: ${response.status} ${text}`)
  }
  const block = (hop: Hop) => timed(async () => {
    for (let i = 0; i < BLOCK_CALLS; i++) await call(hop)()
  })

  for (let i = 0; i < WARMUP_CALLS; i++) {
    await call(gatedHop)()
    await call(directHop)()
  }
  const gatedMs: Array<number> = []
  const directMs: Array<number> = []
  const ratios: Array<number> = []
  for (let r = 0; r < REPEATS; r++) {
    // Alternate which goes first, so drift within a repeat does not favour either.
    const first = r % 2 === 0 ? gatedHop : directHop
    const a = await block(first)
    const b = await block(first === gatedHop ? directHop : gatedHop)
    const [g, d] = first === gatedHop ? [a, b] : [b, a]
    gatedMs.push(g / BLOCK_CALLS)
    directMs.push(d / BLOCK_CALLS)
    ratios.push(g / d)
  }

  // The lookup alone: from the isolate's cache (every request after a workspace's first), and a miss,
  // which asks KV every time (here the local KV; on Cloudflare, KV's edge cache after the first).
  expect(await workspaceExists(bindings, SLUG)).toBe(true)
  const cachedMs = await timed(async () => {
    for (let i = 0; i < CACHED_LOOKUPS; i++) await workspaceExists(bindings, SLUG)
  })
  let found = 0
  const missedMs = await timed(async () => {
    for (let i = 0; i < MISSED_LOOKUPS; i++) if (await workspaceExists(bindings, `bench-stranger-${i}`)) found++
  })
  expect(found).toBe(0)

  const results = {
    gatedHopMs: median(gatedMs),
    directHopMs: median(directMs),
    ratio: median(ratios),
    cachedLookupUs: (cachedMs * 1000) / CACHED_LOOKUPS,
    missedLookupUs: (missedMs * 1000) / MISSED_LOOKUPS
  }
  const lookupShare = results.cachedLookupUs / 1000 / results.gatedHopMs
  console.log(
    table(
      ["row", "value"],
      [
        ["hop, through the Worker's fetch handler, gate cached (ms/call, median of repeats)", results.gatedHopMs.toFixed(3)],
        ["hop, straight to the object (ms/call)", results.directHopMs.toFixed(3)],
        ["ratio gated / direct (median of paired repeats)", results.ratio.toFixed(3)],
        ["workspaceExists, cached (µs/call)", results.cachedLookupUs.toFixed(3)],
        ["cached lookup as a share of the gated hop", `${(lookupShare * 100).toFixed(4)}%`],
        ["workspaceExists, unknown slug, local KV (µs/call)", results.missedLookupUs.toFixed(1)]
      ]
    )
  )
  task.meta.berthBench = {
    name: "directory-gate",
    setup: { warmupCalls: WARMUP_CALLS, repeats: REPEATS, blockCalls: BLOCK_CALLS, cachedLookups: CACHED_LOOKUPS, missedLookups: MISSED_LOOKUPS },
    ...results,
    lookupShareOfHop: lookupShare,
    repeats: { gatedMs, directMs, ratios }
  }
})
