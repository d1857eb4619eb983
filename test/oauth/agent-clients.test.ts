// Pre-registered OAuth clients (`berth client add`): the secret is shown once and never logged, the
// consent page says an admin registered the client, and removing it revokes what it held.
import { SELF } from "cloudflare:test"
import { describe, expect, it } from "vitest"
import { ok, rpc } from "../admin/rpc-client.ts"
import { eventCount, freshSlug } from "../workspace/workspace-client.ts"
import { answerConsent, authorizationUrl, discover, memberCookie, openConsent, ORIGIN } from "./oauth-flow.ts"

const REDIRECT = "http://127.0.0.1:33418/callback"

const workspace = async () => {
  const slug = freshSlug("clients")
  await ok({ _tag: "CreateWorkspace", workspace: slug })
  await ok({ _tag: "AddMember", workspace: slug, member: "ada@acme.dev", role: "admin" })
  return slug
}

describe("berth client add", () => {
  it("a confidential client: its secret once, a hash nowhere in the log; it docks after consent, with the secret", async () => {
    const slug = await workspace()
    const added = await ok({ _tag: "RegisterAgentClient", workspace: slug, clientName: "Ops Console", redirectUris: [REDIRECT], confidential: true })
    expect(added.clientId).toMatch(/^[A-Za-z0-9_-]{16}$/)
    expect(added.clientSecret).toMatch(/^[A-Za-z0-9_-]{32}$/)
    expect(added.events.map((e: any) => [e.type, e.data])).toEqual([
      ["AgentClientRegistered", { clientId: added.clientId, clientName: "Ops Console", redirectUris: [REDIRECT], confidential: true }]
    ])
    const { events } = await ok({ _tag: "ListEvents", workspace: slug })
    expect(JSON.stringify(events)).not.toContain(added.clientSecret)

    const { resource, metadata } = await discover(slug)
    const auth = await authorizationUrl(metadata, added.clientId, resource)
    const consent = await openConsent(auth.url, await memberCookie("ada@acme.dev"))
    expect(consent.text).toContain("It was registered in this workspace by an admin")
    const answered = await answerConsent(auth.url, consent.cookie, { handle: consent.handle!, decision: "approve", agent: consent.agent! })
    const code = new URL(answered.headers.get("location")!).searchParams.get("code")!
    const exchange = (secret: string) =>
      SELF.fetch(metadata.token_endpoint, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", authorization: `Basic ${btoa(`${added.clientId}:${secret}`)}` },
        body: new URLSearchParams({ grant_type: "authorization_code", code, redirect_uri: REDIRECT, code_verifier: auth.verifier, resource }).toString()
      })
    expect((await exchange("wrong-secret")).status).toBe(401)
    const tokens = await exchange(added.clientSecret)
    expect(tokens.status).toBe(200)
    const { access_token } = (await tokens.json()) as { access_token: string }

    // Removing the client revokes what it held.
    const removed = await ok({ _tag: "RemoveAgentClient", workspace: slug, clientId: added.clientId })
    expect(removed.events.map((e: any) => e.type)).toEqual(["AgentClientRemoved"])
    const call = await SELF.fetch(`${ORIGIN}/w/${slug}/mcp`, {
      method: "POST",
      headers: { authorization: `Bearer ${access_token}`, "content-type": "application/json", accept: "application/json, text/event-stream" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" })
    })
    expect(call.status).toBe(401)
  })

  it("a redirect URI the provider refuses is an InvalidRequest naming the field, and nothing is appended", async () => {
    const slug = await workspace()
    const before = await eventCount(slug)
    const refused = await rpc({ _tag: "RegisterAgentClient", workspace: slug, clientName: "Bad", redirectUris: ["http://example.com/cb"], confidential: false })
    expect(refused.status).toBe(400)
    expect(refused.body.error).toMatchObject({ _tag: "InvalidRequest", field: "redirectUris" })
    expect(refused.body.error.message).toContain("https, or http on a loopback host")
    const missing = await rpc({ _tag: "RemoveAgentClient", workspace: slug, clientId: "nope" })
    expect(missing.status).toBe(404)
    expect(await eventCount(slug)).toBe(before)
  })

  it("removal leaves the provider first: a viewer's is refused with the client kept, and one the provider already lost is still recorded", async () => {
    const slug = await workspace()
    const { env } = await import("cloudflare:workers")
    const { deleteAgentClient } = await import("../../src/oauth/agent-clients.ts")
    const { dispatch } = await import("../../src/admin/dispatch.ts")
    const added = await ok({ _tag: "RegisterAgentClient", workspace: slug, clientName: "Ops", redirectUris: [REDIRECT], confidential: false })
    const stored = async () => (await env.OAUTH_KV.list({ prefix: "client:" })).keys.some((k) => k.name.endsWith(added.clientId))
    expect(await stored()).toBe(true)
    await ok({ _tag: "AddMember", workspace: slug, member: "vic@acme.dev", role: "viewer" })
    const before = await eventCount(slug)
    const refused = await dispatch(env, { _tag: "RemoveAgentClient", workspace: slug, clientId: added.clientId }, { type: "member", id: "vic@acme.dev" })
    expect(refused).toMatchObject({ ok: false, error: { _tag: "Forbidden" } })
    expect(await stored()).toBe(true)
    expect(await eventCount(slug)).toBe(before)
    // A removal that deleted the client and then failed to append leaves this: gone from the provider, still in the log. Its retry finishes it.
    await deleteAgentClient(env, slug, added.clientId)
    const removed = await ok({ _tag: "RemoveAgentClient", workspace: slug, clientId: added.clientId })
    expect(removed.events.map((e: any) => e.type)).toEqual(["AgentClientRemoved"])
    expect(await stored()).toBe(false)
  })

  it("a viewer may not register a client, and no client is left behind", async () => {
    const slug = await workspace()
    await ok({ _tag: "AddMember", workspace: slug, member: "vic@acme.dev", role: "viewer" })
    const before = await eventCount(slug)
    const { env } = await import("cloudflare:workers")
    const clientsBefore = (await env.OAUTH_KV.list({ prefix: "client:" })).keys.length
    const { dispatch } = await import("../../src/admin/dispatch.ts")
    const answer = await dispatch(env, { _tag: "RegisterAgentClient", workspace: slug, clientName: "X", redirectUris: [REDIRECT] }, { type: "member", id: "vic@acme.dev" })
    expect(answer.ok).toBe(false)
    if (!answer.ok) expect(answer.error._tag).toBe("Forbidden")
    expect(await eventCount(slug)).toBe(before)
    expect((await env.OAUTH_KV.list({ prefix: "client:" })).keys.length).toBe(clientsBefore)
  })
})
