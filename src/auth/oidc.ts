// Deployed sign-in: OpenID Connect, authorization code flow with PKCE (S256), through oauth4webapi.
// The state, nonce and code verifier ride in a short-lived signed cookie between the two legs.
import * as oauth from "oauth4webapi"
import { Option, Schema } from "effect"
import type { Env } from "../env.ts"
import { isLoopbackHostname } from "./loopback.ts"
import { memberFromEmail } from "./local-sign-in.ts"
import { EmailNotVerified, OidcSignInFailed, SessionSecretMissing, SignInNotConfigured } from "./sign-in-errors.ts"
import { safeReturnTo, sessionCookie } from "./session.ts"
import { clearCookie, readCookie, setCookie, signValue, verifyValue } from "./signed-cookie.ts"

export const CALLBACK_PATH = "/auth/oidc/callback"
const FLOW_COOKIE = "__Host-berth-oidc"
const FLOW_PURPOSE = "oidc-flow"
const FLOW_SECONDS = 10 * 60

interface OidcConfig {
  readonly issuer: URL
  readonly client: oauth.Client
  readonly clientSecret: string
  /** Plain http to the provider, for a provider on this machine only (the tests' oidc-provider). */
  readonly options: { readonly [oauth.allowInsecureRequests]?: boolean }
}

/** The configured provider, or null when any of the three settings is missing. */
export const oidcConfig = (env: Env): OidcConfig | null => {
  const { BERTH_OIDC_ISSUER: issuer, BERTH_OIDC_CLIENT_ID: clientId, BERTH_OIDC_CLIENT_SECRET: clientSecret } = env
  if (!issuer || !clientId || !clientSecret || !URL.canParse(issuer)) return null
  const url = new URL(issuer)
  return {
    issuer: url,
    client: { client_id: clientId },
    clientSecret,
    options: isLoopbackHostname(url.hostname) ? { [oauth.allowInsecureRequests]: true } : {}
  }
}

// The provider's metadata, fetched once per isolate; a failed discovery is forgotten, so the next sign-in retries.
const discovered = new Map<string, Promise<oauth.AuthorizationServer>>()

const discover = (config: OidcConfig): Promise<oauth.AuthorizationServer> => {
  let metadata = discovered.get(config.issuer.href)
  if (!metadata) {
    metadata = oauth
      .discoveryRequest(config.issuer, { ...config.options, algorithm: "oidc" })
      .then((response) => oauth.processDiscoveryResponse(config.issuer, response))
    metadata.catch(() => discovered.delete(config.issuer.href))
    discovered.set(config.issuer.href, metadata)
  }
  return metadata
}

const FlowPayload = Schema.fromJsonString(
  Schema.Struct({ state: Schema.String, nonce: Schema.String, verifier: Schema.String, returnTo: Schema.String })
)
const decodeFlow = Schema.decodeUnknownOption(FlowPayload)
const encodeFlow = Schema.encodeSync(FlowPayload)

const redirectUri = (request: Request) => new URL(CALLBACK_PATH, request.url).href

const configured = (env: Env) => {
  if (!env.BERTH_SESSION_SECRET) throw new SessionSecretMissing()
  const config = oidcConfig(env)
  if (!config) throw new SignInNotConfigured()
  return { config, secret: env.BERTH_SESSION_SECRET }
}

/** An oauth4webapi failure as a sign-in failure that says what the provider said, never a token or code. */
const failed = (error: unknown): OidcSignInFailed | EmailNotVerified => {
  if (error instanceof EmailNotVerified || error instanceof OidcSignInFailed) return error
  if (error instanceof oauth.AuthorizationResponseError || error instanceof oauth.ResponseBodyError)
    return new OidcSignInFailed({ reason: `the provider answered ${error.error}${error.error_description ? `: ${error.error_description}` : ""}` })
  return new OidcSignInFailed({ reason: error instanceof Error ? error.message : String(error) })
}

