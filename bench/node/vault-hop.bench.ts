// What a vault credential adds to one hop: `tools/call` through a real plane to the test upstream,
// once to a plugin whose calls carry a bearer token from the vault (the upstream checks it) and once
// to the same upstream as a plugin with no credential, alternating in the same run with both pooled
// clients warm. The credential is decrypted when its client connects, so a warm call pays only the
// grant lookup and the scrubber's cached promise. Prints and writes bench/results/vault-hop.json;
// never asserts timings. Target: ≤ 1.05× the p50 of the hop without a credential.
import { randomBytes } from "node:crypto"
import type { Client } from "@modelcontextprotocol/client"
import { afterAll, beforeAll, expect, inject, it } from "vitest"
import { type DockedPlane, dockedPlane, modernClient } from "./docked-plane.ts"
import { compareCalls, echoCall, reportComparison, warmUpBoth } from "./load.ts"

const WARMUP_CALLS = 200
const LATENCY_BLOCKS = 10
const BLOCK_CALLS = 100
const THROUGHPUT_CALLS = 1_000
const THROUGHPUT_REPEATS = 3
const CONCURRENCY = 32
const PHASE_LIMIT_MS = { latency: 40_000, throughput: 10_000 }
export const TARGET_RATIO = 1.05

const TOKEN = randomBytes(24).toString("base64url")

let docked: DockedPlane
let client: Client
let vaultUpstream: URL

const adminRpc = async (body: Record<string, unknown>) => {
  const response = await fetch(`${docked.plane.runtimeUrl}/admin/rpc`, {
    method: "POST",
    headers: { authorization: `Bearer ${docked.plane.token}`, "content-type": "application/json" },
    body: JSON.stringify({ workspace: docked.workspace, ...body })
  })
  const answer = (await response.json()) as { ok: boolean; result: unknown; error?: unknown }
  if (!answer.ok) throw new Error(`admin RPC ${String(body._tag)}: ${JSON.stringify(answer.error)}`)
  return answer.result
}

beforeAll(async () => {
  const origin = new URL(inject("upstreamRuntimeUrl")).origin
  docked = await dockedPlane(origin)
  // The same upstream Worker, in a namespace that answers 401 without the token.
  vaultUpstream = new URL(`/ns/vault-${docked.workspace}/`, origin)
  await fetch(new URL("require", vaultUpstream), { method: "POST", body: JSON.stringify({ header: "authorization", value: `Bearer ${TOKEN}` }) })
  await adminRpc({ _tag: "SetCredential", credential: "bench-token", plugin: "upv", kind: "bearer", value: TOKEN })
  await adminRpc({ _tag: "GrantCredential", credential: "bench-token", plugin: "upv" })
  await adminRpc({ _tag: "InstallPlugin", plugin: "upv", url: new URL("mcp", vaultUpstream).href, transport: "streamable-http", auth: "bearer" })
  client = await modernClient(docked.endpoint, { authorization: `Bearer ${docked.key}` })
}, 120_000)
afterAll(async () => {
  await client?.close().catch(() => undefined)
  await docked?.stop()
})

it("one hop with a vault credential injected vs the same hop without one", async ({ task }) => {
  const withVault = echoCall(client, "upv__echo")
  const without = echoCall(client, "up__echo")
  await warmUpBoth(withVault, without, WARMUP_CALLS, CONCURRENCY)
  const comparison = await compareCalls(withVault, without, {
    blocks: LATENCY_BLOCKS,
    blockCalls: BLOCK_CALLS,
    latencyMs: PHASE_LIMIT_MS.latency,
    throughputCalls: THROUGHPUT_CALLS,
    throughputRepeats: THROUGHPUT_REPEATS,
    throughputMs: PHASE_LIMIT_MS.throughput,
    concurrency: CONCURRENCY
  })

  // Every credentialed call reached the upstream with the token (it answers 401 otherwise).
  const calls = (await (await fetch(new URL("calls", vaultUpstream))).json()) as Record<string, number>
  expect(calls.echo).toBeGreaterThan(0)

  task.meta.berthBench = reportComparison(comparison, {
    name: "vault-hop",
    target: TARGET_RATIO,
    concurrency: CONCURRENCY,
    a: ["vault", "with a vault credential"],
    b: ["plain", "without"]
  })
})
