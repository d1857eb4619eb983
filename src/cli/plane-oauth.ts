// The CLI as an OAuth 2.1 public client of the plane's own authorization server, through oauth4webapi:
// RFC 8414 discovery, dynamic registration (RFC 7591), authorization code with PKCE (S256) for the
// resource `<plane>/admin/rpc` (RFC 8707), refresh and revocation (RFC 7009).
import * as oauth from "oauth4webapi"
import { Effect } from "effect"
import { LoginFailed } from "./errors.ts"
import { CliIo } from "./io.ts"

/** A member's CLI token, and a refresh token to renew it without the browser. */
export const LOGIN_SCOPE = "member offline_access"
/** The redirect registered; the loopback port is free per RFC 8252 §7.3. */
const REGISTERED_REDIRECT = "http://127.0.0.1/callback"

export const adminResource = (planeUrl: string) => `${planeUrl}/admin/rpc`

/** Plain http only to a plane on this machine, as the plane itself allows (src/oauth/origin.ts). */
const options = (planeUrl: string, fetch: typeof globalThis.fetch) => {
  const { hostname } = new URL(planeUrl)
  const loopback = hostname === "localhost" || hostname === "[::1]" || /^127\.\d+\.\d+\.\d+$/.test(hostname)
  return { [oauth.customFetch]: fetch, ...(loopback ? { [oauth.allowInsecureRequests]: true } : {}) }
}

const reason = (error: unknown) =>
  error instanceof oauth.ResponseBodyError || error instanceof oauth.AuthorizationResponseError
    ? `${error.error}${error.error_description ? `: ${error.error_description}` : ""}`
    : error instanceof Error
      ? ((error.cause as { code?: string } | undefined)?.code ?? error.message)
      : String(error)

const attempt = <A>(planeUrl: string, step: string, run: () => Promise<A>) =>
  Effect.tryPromise({ try: run, catch: (error) => new LoginFailed({ url: planeUrl, step, reason: reason(error) }) })

export interface PlaneServer {
  readonly planeUrl: string
  readonly as: oauth.AuthorizationServer
  readonly options: ReturnType<typeof options>
}

/** The plane's RFC 8414 metadata; its issuer is the plane's origin. */
export const discoverPlane = Effect.fn("PlaneOAuth.discover")(function* (planeUrl: string) {
  const io = yield* CliIo
  const opts = options(planeUrl, io.fetch)
  const issuer = new URL(planeUrl)
  const as = yield* attempt(planeUrl, "discovery", async () =>
    oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { ...opts, algorithm: "oauth2" }))
  )
  return { planeUrl, as, options: opts } satisfies PlaneServer
})

/** Registers the CLI as a public client (no secret) with a loopback redirect; returns its client id. */
export const registerCli = (server: PlaneServer) =>
  attempt(server.planeUrl, "registration", async () => {
    const client = await oauth.processDynamicClientRegistrationResponse(
      await oauth.dynamicClientRegistrationRequest(
        server.as,
        {
          client_name: "berth CLI",
          redirect_uris: [REGISTERED_REDIRECT],
          grant_types: ["authorization_code", "refresh_token"],
          response_types: ["code"],
          token_endpoint_auth_method: "none"
        },
        server.options
      )
    )
    return client.client_id
  })

export interface AuthorizationRequest {
  readonly url: string
  readonly state: string
  readonly verifier: string
}

export const authorizationRequest = (server: PlaneServer, clientId: string, redirectUri: string) =>
  attempt(server.planeUrl, "authorization request", async () => {
    if (!server.as.authorization_endpoint) throw new Error("the plane's metadata names no authorization_endpoint")
    const verifier = oauth.generateRandomCodeVerifier()
    const state = oauth.generateRandomState()
    const url = new URL(server.as.authorization_endpoint)
    url.search = new URLSearchParams({
      response_type: "code",
      client_id: clientId,
      redirect_uri: redirectUri,
      scope: LOGIN_SCOPE,
      resource: adminResource(server.planeUrl),
      code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
      code_challenge_method: "S256",
      state
    }).toString()
    return { url: url.href, state, verifier } satisfies AuthorizationRequest
  })

export interface Tokens {
  readonly accessToken: string
  readonly refreshToken: string | undefined
  readonly expiresAt: string
}

const tokensOf = (response: oauth.TokenEndpointResponse, previousRefresh?: string): Tokens => ({
  accessToken: response.access_token,
  // A refresh response may leave the refresh token as it was (RFC 6749 §6).
  refreshToken: response.refresh_token ?? previousRefresh,
  expiresAt: new Date(Date.now() + (response.expires_in ?? 3600) * 1000).toISOString()
})

/** Checks the browser's return to the loopback redirect, and redeems the code. */
export const redeemCode = (server: PlaneServer, clientId: string, request: AuthorizationRequest, callback: URL, redirectUri: string) =>
  attempt(server.planeUrl, "authorization", async () => {
    const client = { client_id: clientId }
    const params = oauth.validateAuthResponse(server.as, client, callback, request.state)
    const response = await oauth.authorizationCodeGrantRequest(server.as, client, oauth.None(), params, redirectUri, request.verifier, {
      ...server.options,
      additionalParameters: { resource: adminResource(server.planeUrl) }
    })
    return tokensOf(await oauth.processAuthorizationCodeResponse(server.as, client, response))
  })

export const refreshTokens = (server: PlaneServer, clientId: string, refreshToken: string) =>
  attempt(server.planeUrl, "refresh", async () => {
    const client = { client_id: clientId }
    const response = await oauth.refreshTokenGrantRequest(server.as, client, oauth.None(), refreshToken, {
      ...server.options,
      additionalParameters: { resource: adminResource(server.planeUrl) }
    })
    return tokensOf(await oauth.processRefreshTokenResponse(server.as, client, response), refreshToken)
  })

/** RFC 7009 at the plane's revocation endpoint. */
export const revokeToken = (server: PlaneServer, clientId: string, token: string) =>
  attempt(server.planeUrl, "revocation", async () => {
    if (!server.as.revocation_endpoint) throw new Error("the plane's metadata names no revocation_endpoint")
    await oauth.processRevocationResponse(await oauth.revocationRequest(server.as, { client_id: clientId }, oauth.None(), token, server.options))
  })
