// An OAuth 2.1 client for tests inside workerd, driving Berth's authorization server over HTTP
// through the Worker's real fetch handler: discovery from a 401, dynamic registration, PKCE, the
// consent page answered as the signed-in member's browser would, and the token exchange. (The
// browser and the SDK's own OAuth client do the same in test/node/oauth-dock.test.ts.)
import { SELF } from "cloudflare:test"
import { env } from "cloudflare:workers"
import { sessionCookie } from "../../src/auth/session.ts"

/** https: OAuth takes plain http only on loopback hosts. */
export const ORIGIN = "https://berth.test"

const cookiePair = (setCookie: string) => setCookie.split(";")[0]!

export const memberCookie = async (member: string) => cookiePair(await sessionCookie(env.BERTH_SESSION_SECRET!, member))

const s256 = async (verifier: string) =>
  btoa(String.fromCharCode(...new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier)))))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "")

export interface Discovered {
  readonly resource: string
  readonly metadata: Record<string, any>
}

/** From the MCP endpoint's 401 to the authorization server's metadata, as an MCP client finds it. */
export const discover = async (workspace: string): Promise<Discovered> => {
  const refused = await SELF.fetch(`${ORIGIN}/w/${workspace}/mcp`, { method: "POST", body: "{}" })
  const challenge = refused.headers.get("www-authenticate") ?? ""
  const prmUrl = /resource_metadata="([^"]+)"/.exec(challenge)?.[1]
  if (refused.status !== 401 || !prmUrl) throw new Error(`no challenge: ${refused.status} ${challenge}`)
  const prm = (await (await SELF.fetch(prmUrl)).json()) as { resource: string; authorization_servers: Array<string> }
  const issuer = new URL(prm.authorization_servers[0]!)
  const metadata = (await (await SELF.fetch(`${issuer.origin}/.well-known/oauth-authorization-server${issuer.pathname}`)).json()) as Record<string, any>
  return { resource: prm.resource, metadata }
}

export const register = async (metadata: Record<string, any>, clientName: string) => {
  const response = await SELF.fetch(metadata.registration_endpoint, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      client_name: clientName,
      redirect_uris: ["http://127.0.0.1:33418/callback"],
      token_endpoint_auth_method: "none",
      grant_types: ["authorization_code", "refresh_token"]
    })
  })
  if (response.status !== 201) throw new Error(`registration ${response.status}: ${await response.text()}`)
  return ((await response.json()) as { client_id: string }).client_id
}

export interface Authorization {
  readonly url: string
  readonly verifier: string
  readonly redirectUri: string
}

export const authorizationUrl = async (metadata: Record<string, any>, clientId: string, resource: string, scope = "mcp"): Promise<Authorization> => {
  const verifier = crypto.randomUUID() + crypto.randomUUID()
  const redirectUri = "http://127.0.0.1:33418/callback"
  const url = new URL(metadata.authorization_endpoint)
  url.search = new URLSearchParams({
    response_type: "code",
    client_id: clientId,
    redirect_uri: redirectUri,
    scope,
    state: "st4te",
    code_challenge: await s256(verifier),
    code_challenge_method: "S256",
    resource
  }).toString()
  return { url: url.href, verifier, redirectUri }
}

/** The consent page as the member sees it, and the cookies its form needs. */
export const openConsent = async (url: string, cookie: string) => {
  const page = await SELF.fetch(url, { headers: { cookie }, redirect: "manual" })
  const consentCookies = page.headers.getSetCookie().map(cookiePair)
  const text = await page.text()
  const handle = /name="handle" value="([^"]+)"/.exec(text)?.[1]
  const agent = /name="agent" value="([^"]+)"/.exec(text)?.[1]
  return { status: page.status, location: page.headers.get("location"), text, handle, agent, cookie: [cookie, ...consentCookies].join("; ") }
}

export const answerConsent = async (url: string, cookie: string, fields: Record<string, string>) =>
  SELF.fetch(url, {
    method: "POST",
    headers: { cookie, "content-type": "application/x-www-form-urlencoded", origin: new URL(url).origin },
    body: new URLSearchParams(fields).toString(),
    redirect: "manual"
  })

export const exchangeCode = async (metadata: Record<string, any>, clientId: string, auth: Authorization, code: string, resource: string) => {
  const response = await SELF.fetch(metadata.token_endpoint, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "authorization_code",
      code,
      redirect_uri: auth.redirectUri,
      client_id: clientId,
      code_verifier: auth.verifier,
      resource
    }).toString()
  })
  if (response.status !== 200) throw new Error(`token ${response.status}: ${await response.text()}`)
  return (await response.json()) as { access_token: string; refresh_token?: string; expires_in: number; scope: string }
}

/** The whole dance for one client: an access token for `workspace`'s MCP endpoint, approved by `member`. */
export const dockWithOAuth = async (workspace: string, member: string, clientName = "Test Agent", scope = "mcp") => {
  const { resource, metadata } = await discover(workspace)
  const clientId = await register(metadata, clientName)
  const auth = await authorizationUrl(metadata, clientId, resource, scope)
  const consent = await openConsent(auth.url, await memberCookie(member))
  if (!consent.handle) throw new Error(`no consent form (${consent.status}): ${consent.text}`)
  const answered = await answerConsent(auth.url, consent.cookie, { handle: consent.handle, decision: "approve", agent: consent.agent! })
  const location = new URL(answered.headers.get("location") ?? "", ORIGIN)
  const code = location.searchParams.get("code")
  if (answered.status !== 302 || !code) throw new Error(`no code (${answered.status}): ${await answered.text()}`)
  const tokens = await exchangeCode(metadata, clientId, auth, code, resource)
  return { clientId, agent: consent.agent!, tokens, resource, metadata }
}

/** A member's CLI token from the plane's own authorization server, as `berth login` gets one. */
export const memberToken = async (member: string, scope = "member") => {
  const metadata = (await (await SELF.fetch(`${ORIGIN}/.well-known/oauth-authorization-server`)).json()) as Record<string, any>
  const resource = `${ORIGIN}/admin/rpc`
  const clientId = await register(metadata, "berth CLI")
  const auth = await authorizationUrl(metadata, clientId, resource, scope)
  const consent = await openConsent(auth.url, await memberCookie(member))
  if (!consent.handle) throw new Error(`no consent form (${consent.status}): ${consent.text}`)
  const answered = await answerConsent(auth.url, consent.cookie, { handle: consent.handle, decision: "approve" })
  const code = new URL(answered.headers.get("location") ?? "", ORIGIN).searchParams.get("code")
  if (!code) throw new Error(`no code (${answered.status}): ${await answered.text()}`)
  return (await exchangeCode(metadata, clientId, auth, code, resource)).access_token
}

/** POST /admin/rpc over https (member tokens are bound to the https origin), as the bearer of `token`. */
export const rpcAs = async (token: string, body: unknown) => {
  const response = await SELF.fetch(`${ORIGIN}/admin/rpc`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify(body)
  })
  return { status: response.status, body: (await response.json()) as any }
}
