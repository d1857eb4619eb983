// Agents dock with OAuth 2.1: from the endpoint's 401 to a tool call, with the member's consent as
// the workspace's say, and the token bound to its workspace's endpoint alone (RFC 8707).
import { SELF } from "cloudflare:test"
import { describe, expect, it } from "vitest"
import { ok, rpc } from "../admin/rpc-client.ts"
import { testUpstream } from "../mcp/upstream/control.ts"
import { eventCount, freshSlug } from "../workspace/workspace-client.ts"
import { answerConsent, authorizationUrl, discover, dockWithOAuth, memberCookie, openConsent, ORIGIN, register } from "./oauth-flow.ts"

const endpoint = (slug: string) => `${ORIGIN}/w/${slug}/mcp`

const toolsList = (slug: string, token: string) =>
  SELF.fetch(endpoint(slug), {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json", accept: "application/json, text/event-stream" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "up__echo", arguments: { text: "hi" } } })
  })

const workspaceWith = async (member: string, role: "owner" | "admin" | "viewer" = "admin") => {
  const slug = freshSlug("oauth")
  await ok({ _tag: "CreateWorkspace", workspace: slug })
  await ok({ _tag: "AddMember", workspace: slug, member, role })
  return slug
}

/** The test upstream as plugin `up`, which tells what Authorization headers reached it. */
const withUpstream = async (slug: string) => {
  const upstream = testUpstream()
  await ok({ _tag: "InstallPlugin", workspace: slug, plugin: "up", url: upstream.url, transport: "streamable-http", auth: "none" })
  return upstream
}

const events = async (slug: string) => (await ok({ _tag: "ListEvents", workspace: slug, limit: 1000 })).events as Array<any>

describe("discovery", () => {
  it("a 401 names the protected-resource metadata and the scope; the metadata names the workspace's issuer", async () => {
    const slug = await workspaceWith("ada@acme.dev")
    const refused = await SELF.fetch(endpoint(slug), { method: "POST", body: "{}" })
    expect(refused.status).toBe(401)
    expect(refused.headers.get("www-authenticate")).toBe(
      `Bearer realm="OAuth", resource_metadata="${ORIGIN}/.well-known/oauth-protected-resource/w/${slug}/mcp", scope="mcp"`
    )
    const { resource, metadata } = await discover(slug)
    expect(resource).toBe(`${ORIGIN}/w/${slug}/mcp`)
    expect(metadata).toMatchObject({
      issuer: `${ORIGIN}/w/${slug}`,
      authorization_endpoint: `${ORIGIN}/w/${slug}/authorize`,
      token_endpoint: `${ORIGIN}/w/${slug}/oauth/token`,
      registration_endpoint: `${ORIGIN}/w/${slug}/oauth/register`,
      code_challenge_methods_supported: ["S256"],
      scopes_supported: ["mcp", "offline_access"]
    })
    // A wrong agent key gets the same challenge, so a client holding a stale key can still find OAuth.
    const badKey = await SELF.fetch(endpoint(slug), { method: "POST", headers: { authorization: "Bearer berth_nope" }, body: "{}" })
    expect(badKey.status).toBe(401)
    expect(badKey.headers.get("www-authenticate")).toContain(`resource_metadata="${ORIGIN}/.well-known/oauth-protected-resource/w/${slug}/mcp"`)
  })

  it("an unknown workspace has no metadata and no authorization server (404), and wakes no object", async () => {
    for (const path of ["/.well-known/oauth-protected-resource/w/nope-nope/mcp", "/.well-known/oauth-authorization-server/w/nope-nope", "/w/nope-nope/authorize"])
      expect((await SELF.fetch(`${ORIGIN}${path}`)).status).toBe(404)
  })
})

