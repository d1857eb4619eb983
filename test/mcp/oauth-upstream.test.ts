// The OAuth test upstream (test/mcp/oauth-upstream) is a real OAuth 2.1 authorization server in front
// of a real MCP server: the SDK's own client functions discover it, register, go through its consent
// page over HTTP, exchange the code, call tools with the bearer, refresh after a short lifetime, and
// see its control routes refuse a token once and revoke grants. These prove the fixture that Berth's
// OAuth client tests stand on.
import {
  auth,
  type CallToolResult,
  Client,
  discoverAuthorizationServerMetadata,
  type OAuthClientMetadata,
  type OAuthClientProvider,
  type OAuthDiscoveryState,
  OAuthError,
  refreshAuthorization,
  type StoredOAuthClientInformation,
  type StoredOAuthTokens,
  StreamableHTTPClientTransport
} from "@modelcontextprotocol/client"
import { afterEach, describe, expect, it } from "vitest"
import { type OAuthUpstream, oauthUpstream } from "./oauth-upstream/control.ts"

// Never fetched: the tests read the upstream's redirect instead of following it.
const REDIRECT = "http://127.0.0.1:8976/oauth/callback"
const STATE = "state-of-this-test"

/** An OAuth client's storage, in memory: what Berth keeps per plugin, minus the encryption. */
class MemoryClient implements OAuthClientProvider {
  authorizationUrl: URL | undefined
  readonly invalidated: string[] = []
  #client: StoredOAuthClientInformation | undefined
  #tokens: StoredOAuthTokens | undefined
  #verifier = ""
  #discovery: OAuthDiscoveryState | undefined

  constructor(preRegistered?: StoredOAuthClientInformation) {
    this.#client = preRegistered
  }
  get redirectUrl() {
    return REDIRECT
  }
  get clientMetadata(): OAuthClientMetadata {
    // grant_types names refresh_token so that auth() adds offline_access to the scope it asks for.
    return { client_name: "Berth fixture test", redirect_uris: [REDIRECT], grant_types: ["authorization_code", "refresh_token"] }
  }
  state() {
    return STATE
  }
  clientInformation() {
    return this.#client
  }
  saveClientInformation(client: StoredOAuthClientInformation) {
    this.#client = client
  }
  tokens() {
    return this.#tokens
  }
  saveTokens(tokens: StoredOAuthTokens) {
    this.#tokens = tokens
  }
  redirectToAuthorization(url: URL) {
    this.authorizationUrl = url
  }
  saveCodeVerifier(verifier: string) {
    this.#verifier = verifier
  }
  codeVerifier() {
    return this.#verifier
  }
  saveDiscoveryState(state: OAuthDiscoveryState) {
    this.#discovery = state
  }
  discoveryState() {
    return this.#discovery
  }
  invalidateCredentials(scope: "all" | "client" | "tokens" | "verifier" | "discovery") {
    this.invalidated.push(scope)
    if (scope === "all" || scope === "tokens") this.#tokens = undefined
  }
}

const open: Client[] = []
afterEach(async () => {
  await Promise.allSettled(open.splice(0).map((client) => client.close()))
})

const connect = async (url: string, provider: OAuthClientProvider) => {
  const client = new Client({ name: "berth-oauth-fixture-test", version: "0.0.1" })
  open.push(client)
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { authProvider: provider }), { timeout: 5000 })
  return client
}

