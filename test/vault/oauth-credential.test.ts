// The OAuth credential kind end to end, against the OAuth test upstream (test/mcp/oauth-upstream: a
// real workers-oauth-provider authorization server in front of an MCP server). Berth is the OAuth
// client: the plugin is installed before it can be discovered, `credential connect` starts the SDK's
// auth() flow, consent is driven over HTTP the way that server's own tests do, the callback lands on
// the plane, a granted agent calls tools, an ungranted one is refused as a recorded run, a short-lived
// token is refreshed without the agent noticing (ahead of expiry, and once more on a 401), a revoked
// grant marks the credential expired, and no token or client secret is anywhere the plane keeps things.
import type { CallToolResult } from "@modelcontextprotocol/client"
import { SELF } from "cloudflare:test"
import { env } from "cloudflare:workers"
import { describe, expect, it } from "vitest"
import { TOKEN } from "../admin/rpc-client.ts"
import { mcpClient } from "../mcp/berth-client.ts"
import { oauthUpstream } from "../mcp/oauth-upstream/control.ts"
import { memberCookie, memberToken, rpcAs } from "../oauth/oauth-flow.ts"
import { freshSlug } from "../workspace/workspace-client.ts"
import { hits, scanArchive, scanD1, scanWorkspaceSqlite } from "./secret-scan.ts"

// An https origin: the plane's callback and client metadata URLs are built from it.
const PLANE = "https://berth.test"