/** GET /auth/oidc/start: sends the browser to the provider, remembering the flow in a signed cookie. */
export const startOidc = async (request: Request, env: Env): Promise<Response> => {
  const { config, secret } = configured(env)
  const as = await discover(config).catch((error: unknown) => {
    throw failed(error)
  })
  if (!as.authorization_endpoint) throw new OidcSignInFailed({ reason: "the provider's metadata has no authorization_endpoint" })
  const verifier = oauth.generateRandomCodeVerifier()
  const flow = {
    state: oauth.generateRandomState(),
    nonce: oauth.generateRandomNonce(),
    verifier,
    returnTo: safeReturnTo(request, new URL(request.url).searchParams.get("return_to"))
  }
  const to = new URL(as.authorization_endpoint)
  to.search = new URLSearchParams({
    client_id: config.client.client_id,
    redirect_uri: redirectUri(request),
    response_type: "code",
    scope: "openid email",
    code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
    code_challenge_method: "S256",
    state: flow.state,
    nonce: flow.nonce
  }).toString()
  const cookie = setCookie(FLOW_COOKIE, await signValue(secret, FLOW_PURPOSE, encodeFlow(flow)), FLOW_SECONDS)
  return new Response(null, { status: 302, headers: { location: to.href, "set-cookie": cookie, "cache-control": "no-store" } })
}

/** The member's email, from the ID token or else the UserInfo endpoint, refused unless verified. */
const verifiedEmail = async (as: oauth.AuthorizationServer, config: OidcConfig, tokens: oauth.TokenEndpointResponse) => {
  const idToken = oauth.getValidatedIdTokenClaims(tokens)!
  let claims: Record<string, unknown> = idToken
  // Providers may keep scope claims out of the ID token when an access token can fetch them (OIDC Core §5.4).
  if (claims.email === undefined && as.userinfo_endpoint) {
    const response = await oauth.userInfoRequest(as, config.client, tokens.access_token, config.options)
    claims = await oauth.processUserInfoResponse(as, config.client, idToken.sub, response)
  }
  const email = typeof claims.email === "string" ? claims.email : undefined
  if (email === undefined || claims.email_verified !== true) throw new EmailNotVerified(email === undefined ? {} : { email })
  return email
}

/** GET /auth/oidc/callback: checks the provider's answer, redeems the code, and signs the member in. */
export const finishOidc = async (request: Request, env: Env): Promise<Response> => {
  const { config, secret } = configured(env)
  const signed = readCookie(request, FLOW_COOKIE)
  const payload = signed === null ? null : await verifyValue(secret, FLOW_PURPOSE, signed)
  const flow = payload === null ? null : Option.getOrNull(decodeFlow(payload))
  if (!flow)
    throw new OidcSignInFailed({ reason: "this sign-in was not started in this browser, or took over 10 minutes; start again" })
  try {
    const as = await discover(config)
    const params = oauth.validateAuthResponse(as, config.client, new URL(request.url), flow.state)
    const response = await oauth.authorizationCodeGrantRequest(
      as,
      config.client,
      oauth.ClientSecretBasic(config.clientSecret),
      params,
      redirectUri(request),
      flow.verifier,
      config.options
    )
    const tokens = await oauth.processAuthorizationCodeResponse(as, config.client, response, {
      expectedNonce: flow.nonce,
      requireIdToken: true
    })
    const member = memberFromEmail(await verifiedEmail(as, config, tokens))
    if (typeof member !== "string") throw new OidcSignInFailed({ reason: member.message })
    const headers = new Headers({ location: flow.returnTo, "cache-control": "no-store" })
    headers.append("set-cookie", clearCookie(FLOW_COOKIE))
    headers.append("set-cookie", await sessionCookie(secret, member))
    return new Response(null, { status: 303, headers })
  } catch (error) {
    throw failed(error)
  }
}
