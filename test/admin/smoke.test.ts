import { expect, it } from "vitest"
import { ok, rpc } from "./rpc-client.ts"

it("runs the admin flow", { timeout: 30000 }, async () => {
  console.log("t0")
  await ok({ _tag: "CreateWorkspace", workspace: "acme" })
  const reg = await ok({ _tag: "RegisterAgent", workspace: "acme", agent: "bot" })
  expect(reg.key).toMatch(/^berth_/)
  await ok({ _tag: "InstallPlugin", workspace: "acme", plugin: "gh", url: "https://x.test/mcp", transport: "streamable-http", auth: "none" })
  await ok({ _tag: "SetPolicy", workspace: "acme", policy: "p", text: "permit(principal, action, resource);" })
  const ev = await ok({ _tag: "ListEvents", workspace: "acme" })
  expect(ev.events.map((e: any) => e.type)).toEqual(["WorkspaceCreated", "AgentRegistered", "PluginInstalled", "PolicySet"])
  const v = await ok({ _tag: "VerifyLog", workspace: "acme" })
  expect(v).toMatchObject({ ok: true, count: 4 })
  const bad = await rpc({ _tag: "RegisterAgent", workspace: "acme", agent: "no spaces" })
  console.log(bad)
  const ws = await ok({ _tag: "ListWorkspaces" })
  console.log(ws, await ok({ _tag: "GetState", workspace: "acme", at: 2 }))
})
