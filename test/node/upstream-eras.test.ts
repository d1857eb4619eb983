// Which wire Berth speaks to an upstream that offers both eras: Berth's own conformance fixture on the
// SDK v2 keeps 2025 sessions and serves 2026-07-28 statelessly, and its test_sampling pushes
// sampling/createMessage mid-call, which only its 2025 wire can do. A 2025-era agent is given a 2025
// session of its own upstream, so the push reaches it as it would directly; a 2026-07-28 agent gets
// the fixture's own 2026 answer, also as it would directly.
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client"
import { afterAll, beforeAll, expect, it } from "vitest"
import { startV2Fixture } from "../../bench/node/conformance/v2/fixture.ts"
import { adminRpc, startPlane } from "./plane.ts"

let plane: Awaited<ReturnType<typeof startPlane>>
let fixture: Awaited<ReturnType<typeof startV2Fixture>>
let key: string
beforeAll(async () => {
  ;[plane, fixture] = await Promise.all([startPlane(), startV2Fixture()])
  await adminRpc(plane, { _tag: "CreateWorkspace", workspace: "eras" })
  ;({ key } = await adminRpc(plane, { _tag: "RegisterAgent", workspace: "eras", agent: "bot" }))
  await adminRpc(plane, { _tag: "InstallPlugin", workspace: "eras", plugin: "fixture", url: fixture.url, transport: "streamable-http", auth: "none" })
})
afterAll(async () => {
  await Promise.all([plane?.stop(), fixture?.stop()])
})

const agent = async (era: "legacy" | "modern", url: string) => {
  const client = new Client(
    { name: "agent", version: "1.0.0" },
    { capabilities: { sampling: {} }, ...(era === "modern" ? { versionNegotiation: { mode: { pin: "2026-07-28" } } } : {}) }
  )
  client.setRequestHandler("sampling/createMessage", async () => ({ model: "agent-model", role: "assistant", content: { type: "text", text: "from the agent" } }))
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { authorization: `Bearer ${key}` } } }))
  return client
}

const sample = (client: Client) => client.callTool({ name: "test_sampling", arguments: { prompt: "hi" } })

it("a 2025 agent's mid-call sampling from an upstream that pushes it on its 2025 session reaches the agent, at the mount as directly", async () => {
  const [direct, mounted] = await Promise.all([agent("legacy", fixture.url), agent("legacy", `${plane.url}/w/eras/mcp/fixture`)])
  const expected = { content: [{ type: "text", text: "LLM response: from the agent" }] }
  expect(await sample(direct)).toMatchObject(expected)
  expect(await sample(mounted)).toMatchObject(expected)
  // And at the workspace endpoint, under Berth's name for the tool.
  const whole = await agent("legacy", `${plane.url}/w/eras/mcp`)
  expect(await whole.callTool({ name: "fixture__test_sampling", arguments: { prompt: "hi" } })).toMatchObject(expected)
  const { runs } = await adminRpc(plane, { _tag: "ListRuns", workspace: "eras" })
  expect(runs.map((r: { tool: string; status: string }) => [r.tool, r.status])).toEqual([
    ["fixture__test_sampling", "ok"],
    ["fixture__test_sampling", "ok"]
  ])
  await Promise.all([direct.close(), mounted.close(), whole.close()])
})

it("a 2026-07-28 agent gets what the upstream's 2026 wire answers, through the mount as directly", async () => {
  const [direct, mounted] = await Promise.all([agent("modern", fixture.url), agent("modern", `${plane.url}/w/eras/mcp/fixture`)])
  const [fromDirect, fromBerth] = await Promise.all([sample(direct), sample(mounted)])
  expect(fromBerth.content).toEqual(fromDirect.content)
  await Promise.all([direct.close(), mounted.close()])
})

it("a 2025 agent that declared roots is asked for them mid-call on a 2025 session of its own, at the mount as directly", async () => {
  const withRoots = async (url: string) => {
    const client = new Client({ name: "agent", version: "1.0.0" }, { capabilities: { roots: {} } })
    client.setRequestHandler("roots/list", async () => ({ roots: [{ uri: "file:///home/agent", name: "home" }] }))
    await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { authorization: `Bearer ${key}` } } }))
    return client
  }
  const [direct, mounted] = await Promise.all([withRoots(fixture.url), withRoots(`${plane.url}/w/eras/mcp/fixture`)])
  const roots = (client: Client) => client.callTool({ name: "test_input_required_result_list_roots", arguments: {} })
  const expected = [{ type: "text", text: "The client has 1 root(s): file:///home/agent" }]
  expect((await roots(direct)).content).toEqual(expected)
  expect((await roots(mounted)).content).toEqual(expected)
  await Promise.all([direct.close(), mounted.close()])
})
