// A restarted upstream is survivable: server-everything, a real Node process, is killed and started
// again on the same port (losing every session) while a plane holds a warm client to it. The next
// call through Berth reconnects and succeeds, with no admin action.
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client"
import { afterAll, beforeAll, expect, it } from "vitest"
import { startEverything } from "../global-setup.ts"
import { adminRpc, startPlane } from "./plane.ts"

let plane: Awaited<ReturnType<typeof startPlane>>
let everything: Awaited<ReturnType<typeof startEverything>>
beforeAll(async () => {
  ;[plane, everything] = await Promise.all([startPlane(), startEverything()])
})
afterAll(async () => {
  await Promise.all([plane?.stop(), everything?.stop()])
})

const admin = (body: Record<string, unknown>) => adminRpc(plane, body)

it("reconnects to a restarted upstream on the next call", async () => {
  await admin({ _tag: "CreateWorkspace", workspace: "restart" })
  const { key } = await admin({ _tag: "RegisterAgent", workspace: "restart", agent: "bot" })
  await admin({ _tag: "InstallPlugin", workspace: "restart", plugin: "everything", url: everything.url, transport: "streamable-http", auth: "none" })

  const agent = new Client({ name: "agent", version: "1.0.0" }, { versionNegotiation: { mode: { pin: "2026-07-28" } } })
  await agent.connect(
    new StreamableHTTPClientTransport(new URL(`${plane.url}/w/restart/mcp`), { requestInit: { headers: { authorization: `Bearer ${key}` } } })
  )
  const echo = (message: string) => agent.callTool({ name: "everything__echo", arguments: { message } })
  expect(await echo("before")).toMatchObject({ content: [{ type: "text", text: "Echo: before" }] })

  const port = Number(new URL(everything.url).port)
  await everything.stop()
  everything = await startEverything(port)

  expect(await echo("after")).toMatchObject({ content: [{ type: "text", text: "Echo: after" }] })
  const { runs } = await admin({ _tag: "ListRuns", workspace: "restart" })
  expect(runs.map((r: { status: string }) => r.status)).toEqual(["ok", "ok"])
  await agent.close()
})