describe("consent", () => {
  it("an admin's approval registers the client as their agent via OAuth; its token calls a tool", async () => {
    const slug = await workspaceWith("ada@acme.dev")
    const before = await eventCount(slug)
    const { agent, clientId, tokens } = await dockWithOAuth(slug, "ada@acme.dev", "Research Bot")
    expect(agent).toBe("research-bot")
    expect(tokens.scope).toBe("mcp")
    const appended = (await events(slug)).slice(before)
    expect(appended.map((e) => [e.type, e.actor])).toEqual([
      ["AgentRegistered", { type: "member", id: "ada@acme.dev" }],
      ["OAuthConsentGranted", { type: "member", id: "ada@acme.dev" }]
    ])
    expect(appended[0].data).toEqual({ agent, via: "oauth", clientId, clientName: "Research Bot", owner: "ada@acme.dev" })
    expect(appended[1].data).toEqual({ agent, clientId, member: "ada@acme.dev", scopes: ["mcp"], redirectHost: "127.0.0.1:33418" })

    // The token works at its workspace: the call is that agent's, and reaches the upstream.
    const upstream = await withUpstream(slug)
    const call = await toolsList(slug, tokens.access_token)
    expect(call.status).toBe(200)
    expect(await call.text()).toContain("echo: hi")
    const runs = (await ok({ _tag: "ListRuns", workspace: slug })).runs as Array<any>
    expect(runs.map((r) => [r.agent, r.tool, r.status])).toEqual([[agent, "up__echo", "ok"]])
    expect(await upstream.calls()).toEqual({ echo: 1 })
    // The agent's token stops at the plane: nothing Berth sent the upstream carried it, or any credential.
    const seen = await upstream.authorizations()
    expect(seen.length).toBeGreaterThan(0)
    expect(seen.every((a) => a === null)).toBe(true)
    // No secret of the flow entered the log.
    const log = JSON.stringify(await events(slug))
    expect(log).not.toContain(tokens.access_token.split(":")[2])
    expect(log).not.toContain(tokens.refresh_token!.split(":")[2])
  })

  it("a second approval by the same member reuses the agent and records the consent again", async () => {
    const slug = await workspaceWith("ada@acme.dev")
    const { resource, metadata } = await discover(slug)
    const clientId = await register(metadata, "Notes Bot")
    const approve = async () => {
      const auth = await authorizationUrl(metadata, clientId, resource)
      const consent = await openConsent(auth.url, await memberCookie("ada@acme.dev"))
      const answered = await answerConsent(auth.url, consent.cookie, { handle: consent.handle!, decision: "approve", agent: consent.agent! })
      expect(answered.status).toBe(302)
      return consent
    }
    const first = await approve()
    const second = await approve()
    expect(second.agent).toBe(first.agent)
    expect(second.text).toContain("as before")
    const types = (await events(slug)).map((e) => e.type)
    expect(types.filter((t) => t === "AgentRegistered")).toHaveLength(1)
    expect(types.filter((t) => t === "OAuthConsentGranted")).toHaveLength(2)
  })

  it("a denial is recorded and sends the client access_denied; no agent is registered", async () => {
    const slug = await workspaceWith("ada@acme.dev")
    const { resource, metadata } = await discover(slug)
    const clientId = await register(metadata, "Pushy Bot")
    const auth = await authorizationUrl(metadata, clientId, resource)
    const consent = await openConsent(auth.url, await memberCookie("ada@acme.dev"))
    const answered = await answerConsent(auth.url, consent.cookie, { handle: consent.handle!, decision: "deny" })
    expect(answered.status).toBe(302)
    const back = new URL(answered.headers.get("location")!)
    expect(back.searchParams.get("error")).toBe("access_denied")
    expect(back.searchParams.get("state")).toBe("st4te")
    const last = (await events(slug)).at(-1)
    expect(last).toMatchObject({
      type: "OAuthConsentDenied",
      actor: { type: "member", id: "ada@acme.dev" },
      data: { clientId, clientName: "Pushy Bot", member: "ada@acme.dev", redirectHost: "127.0.0.1:33418" }
    })
    expect((await ok({ _tag: "ListAgents", workspace: slug })).agents).toEqual([])
  })

  it("without a session the page sends the browser to sign in, and a viewer or a stranger may not approve", async () => {
    const slug = await workspaceWith("vic@acme.dev", "viewer")
    const { resource, metadata } = await discover(slug)
    const clientId = await register(metadata, "Any Bot")
    const auth = await authorizationUrl(metadata, clientId, resource)
    const anonymous = await openConsent(auth.url, "")
    expect(anonymous.status).toBe(302)
    expect(anonymous.location).toBe(`${ORIGIN}/auth/sign-in?return_to=${encodeURIComponent(new URL(auth.url).pathname + new URL(auth.url).search)}`)
    const before = await eventCount(slug)
    const viewer = await openConsent(auth.url, await memberCookie("vic@acme.dev"))
    expect(viewer.status).toBe(403)
    expect(viewer.handle).toBeUndefined()
    expect(viewer.text).toContain("vic@acme.dev, who is a viewer in")
    expect(viewer.text).toContain("needs the admin role")
    const stranger = await openConsent(auth.url, await memberCookie("eve@evil.example"))
    expect(stranger.status).toBe(403)
    expect(stranger.text).toContain("not a member of")
    expect(await eventCount(slug)).toBe(before)
  })

  it("the page escapes what the client chose: its name cannot write markup", async () => {
    const slug = await workspaceWith("ada@acme.dev")
    const { resource, metadata } = await discover(slug)
    const clientId = await register(metadata, `<script>alert("x")</script><img src=x onerror=alert(1)>`)
    const auth = await authorizationUrl(metadata, clientId, resource)
    const consent = await openConsent(auth.url, await memberCookie("ada@acme.dev"))
    expect(consent.status).toBe(200)
    expect(consent.text).not.toContain("<script>alert")
    expect(consent.text).not.toContain("<img src=x")
    expect(consent.text).toContain("&lt;script&gt;")
  })
})

