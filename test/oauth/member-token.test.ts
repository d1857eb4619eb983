// Members act through the admin RPC with the token `berth login` gets from the plane's own
// authorization server: their role in the workspace decides, at every request, and the events they
// cause name them.
import { describe, expect, it } from "vitest"
import { ok } from "../admin/rpc-client.ts"
import { testUpstream } from "../mcp/upstream/control.ts"
import { eventCount, freshSlug } from "../workspace/workspace-client.ts"
import { memberToken, rpcAs } from "./oauth-flow.ts"

describe("a member's CLI token", () => {
  it("must carry the member scope: one granted only offline_access is refused as no token", async () => {
    const slug = freshSlug("members")
    await ok({ _tag: "CreateWorkspace", workspace: slug })
    await ok({ _tag: "AddMember", workspace: slug, member: "ada@acme.dev", role: "admin" })
    const refreshOnly = await memberToken("ada@acme.dev", "offline_access")
    expect((await rpcAs(refreshOnly, { _tag: "ListEvents", workspace: slug })).status).toBe(401)
    expect((await rpcAs(await memberToken("ada@acme.dev"), { _tag: "ListEvents", workspace: slug })).status).toBe(200)
  })

  it("a viewer's plugin install is Forbidden and appends nothing; an admin's succeeds as that member; a removed member is refused at once", async () => {
    const slug = freshSlug("members")
    await ok({ _tag: "CreateWorkspace", workspace: slug })
    await ok({ _tag: "AddMember", workspace: slug, member: "vic@acme.dev", role: "viewer" })
    await ok({ _tag: "AddMember", workspace: slug, member: "ada@acme.dev", role: "admin" })
    const [viewer, admin] = [await memberToken("vic@acme.dev"), await memberToken("ada@acme.dev")]
    const install = { _tag: "InstallPlugin", workspace: slug, plugin: "up", url: testUpstream().url, transport: "streamable-http", auth: "none" }

    const before = await eventCount(slug)
    const refused = await rpcAs(viewer, install)
    expect(refused.status).toBe(403)
    expect(refused.body.error).toMatchObject({ _tag: "Forbidden", needs: "admin", member: "vic@acme.dev", role: "viewer" })
    expect(refused.body.error.message).toContain("admin")
    expect(await eventCount(slug)).toBe(before)
    // Reading is a viewer's right.
    expect((await rpcAs(viewer, { _tag: "ListEvents", workspace: slug })).status).toBe(200)

    const installed = await rpcAs(admin, install)
    expect(installed.status).toBe(200)
    const { events } = await ok({ _tag: "ListEvents", workspace: slug, from: before + 1 })
    expect(events[0]).toMatchObject({ type: "PluginInstalled", data: { plugin: "up" } })
    for (const e of events) expect(e.actor).toEqual({ type: "member", id: "ada@acme.dev" })

    await ok({ _tag: "RemoveMember", workspace: slug, member: "ada@acme.dev" })
    const gone = await rpcAs(admin, { _tag: "ListEvents", workspace: slug })
    expect(gone.status).toBe(403)
    expect(gone.body.error).toMatchObject({ _tag: "Forbidden", member: "ada@acme.dev", role: null })

    const who = await rpcAs(viewer, { _tag: "WhoAmI", workspace: slug })
    expect(who.body.result).toMatchObject({ actor: { type: "member", id: "vic@acme.dev" }, role: "viewer" })
  })

  it("is no agent token: it is refused at a workspace's MCP endpoint", async () => {
    const slug = freshSlug("members")
    await ok({ _tag: "CreateWorkspace", workspace: slug })
    await ok({ _tag: "AddMember", workspace: slug, member: "ada@acme.dev", role: "owner" })
    const token = await memberToken("ada@acme.dev")
    const { SELF } = await import("cloudflare:test")
    const response = await SELF.fetch(`https://berth.test/w/${slug}/mcp`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json", accept: "application/json, text/event-stream" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" })
    })
    expect(response.status).toBe(401)
  })
})
