// What the vault seals for an OAuth credential: the tokens, the client they were issued to, and what
// discovery found (so a refresh needs no discovery). One JSON value, sealed as one row; the
// scrubber takes its secrets out of it (secretsIn).
import type { OAuthClientInformationMixed, OAuthDiscoveryState, OAuthTokens } from "@modelcontextprotocol/client"

/** How the client was registered with the upstream's authorization server. */
export type ClientSource = "configured" | "registered" | "metadata-document"

export interface OAuthMaterial {
  readonly berth: "oauth-credential"
  readonly tokens: OAuthTokens
  /** When the access token expires (ms since the epoch), from `expires_in` at issue. */
  readonly expiresAt?: number | undefined
  /** The access token's lifetime as issued, to refresh it a fraction of that before it ends. */
  readonly lifetimeMs?: number | undefined
  readonly client: OAuthClientInformationMixed
  readonly clientSource: ClientSource
  readonly discovery: OAuthDiscoveryState
  /** The resource indicator (RFC 8707) the tokens were issued for. */
  readonly resource?: string | undefined
}

/**
 * New tokens over the old (a refresh response may omit the refresh token, which then stays), keeping
 * only what a later request needs: no issuer stamps or other fields the SDK added.
 */
export const withTokens = (
  tokens: OAuthTokens,
  rest: Omit<OAuthMaterial, "berth" | "tokens" | "expiresAt" | "lifetimeMs">,
  previous?: OAuthTokens,
  now = Date.now()
): OAuthMaterial => {
  const lifetimeMs = typeof tokens.expires_in === "number" && tokens.expires_in > 0 ? tokens.expires_in * 1000 : undefined
  const { access_token, token_type } = tokens
  const refresh_token = tokens.refresh_token ?? previous?.refresh_token
  const scope = tokens.scope ?? previous?.scope
  const kept = { access_token, token_type, ...(refresh_token && { refresh_token }), ...(scope && { scope }), ...(lifetimeMs && { expires_in: tokens.expires_in }) }
  return { berth: "oauth-credential", ...rest, tokens: kept, lifetimeMs, expiresAt: lifetimeMs && now + lifetimeMs }
}

export const parseMaterial = (plaintext: string): OAuthMaterial | undefined => {
  if (!plaintext.startsWith("{")) return undefined
  try {
    const value = JSON.parse(plaintext) as OAuthMaterial
    return value?.berth === "oauth-credential" ? value : undefined
  } catch {
    return undefined
  }
}

/** The secrets a sealed value holds: itself, or an OAuth credential's tokens and client secret. */
export const secretsIn = (plaintext: string): Array<string> => {
  const material = parseMaterial(plaintext)
  if (!material) return [plaintext]
  const { access_token, refresh_token } = material.tokens
  const secret = "client_secret" in material.client ? material.client.client_secret : undefined
  return [access_token, refresh_token, secret].filter((s): s is string => typeof s === "string" && s.length > 0)
}

/** The scopes a token response granted (or the ones asked for, when it does not say). */
export const grantedScopes = (tokens: OAuthTokens, asked: ReadonlyArray<string> | undefined): Array<string> =>
  typeof tokens.scope === "string" && tokens.scope.trim() !== "" ? tokens.scope.trim().split(/\s+/) : [...(asked ?? [])]
