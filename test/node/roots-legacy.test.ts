// Roots from an upstream that speaks only 2025 (Berth's SDK v1 conformance fixture), to agents of
// both eras. A shared 2025 session cannot say whose roots it may ask, so each agent that declared roots
// gets a session of its own upstream, which declares them; an agent that did not stays on the shared
// one, which declares none and answers roots/list itself, so that agent is never asked.
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client"
import { afterAll, beforeAll, expect, it } from "vitest"
import { startV1Fixture } from "../../bench/node/conformance/v1/fixture.ts"
import { adminRpc, startPlane } from "./plane.ts"

let plane: Awaited<ReturnType<typeof startPlane>>
let fixture: Awaited<ReturnType<typeof startV1Fixture>>
const keys: Record<string, string> = {}
beforeAll(async () => {
  ;[plane, fixture] = await Promise.all([startPlane(), startV1Fixture()])
  await adminRpc(plane, { _tag: "CreateWorkspace", workspace: "roots" })
  for (const name of ["ada", "bob", "cy", "dee"]) keys[name] = (await adminRpc(plane, { _tag: "RegisterAgent", workspace: "roots", agent: name })).key
  await adminRpc(plane, { _tag: "InstallPlugin", workspace: "roots", plugin: "v1", url: fixture.url, transport: "streamable-http", auth: "none" })
})
afterAll(async () => {
  await Promise.all([plane?.stop(), fixture?.stop()])
})

/** An agent at the plugin's mount, 2026-07-28 unless `legacy`; with `root`, it declares roots and answers with that one. */
const agent = async (name: string, root?: string, legacy = false) => {
  const client = new Client(
    { name, version: "1.0.0" },
    { capabilities: root === undefined ? {} : { roots: {} }, ...(legacy ? {} : { versionNegotiation: { mode: { pin: "2026-07-28" } } }) }
  )
  if (root !== undefined) client.setRequestHandler("roots/list", async () => ({ roots: [{ uri: root, name }] }))
  await client.connect(new StreamableHTTPClientTransport(new URL(`${plane.url}/w/roots/mcp/v1`), { requestInit: { headers: { authorization: `Bearer ${keys[name]}` } } }))
  return client
}

const listRoots = (client: Client) => client.callTool({ name: "test_input_required_result_list_roots", arguments: {} })

it("each 2026-07-28 agent that declared roots is asked for its own, on a 2025 session of its own; one that did not is never asked", async () => {
  const [ada, bob, cy] = await Promise.all([agent("ada", "file:///home/ada"), agent("bob", "file:///home/bob"), agent("cy")])
  // Side by side and one after another: a session serving two agents would hand one's roots to the other.
  const [first, second] = await Promise.all([listRoots(ada), listRoots(bob)])
  expect(first.content).toEqual([{ type: "text", text: "The client has 1 root(s): file:///home/ada" }])
  expect(second.content).toEqual([{ type: "text", text: "The client has 1 root(s): file:///home/bob" }])
  expect((await listRoots(bob)).content).toEqual([{ type: "text", text: "The client has 1 root(s): file:///home/bob" }])
  expect((await listRoots(ada)).content).toEqual([{ type: "text", text: "The client has 1 root(s): file:///home/ada" }])

  // cy declared no roots: its call goes on the shared session, which declares none and has no handler
  // for roots/list. The SDK v1 server asks anyway, and hears -32601 from Berth's client, not from cy.
  const refused = await listRoots(cy)
  expect(refused).toMatchObject({ isError: true, content: [{ type: "text", text: "MCP error -32601: Method not found" }] })

  const { runs } = await adminRpc(plane, { _tag: "ListRuns", workspace: "roots" })
  const byAgent = (name: string) => runs.filter((r: { agent: string }) => r.agent === name).map((r: { status: string }) => r.status)
  expect([byAgent("ada"), byAgent("bob"), byAgent("cy")]).toEqual([["ok", "ok"], ["ok", "ok"], ["error"]])
  await Promise.all([ada.close(), bob.close(), cy.close()])
})

it("a 2025 agent that declared roots at its initialize is asked for them on its own session, as directly", async () => {
  const dee = await agent("dee", "file:///home/dee", true)
  expect((await listRoots(dee)).content).toEqual([{ type: "text", text: "The client has 1 root(s): file:///home/dee" }])
  const { runs } = await adminRpc(plane, { _tag: "ListRuns", workspace: "roots", agent: "dee" })
  expect(runs.map((r: { status: string }) => r.status)).toEqual(["ok"])
  await dee.close()
})