const rpc = async (body: unknown) => {
  const response = await SELF.fetch(`${PLANE}/admin/rpc`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${TOKEN}` },
    body: JSON.stringify(body)
  })
  return { status: response.status, body: (await response.json()) as any }
}
const ok = async (body: unknown) => {
  const { status, body: answer } = await rpc(body)
  if (status !== 200) throw new Error(`expected 200, got ${status}: ${JSON.stringify(answer)}`)
  return answer.result
}

const text = (result: unknown) => ((result as CallToolResult).content[0] as { text: string }).text
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const clientIdOf = (authorizationUrl: string) => new URL(authorizationUrl).searchParams.get("client_id")!

const upstream = oauthUpstream()

/** A workspace with agents `bot` and `other`, and the OAuth upstream installed as `gh` (undiscovered). */
const workspaceWithOAuthPlugin = async () => {
  const slug = freshSlug("oauthcred")
  await ok({ _tag: "CreateWorkspace", workspace: slug })
  const bot = (await ok({ _tag: "RegisterAgent", workspace: slug, agent: "bot" })).key as string
  const other = (await ok({ _tag: "RegisterAgent", workspace: slug, agent: "other" })).key as string
  const installed = await ok({ _tag: "InstallPlugin", workspace: slug, plugin: "gh", url: upstream.url, transport: "streamable-http", auth: "oauth" })
  return { slug, bot, other, installed }
}

/** `berth credential connect` over the admin RPC, consent over HTTP, and the browser landing on the plane. */
const connect = async (slug: string, credential: string, options: { ttl?: number; decision?: "allow" | "deny"; asToken?: string } = {}) => {
  const start = { _tag: "StartCredentialConnect", workspace: slug, credential, plugin: "gh" }
  const started = options.asToken === undefined ? await ok(start) : (await rpcAs(options.asToken, start)).body.result
  const callback = await upstream.consent(started.authorizationUrl, options)
  const landing = await SELF.fetch(callback)
  const status = await ok({ _tag: "CredentialConnectStatus", workspace: slug, connect: started.connect })
  return { started, callback, landing, page: await landing.text(), status, clientId: clientIdOf(started.authorizationUrl) }
}

const runsOf = async (slug: string) => (await ok({ _tag: "ListRuns", workspace: slug })).runs as Array<{ run: string; agent: string; status: string }>
const eventsOf = async (slug: string) => (await ok({ _tag: "ListEvents", workspace: slug, limit: 1000 })).events as Array<{ type: string; data: any; actor: any }>

describe("an OAuth-protected upstream", () => {
  it("connects, serves a granted agent, refuses an ungranted one, refreshes unseen, expires on a revoked grant, and keeps no secret anywhere", async () => {
    const answers: Array<unknown> = []
    const { slug, bot, other, installed } = await workspaceWithOAuthPlugin()
    // Installed before any credential exists: the upstream answers 401, so nothing was discovered yet.
    expect(installed.events.map((e: { type: string }) => e.type)).toEqual(["PluginInstalled"])
    expect((await ok({ _tag: "ListTools", workspace: slug })).tools).toEqual([])

    // A member starts the connect with their `berth login` token: the callback records it as theirs.
    await ok({ _tag: "AddMember", workspace: slug, member: "ada@acme.dev", role: "admin" })
    const adaToken = await memberToken("ada@acme.dev")
    const { started, landing, page, status, clientId } = await connect(slug, "gh-oauth", { ttl: 3, asToken: adaToken })
    answers.push(started, page, status)
    expect(started.redirectUri).toBe(`${PLANE}/oauth/callback/${slug}/gh`)
    expect(started.expiresAt).toEqual(expect.any(String))
    expect(landing.status).toBe(200)
    expect(page).toContain("Credential &#39;gh-oauth&#39; is connected for plugin &#39;gh&#39;")
    expect(status).toMatchObject({ status: "connected", credential: "gh-oauth", plugin: "gh" })

    const connected = (await eventsOf(slug)).find((e) => e.type === "CredentialConnected")!
    expect(connected.data).toMatchObject({ credential: "gh-oauth", plugin: "gh", kind: "oauth", fingerprint: expect.any(String) })
    expect(connected.actor).toEqual({ type: "member", id: "ada@acme.dev" })
    const listed = (await ok({ _tag: "ListCredentials", workspace: slug })).credentials
    expect(listed).toEqual([expect.objectContaining({ credential: "gh-oauth", kind: "oauth", status: "active", expiresAt: expect.any(String) })])

    await ok({ _tag: "GrantCredential", workspace: slug, credential: "gh-oauth", plugin: "gh", agents: ["bot"] })
    // Discovery uses the team grant; this grant is for one agent, so the plugin needs a team grant to refresh.
    await ok({ _tag: "GrantCredential", workspace: slug, credential: "gh-oauth", plugin: "gh" })
    const refreshed = await ok({ _tag: "RefreshPlugin", workspace: slug, plugin: "gh" })
    answers.push(refreshed)
    expect((await ok({ _tag: "ListTools", workspace: slug })).tools.map((t: { tool: string }) => t.tool).sort()).toEqual(["gh__echo", "gh__whoami"])
    await ok({ _tag: "UngrantCredential", workspace: slug, grant: (await ok({ _tag: "ListGrants", workspace: slug })).grants.find((g: { agents?: string[] }) => !g.agents).grant })

    // A granted agent calls through; the token the upstream saw was issued to Berth's client.
    const asBot = await mcpClient(slug, bot, "modern")
    const whoami = await asBot.callTool({ name: "gh__whoami", arguments: {} })
    answers.push(whoami)
    expect(whoami.isError).toBeFalsy()
    expect(text(whoami)).toBe("test-user")

    // An agent with no grant is refused before the call leaves, as a recorded denied run.
    const asOther = await mcpClient(slug, other, "modern")
    const refused = await asOther.callTool({ name: "gh__echo", arguments: { text: "nope" } })
    answers.push(refused)
    expect(refused.isError).toBe(true)
    expect(text(refused)).toContain("no credential is granted for `gh__echo`")
    expect(text(refused)).toContain("berth credential connect")
    expect((await runsOf(slug)).find((r) => r.agent === "other")).toMatchObject({ status: "denied" })

    // The token's lifetime (3 s) passes: the next call is refreshed ahead of the upstream's refusal.
    await sleep(3200)
    const later = await asBot.callTool({ name: "gh__echo", arguments: { text: "later" } })
    answers.push(later)
    expect(text(later)).toBe("later")
    const refreshes = (await eventsOf(slug)).filter((e) => e.type === "CredentialRefreshed")
    expect(refreshes.length).toBeGreaterThanOrEqual(1)
    expect(refreshes[0]!.actor).toEqual({ type: "system", id: "vault" })
    const tokenRequests = (await upstream.requests(clientId)).tokenRequests
    expect(tokenRequests.filter((t) => t.grant_type === "refresh_token" && t.status === 200).length).toBeGreaterThanOrEqual(1)

    // The upstream refuses a still-valid token once: the session refreshes and retries, unseen.
    await upstream.rejectNext(clientId)
    const retried = await asBot.callTool({ name: "gh__echo", arguments: { text: "after a 401" } })
    answers.push(retried)
    expect(retried.isError).toBeFalsy()
    expect(text(retried)).toBe("after a 401")

    // The user revokes Berth's grant at the upstream: the refresh fails, the credential is expired
    // (an event), and calls are refused with the command that reconnects it.
    expect((await upstream.revokeGrants(clientId)).revoked).toBeGreaterThan(0)
    const gone = await asBot.callTool({ name: "gh__echo", arguments: { text: "revoked" } })
    answers.push(gone)
    expect(gone.isError).toBe(true)
    expect(text(gone)).toBe(
      "Berth refused this call: credential 'gh-oauth' expired (the authorization server refused its refresh token: invalid_grant); reconnect with `berth credential connect gh-oauth --plugin gh`"
    )
    const expired = (await eventsOf(slug)).filter((e) => e.type === "CredentialExpired")
    expect(expired).toHaveLength(1)
    expect(expired[0]!.data).toEqual({ credential: "gh-oauth", reason: "the authorization server refused its refresh token: invalid_grant" })
    expect((await ok({ _tag: "ListCredentials", workspace: slug })).credentials[0].status).toBe("expired")
    const mcpBefore = (await upstream.requests(clientId)).mcp
    const stillGone = await asBot.callTool({ name: "gh__echo", arguments: { text: "again" } })
    answers.push(stillGone)
    expect(text(stillGone)).toContain("reconnect with `berth credential connect gh-oauth --plugin gh`")
    expect((await upstream.requests(clientId)).mcp).toBe(mcpBefore)
    expect((await runsOf(slug)).filter((r) => r.agent === "bot" && r.status === "denied").length).toBeGreaterThanOrEqual(1)

    // Reconnecting the same name brings it back for the same grant.
    const again = await connect(slug, "gh-oauth")
    expect(again.status.status).toBe("connected")
    expect(text(await asBot.callTool({ name: "gh__echo", arguments: { text: "back" } }))).toBe("back")
    expect((await ok({ _tag: "ListCredentials", workspace: slug })).credentials[0].status).toBe("active")

    // Revoke shreds the row; the log still verifies.
    answers.push(await ok({ _tag: "RevokeCredential", workspace: slug, credential: "gh-oauth" }))
    await asBot.close()
    await asOther.close()
    expect((await ok({ _tag: "VerifyLog", workspace: slug })).ok).toBe(true)

    // The secrets scan: every token and client secret the upstream issued to Berth's client.
    const issued = await upstream.issued(clientId)
    // ...and the plane's own: the agents' keys, the member's token and session cookie, the vault key.
    const plane = [bot, other, adaToken, (await memberCookie("ada@acme.dev")).split("=").slice(1).join("="), env.BERTH_VAULT_KEY!]
    const secrets = [...issued.accessTokens, ...issued.refreshTokens, ...issued.clientSecrets, ...plane]
    expect(issued.accessTokens.length).toBeGreaterThanOrEqual(3)
    expect(issued.refreshTokens.length).toBeGreaterThanOrEqual(2)
    expect(issued.clientSecrets).toHaveLength(1)
    expect((await scanWorkspaceSqlite(slug, secrets)).found).toEqual([])
    expect(hits(JSON.stringify(await eventsOf(slug)), secrets, "log")).toEqual([])
    expect(hits(JSON.stringify(answers), secrets, "answers")).toEqual([])
    for (const run of await runsOf(slug)) expect(hits(JSON.stringify(await ok({ _tag: "GetRun", workspace: slug, run: run.run })), secrets, "run")).toEqual([])
    await ok({ _tag: "PushReadModels", workspace: slug })
    expect((await scanD1(secrets)).found).toEqual([])
    await ok({ _tag: "SealArchive", workspace: slug })
    const archive = await scanArchive(slug, secrets)
    expect(archive.objects).toBeGreaterThan(0)
    expect(archive.found).toEqual([])
  })

  it("refuses a secretFingerprint sent without a secret, naming it (the vault fills it in), and records nothing", async () => {
    const { slug } = await workspaceWithOAuthPlugin()
    const before = (await ok({ _tag: "VerifyLog", workspace: slug })).headSeq
    const answer = await rpc({ _tag: "ConfigureOAuthClient", workspace: slug, plugin: "gh", clientId: "acme-app", authorizationServer: upstream.url, secretFingerprint: "0".repeat(32) })
    expect(answer).toMatchObject({ status: 400, body: { error: { _tag: "InvalidCommand", field: "secretFingerprint" } } })
    expect((await ok({ _tag: "VerifyLog", workspace: slug })).headSeq).toBe(before)
  })

  it("uses the team's pre-registered client (its secret sealed in the vault, never in the event)", async () => {
    const { slug, bot } = await workspaceWithOAuthPlugin()
    const app = await upstream.createClient({ redirectUris: [`${PLANE}/oauth/callback/${slug}/gh`], name: "acme's app" })
    // The authorization server is discovered from the plugin's URL when not given.
    const configured = await ok({ _tag: "ConfigureOAuthClient", workspace: slug, plugin: "gh", clientId: app.clientId, clientSecret: app.clientSecret, scopes: [] })
    const event = configured.events[0]
    expect(event.type).toBe("OAuthClientConfigured")
    expect(event.data).toMatchObject({ plugin: "gh", clientId: app.clientId, authorizationServer: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+/), secretFingerprint: expect.any(String) })
    expect((await ok({ _tag: "ListOAuthClients", workspace: slug })).clients).toEqual([expect.objectContaining({ plugin: "gh", clientId: app.clientId, secretFingerprint: expect.any(String) })])

    const { started, status } = await connect(slug, "team-app")
    expect(clientIdOf(started.authorizationUrl)).toBe(app.clientId)
    expect(status.status).toBe("connected")
    await ok({ _tag: "GrantCredential", workspace: slug, credential: "team-app", plugin: "gh" })
    await ok({ _tag: "RefreshPlugin", workspace: slug, plugin: "gh" })
    const asBot = await mcpClient(slug, bot, "legacy")
    expect(text(await asBot.callTool({ name: "gh__whoami", arguments: {} }))).toBe("test-user")
    await asBot.close()
    // The code was exchanged with the team's client and its secret.
    const exchanges = (await upstream.requests(app.clientId)).tokenRequests
    expect(exchanges).toEqual([expect.objectContaining({ grant_type: "authorization_code", client_id: app.clientId, status: 200 })])

    const issued = await upstream.issued(app.clientId)
    const secrets = [app.clientSecret!, ...issued.accessTokens, ...issued.refreshTokens]
    expect((await scanWorkspaceSqlite(slug, secrets)).found).toEqual([])
    expect(hits(JSON.stringify(await eventsOf(slug)), secrets, "log")).toEqual([])
  })

  it("a denied consent, a forged state and an unknown workspace connect nothing and append nothing", async () => {
    const { slug } = await workspaceWithOAuthPlugin()
    const before = (await eventsOf(slug)).length
    const denied = await connect(slug, "gh-oauth", { decision: "deny" })
    expect(denied.landing.status).toBe(400)
    expect(denied.page).toContain("Not connected")
    expect(denied.page).toContain("access_denied")
    expect(denied.status).toMatchObject({ status: "failed", message: expect.stringContaining("access_denied") })

    const forged = await SELF.fetch(`${PLANE}/oauth/callback/${slug}/gh?state=not-a-state&code=whatever`)
    expect(forged.status).toBe(400)
    expect(await forged.text()).toContain("does not match a connect in progress")
    // The same link replayed after it ended connects nothing either.
    const replayed = await SELF.fetch(denied.callback)
    expect(replayed.status).toBe(400)
    expect((await eventsOf(slug)).length).toBe(before)

    const stranger = await SELF.fetch(`${PLANE}/oauth/callback/no-such-workspace-${slug}/gh?state=x&code=y`)
    expect(stranger.status).toBe(404)
    expect(await ok({ _tag: "ListCredentials", workspace: slug })).toEqual({ credentials: [] })
  })

  it("a connect for an unknown connect id, or over plain http on a non-local host, is a typed refusal", async () => {
    const { slug } = await workspaceWithOAuthPlugin()
    const unknown = await rpc({ _tag: "CredentialConnectStatus", workspace: slug, connect: "c_nope" })
    expect(unknown.status).toBe(404)
    expect(unknown.body.error._tag).toBe("CredentialConnectNotFound")
    const plain = await SELF.fetch("http://berth.test/admin/rpc", {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ _tag: "StartCredentialConnect", workspace: slug, credential: "x", plugin: "gh" })
    })
    expect(plain.status).toBe(400)
    expect(((await plain.json()) as any).error._tag).toBe("PlaneOriginUnknown")
    const notOAuth = await rpc({ _tag: "StartCredentialConnect", workspace: slug, credential: "x", plugin: "missing" })
    expect(notOAuth.status).toBe(404)
  })

  it("serves Berth's client metadata document for an https plane, with the callback as its one redirect", async () => {
    const { slug } = await workspaceWithOAuthPlugin()
    const response = await SELF.fetch(`${PLANE}/oauth/clients/${slug}/gh`)
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({
      client_id: `${PLANE}/oauth/clients/${slug}/gh`,
      client_name: `Berth (${slug})`,
      redirect_uris: [`${PLANE}/oauth/callback/${slug}/gh`],
      grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"],
      token_endpoint_auth_method: "none"
    })
    expect((await SELF.fetch(`${PLANE}/oauth/clients/nobody-${slug}/gh`)).status).toBe(404)
  })
})