describe("audience binding (RFC 8707)", () => {
  it("a token for one workspace is refused at another (403, recorded at home) and at the admin RPC (401)", async () => {
    const home = await workspaceWith("ada@acme.dev")
    const other = await workspaceWith("ada@acme.dev")
    const { agent, tokens } = await dockWithOAuth(home, "ada@acme.dev")
    const beforeOther = await eventCount(other)

    const abroad = await toolsList(other, tokens.access_token)
    expect(abroad.status).toBe(403)
    expect(await abroad.text()).toContain(`issued for workspace '${home}', not '${other}'`)
    expect(await eventCount(other)).toBe(beforeOther)
    const homeRuns = (await ok({ _tag: "ListRuns", workspace: home })).runs as Array<any>
    expect(homeRuns).toMatchObject([{ agent, tool: "up__echo", status: "denied" }])

    const admin = await rpc({ _tag: "ListEvents", workspace: home }, tokens.access_token)
    expect(admin.status).toBe(401)
    expect(admin.body.error._tag).toBe("Unauthorized")
  })

  it("a token granted only offline_access, not mcp, is no agent token: 401, twice (a no is never remembered)", async () => {
    const slug = await workspaceWith("ada@acme.dev")
    const { tokens } = await dockWithOAuth(slug, "ada@acme.dev", "Refresh Only", "offline_access")
    for (let i = 0; i < 2; i++) {
      const call = await SELF.fetch(endpoint(slug), {
        method: "POST",
        headers: { authorization: `Bearer ${tokens.access_token}`, "content-type": "application/json", accept: "application/json, text/event-stream" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" })
      })
      expect(call.status).toBe(401)
    }
  })

  it("an agent cannot name itself: a forged agent header with a bad token is still a 401", async () => {
    const slug = await workspaceWith("ada@acme.dev")
    await dockWithOAuth(slug, "ada@acme.dev")
    const forged = await SELF.fetch(endpoint(slug), {
      method: "POST",
      headers: { authorization: "Bearer berth_nope", "x-berth-oauth-agent": "test-agent", "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" })
    })
    expect(forged.status).toBe(401)
  })

  it("suspending the agent refuses its token at once; revoking it revokes its grant, so neither token works again", async () => {
    const slug = await workspaceWith("ada@acme.dev")
    const { agent, tokens, metadata, clientId } = await dockWithOAuth(slug, "ada@acme.dev")
    expect((await toolsList(slug, tokens.access_token)).status).toBe(200)
    await ok({ _tag: "SuspendAgent", workspace: slug, agent })
    const suspended = await toolsList(slug, tokens.access_token)
    expect(suspended.status).toBe(403)
    expect(await suspended.text()).toContain(`agent '${agent}' is suspended`)

    await ok({ _tag: "RevokeAgent", workspace: slug, agent })
    expect((await toolsList(slug, tokens.access_token)).status).toBe(401)
    const refresh = await SELF.fetch(metadata.token_endpoint, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ grant_type: "refresh_token", refresh_token: tokens.refresh_token!, client_id: clientId }).toString()
    })
    expect(refresh.status).toBe(400)
    expect(((await refresh.json()) as { error: string }).error).toBe("invalid_grant")
  })
})

describe("a plugin's own mount", () => {
  it("takes the token issued for the workspace's endpoint, as the same agent, and records the call under the workspace's tool id", async () => {
    const slug = await workspaceWith("ada@acme.dev")
    await withUpstream(slug)
    const { agent, tokens } = await dockWithOAuth(slug, "ada@acme.dev", "Mounted Bot")
    const call = await SELF.fetch(`${endpoint(slug)}/up`, {
      method: "POST",
      headers: { authorization: `Bearer ${tokens.access_token}`, "content-type": "application/json", accept: "application/json, text/event-stream" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "echo", arguments: { text: "mounted" } } })
    })
    expect(call.status).toBe(200)
    expect(await call.text()).toContain("echo: mounted")
    const { runs } = await ok({ _tag: "ListRuns", workspace: slug })
    expect(runs.map((r: { agent: string; tool: string; status: string }) => [r.agent, r.tool, r.status])).toEqual([[agent, "up__echo", "ok"]])
  })
})
