// An agent docks with OAuth 2.1 from Node over plain HTTP, with no browser, as the bench's OAuth
// client: discovery from the endpoint's 401 (RFC 9728, then RFC 8414), dynamic registration, the
// member's local sign-in and their approval on the consent page, PKCE, the code exchange and refresh,
// through oauth4webapi as the CLI uses it (src/cli/plane-oauth.ts). test/oauth/oauth-flow.ts does the
// same inside workerd.
import * as oauth from "oauth4webapi"

/** Registered, and the code read from the consent's 302; nothing listens there. */
const REDIRECT_URI = "http://127.0.0.1:33418/callback"
/** The endpoint is on a loopback host (the bench plane), where the plane offers OAuth over plain http. */
const INSECURE = { [oauth.allowInsecureRequests]: true } as const

const cookiePairs = (response: Response) => response.headers.getSetCookie().map((c) => c.split(";")[0]!)

const expectStatus = async (step: string, response: Response, status: number) => {
  if (response.status !== status) throw new Error(`${step}: ${response.status} ${await response.text()}`)
}

/** The member's browser, done by hand: local sign-in (POST /auth/local) returns to `url`; the session cookie. */
const signIn = async (url: URL, member: string) => {
  const response = await fetch(new URL("/auth/local", url), {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", origin: url.origin },
    body: new URLSearchParams({ email: member, return_to: url.pathname + url.search }),
    redirect: "manual"
  })
  await expectStatus("sign-in", response, 303)
  const session = cookiePairs(response).find((c) => c.startsWith("__Host-berth-session="))
  if (!session) throw new Error("sign-in set no session cookie")
  return session
}

/** The consent page opened and approved: the agent name it proposed, and the redirect carrying the code. */
const approve = async (url: URL, session: string) => {
  const page = await fetch(url, { headers: { cookie: session }, redirect: "manual" })
  const text = await page.text()
  const handle = /name="handle" value="([^"]+)"/.exec(text)?.[1]
  const agent = /name="agent" value="([^"]+)"/.exec(text)?.[1]
  if (page.status !== 200 || !handle || !agent) throw new Error(`no consent form (${page.status}): ${text.slice(0, 500)}`)
  const answered = await fetch(url, {
    method: "POST",
    headers: {
      cookie: [session, ...cookiePairs(page)].join("; "),
      "content-type": "application/x-www-form-urlencoded",
      origin: url.origin
    },
    body: new URLSearchParams({ handle, decision: "approve", agent }),
    redirect: "manual"
  })
  await expectStatus("consent", answered, 302)
  return { agent, redirect: new URL(answered.headers.get("location")!) }
}

export interface OAuthAgent {
  /** The agent the member approved, as the workspace records its runs. */
  readonly agent: string
  readonly clientId: string
  readonly accessToken: string
  /** A fresh access token from the refresh grant: one the plane's isolate has not validated yet. */
  readonly refresh: () => Promise<string>
}

/** Docks `clientName` at the MCP endpoint `endpoint`, approved by `member` (an admin of the workspace). */
export const dockWithOAuth = async (endpoint: string, member: string, clientName: string): Promise<OAuthAgent> => {
  const resource = new URL(endpoint)
  const refused = await fetch(resource, { method: "POST", body: "{}" })
  const metadataUrl = /resource_metadata="([^"]+)"/.exec(refused.headers.get("www-authenticate") ?? "")?.[1]
  if (refused.status !== 401 || !metadataUrl) throw new Error(`no Bearer challenge: ${refused.status}`)
  const prm = await oauth.processResourceDiscoveryResponse(resource, await fetch(metadataUrl))
  const issuer = new URL(prm.authorization_servers![0]!)
  const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { ...INSECURE, algorithm: "oauth2" }))

  const registered = await oauth.processDynamicClientRegistrationResponse(
    await oauth.dynamicClientRegistrationRequest(
      as,
      {
        client_name: clientName,
        redirect_uris: [REDIRECT_URI],
        grant_types: ["authorization_code", "refresh_token"],
        token_endpoint_auth_method: "none"
      },
      INSECURE
    )
  )
  const client = { client_id: registered.client_id }

  const verifier = oauth.generateRandomCodeVerifier()
  const state = oauth.generateRandomState()
  const authorize = new URL(as.authorization_endpoint!)
  authorize.search = new URLSearchParams({
    response_type: "code",
    client_id: client.client_id,
    redirect_uri: REDIRECT_URI,
    scope: "mcp",
    state,
    code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
    code_challenge_method: "S256",
    resource: resource.href
  }).toString()
  const { agent, redirect } = await approve(authorize, await signIn(authorize, member))

  const tokenOptions = { ...INSECURE, additionalParameters: { resource: resource.href } }
  const params = oauth.validateAuthResponse(as, client, redirect, state)
  let tokens = await oauth.processAuthorizationCodeResponse(
    as,
    client,
    await oauth.authorizationCodeGrantRequest(as, client, oauth.None(), params, REDIRECT_URI, verifier, tokenOptions)
  )
  return {
    agent,
    clientId: client.client_id,
    accessToken: tokens.access_token,
    refresh: async () => {
      if (!tokens.refresh_token) throw new Error("the token response carried no refresh token")
      const refreshed = await oauth.processRefreshTokenResponse(
        as,
        client,
        await oauth.refreshTokenGrantRequest(as, client, oauth.None(), tokens.refresh_token, tokenOptions)
      )
      tokens = { ...refreshed, refresh_token: refreshed.refresh_token ?? tokens.refresh_token }
      return tokens.access_token
    }
  }
}