const text = (result: unknown) => ((result as CallToolResult).content[0] as { text: string }).text
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** A JSON-RPC ping straight at /mcp with `token`: what a bearer alone earns. */
const ping = (up: OAuthUpstream, token?: string) =>
  fetch(up.url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      "mcp-protocol-version": "2025-11-25",
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` })
    },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping" })
  })

/** The whole authorization-code flow with the SDK's auth(): discovery, registration unless pre-registered, consent, code exchange. */
const authorize = async (up: OAuthUpstream, client: MemoryClient, ttl = 3600) => {
  expect(await auth(client, { serverUrl: up.url })).toBe("REDIRECT")
  const callback = await up.consent(client.authorizationUrl!, { ttl })
  expect(`${callback.origin}${callback.pathname}`).toBe(REDIRECT)
  expect(callback.searchParams.get("state")).toBe(STATE)
  const code = callback.searchParams.get("code")!
  expect(await auth(client, { serverUrl: up.url, authorizationCode: code, iss: callback.searchParams.get("iss")! })).toBe("AUTHORIZED")
  return { clientId: client.clientInformation()!.client_id, tokens: client.tokens()! }
}

const grantTypes = async (up: OAuthUpstream, clientId: string) => (await up.requests(clientId)).tokenRequests.map((r) => [r.grant_type, r.status])

describe("the OAuth test upstream", () => {
  it("challenges an anonymous request and publishes RFC 9728 and RFC 8414 metadata", async () => {
    const up = oauthUpstream()
    const anonymous = await ping(up)
    expect(anonymous.status).toBe(401)
    const metadataUrl = `${up.origin}/.well-known/oauth-protected-resource/mcp`
    expect(anonymous.headers.get("www-authenticate")).toBe(`Bearer realm="OAuth", resource_metadata="${metadataUrl}", scope="tools"`)

    const resource = { resource: up.url, authorization_servers: [up.origin], scopes_supported: ["tools"] }
    expect(await (await fetch(metadataUrl)).json()).toMatchObject(resource)
    // The bare well-known URL serves the same document, for clients that look there first.
    expect(await (await fetch(`${up.origin}/.well-known/oauth-protected-resource`)).json()).toMatchObject(resource)

    const metadata = await discoverAuthorizationServerMetadata(up.origin)
    expect(metadata).toMatchObject({
      issuer: up.origin,
      authorization_endpoint: `${up.origin}/authorize`,
      token_endpoint: `${up.origin}/token`,
      registration_endpoint: `${up.origin}/register`,
      revocation_endpoint: `${up.origin}/token`,
      scopes_supported: ["tools", "offline_access"],
      grant_types_supported: ["authorization_code", "refresh_token"],
      code_challenge_methods_supported: ["S256"]
    })
  })

  it("registers a client, consents, calls tools with the bearer, and refreshes a short-lived token, repeatedly", async () => {
    const up = oauthUpstream()
    const client = new MemoryClient()
    expect(await auth(client, { serverUrl: up.url })).toBe("REDIRECT")
    // The SDK asks for the resource's scope plus offline_access, for the resource itself (RFC 8707).
    expect(client.authorizationUrl!.searchParams.get("scope")).toBe("tools offline_access")
    expect(client.authorizationUrl!.searchParams.get("resource")).toBe(up.url)
    const { clientId, tokens: first } = await authorize(up, client, 2)
    expect(first).toMatchObject({ token_type: "bearer", expires_in: 2, scope: "tools offline_access", refresh_token: expect.any(String) })

    const mcp = await connect(up.url, client)
    expect(text(await mcp.callTool({ name: "whoami", arguments: {} }))).toBe("test-user")
    expect(text(await mcp.callTool({ name: "echo", arguments: { text: "hi there" } }))).toBe("hi there")

    await sleep(2100)
    // Past its two seconds the token is refused, with a challenge that sends the client back to its AS...
    const stale = await ping(up, first.access_token)
    expect(stale.status).toBe(401)
    expect(stale.headers.get("www-authenticate")).toContain('error="invalid_token"')
    expect(stale.headers.get("www-authenticate")).toContain(`resource_metadata="${up.origin}/.well-known/oauth-protected-resource/mcp"`)
    // ...and the SDK's transport refreshes on that 401 and retries. Refresh tokens rotate.
    expect(text(await mcp.callTool({ name: "whoami", arguments: {} }))).toBe("test-user")
    const second = client.tokens()!
    expect(second).toMatchObject({ expires_in: 2, refresh_token: expect.any(String) })
    expect(second.access_token).not.toBe(first.access_token)
    expect(second.refresh_token).not.toBe(first.refresh_token)
    // auth() with a refresh token refreshes again, with the rotated one.
    expect(await auth(client, { serverUrl: up.url })).toBe("AUTHORIZED")
    const third = client.tokens()!
    expect(third.refresh_token).not.toBe(second.refresh_token)
    expect(text(await mcp.callTool({ name: "echo", arguments: { text: "still here" } }))).toBe("still here")

    expect(await grantTypes(up, clientId)).toEqual([["authorization_code", 200], ["refresh_token", 200], ["refresh_token", 200]])
    const seen = await up.requests(clientId)
    expect([...new Set(seen.bearers)]).toEqual([first.access_token, second.access_token, third.access_token])
    expect(seen.mcp).toBe(seen.bearers.length)
    const { client_secret } = client.clientInformation()!
    expect(client_secret).toEqual(expect.any(String)) // DCR's default is a confidential client (client_secret_basic)
    expect(await up.issued(clientId)).toEqual({
      accessTokens: [first.access_token, second.access_token, third.access_token],
      refreshTokens: [first.refresh_token, second.refresh_token, third.refresh_token],
      clientSecrets: [client_secret],
      clientIds: [clientId]
    })
    expect((await up.issued()).clientIds).toContain(clientId)
  })

  it("refuses one valid token after /control/reject-next: the client refreshes once and retries", async () => {
    const up = oauthUpstream()
    const client = new MemoryClient()
    const { clientId, tokens } = await authorize(up, client)
    expect(tokens.expires_in).toBe(3600)

    await up.rejectNext(clientId)
    const refused = await ping(up, tokens.access_token)
    expect(refused.status).toBe(401)
    expect(refused.headers.get("www-authenticate")).toContain('error="invalid_token"')
    expect((await ping(up, tokens.access_token)).status).toBe(200)

    const mcp = await connect(up.url, client)
    await up.rejectNext(clientId)
    expect(text(await mcp.callTool({ name: "whoami", arguments: {} }))).toBe("test-user")
    expect(await grantTypes(up, clientId)).toEqual([["authorization_code", 200], ["refresh_token", 200]])
    expect(client.tokens()!.access_token).not.toBe(tokens.access_token)
  })

  it("stops honouring a client's tokens after /control/revoke-grants: a refresh gets invalid_grant", async () => {
    const up = oauthUpstream()
    const client = new MemoryClient()
    const { clientId, tokens } = await authorize(up, client)
    expect(await up.revokeGrants(clientId)).toEqual({ revoked: 1 })

    expect((await ping(up, tokens.access_token)).status).toBe(401)
    const metadata = await discoverAuthorizationServerMetadata(up.origin)
    const refresh = refreshAuthorization(up.origin, {
      metadata,
      clientInformation: client.clientInformation()!,
      refreshToken: tokens.refresh_token!,
      resource: new URL(up.url)
    })
    await expect(refresh).rejects.toBeInstanceOf(OAuthError)
    await expect(refresh).rejects.toMatchObject({ code: "invalid_grant" })
    // auth() drops the dead tokens and starts a new authorization.
    expect(await auth(client, { serverUrl: up.url })).toBe("REDIRECT")
    expect(client.invalidated).toEqual(["tokens"])
    expect(await grantTypes(up, clientId)).toEqual([["authorization_code", 200], ["refresh_token", 400], ["refresh_token", 400]])
  })

  it("sends a denial back to the client as access_denied, with its state and the issuer", async () => {
    const up = oauthUpstream()
    const client = new MemoryClient()
    expect(await auth(client, { serverUrl: up.url })).toBe("REDIRECT")
    const callback = await up.consent(client.authorizationUrl!, { decision: "deny" })
    expect(`${callback.origin}${callback.pathname}`).toBe(REDIRECT)
    expect(Object.fromEntries(callback.searchParams)).toEqual({ error: "access_denied", state: STATE, iss: up.origin })
  })

  it("serves a pre-registered client from /control/clients, naming it (escaped) on the consent page", async () => {
    const up = oauthUpstream()
    const name = `<b>Berth & "co"</b>`
    const { clientId, clientSecret } = await up.createClient({ redirectUris: [REDIRECT], name })
    expect(clientSecret).toEqual(expect.any(String))
    const client = new MemoryClient({ client_id: clientId, client_secret: clientSecret!, issuer: up.origin })

    expect(await auth(client, { serverUrl: up.url })).toBe("REDIRECT")
    const page = await (await fetch(client.authorizationUrl!)).text()
    expect(page).toContain("Allow &#60;b&#62;Berth &#38; &#34;co&#34;&#60;/b&#62; to act as test-user?")
    expect(page).not.toContain(name)
    expect(page).toMatch(/<button id="allow"[^>]*>Allow<\/button>/)
    expect(page).toMatch(/<button id="deny"[^>]*>Deny<\/button>/)
    expect(page).toContain('<input type="number" name="ttl" min="1" value="3600">')

    const callback = await up.consent(client.authorizationUrl!, { ttl: 90 })
    expect(await auth(client, { serverUrl: up.url, authorizationCode: callback.searchParams.get("code")!, iss: up.origin })).toBe("AUTHORIZED")
    const tokens = client.tokens()!
    expect(tokens.expires_in).toBe(90)
    const mcp = await connect(up.url, client)
    expect(text(await mcp.callTool({ name: "whoami", arguments: {} }))).toBe("test-user")
    expect(await up.issued(clientId)).toEqual({
      accessTokens: [tokens.access_token],
      refreshTokens: [tokens.refresh_token],
      clientSecrets: [clientSecret],
      clientIds: [clientId]
    })

    // A public pre-registered client gets no secret.
    expect(await up.createClient({ redirectUris: [REDIRECT], confidential: false })).toEqual({ clientId: expect.any(String) })
  })
})
