// An OAuth credential at dispatch: the AuthProvider the pooled client's transport asks before every
// request (token) and after a 401 (onUnauthorized). It refreshes the access token a little before it
// expires, and once more when the upstream answers 401, with the SDK's refreshAuthorization; one
// refresh at a time. A refresh the authorization server refuses (invalid_grant and the like) expires
// the credential; a transient failure (network, 5xx) fails this call only.
import { type AuthProvider, OAuthError, OAuthErrorCode, type OAuthClientInformationMixed, refreshAuthorization } from "@modelcontextprotocol/client"
import { type OAuthMaterial, withTokens } from "./material.ts"

/** At most this long before expiry, and at most a quarter of the token's lifetime. */
const REFRESH_AHEAD_MS = 60_000

/** The answers that mean the refresh token (or the client) is no longer good: reconnecting is the way out. */
const FINAL = new Set<string>([OAuthErrorCode.InvalidGrant, OAuthErrorCode.InvalidClient, OAuthErrorCode.UnauthorizedClient])

export interface SessionHost {
  readonly credential: string
  readonly plugin: string
  /** The credential's material, opened from the vault. */
  open(): Promise<OAuthMaterial | undefined>
  /** The team's pre-registered client for the plugin, as configured now (its secret may have rotated). */
  configuredClient(): Promise<OAuthClientInformationMixed | undefined>
  /** Seals the new material and records CredentialRefreshed; an error names why it was not recorded. */
  refreshed(material: OAuthMaterial): Promise<void>
  /** Records CredentialExpired (the vault shreds the tokens). */
  expired(reason: string): void
}

/** Names the credential and how to bring it back; never a token. */
export class CredentialNeedsReconnect extends Error {
  constructor(credential: string, plugin: string, reason: string) {
    super(`credential '${credential}' expired (${reason}); reconnect with \`berth credential connect ${credential} --plugin ${plugin}\``)
    this.name = "CredentialNeedsReconnect"
  }
}

/** Whether an error (or what it wraps: the transport may) is a credential that needs reconnecting. */
export const needsReconnect = (error: unknown): boolean => {
  for (let e = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) if (e instanceof CredentialNeedsReconnect) return true
  return false
}

export class OAuthSession implements AuthProvider {
  readonly #host: SessionHost
  #material: OAuthMaterial | undefined
  #refreshing: Promise<void> | undefined
  /** Why this session's credential expired: a retry of the same call is told the same. */
  #expiredBecause: string | undefined

  constructor(host: SessionHost) {
    this.#host = host
  }

  async #current(): Promise<OAuthMaterial> {
    this.#material ??= await this.#host.open()
    if (!this.#material)
      throw new CredentialNeedsReconnect(this.#host.credential, this.#host.plugin, this.#expiredBecause ?? "its tokens are no longer in the vault")
    this.#expiredBecause = undefined
    return this.#material
  }

  async token(): Promise<string> {
    const material = await this.#current()
    const { expiresAt, lifetimeMs } = material
    if (expiresAt !== undefined && expiresAt - Date.now() <= Math.min(REFRESH_AHEAD_MS, (lifetimeMs ?? REFRESH_AHEAD_MS) / 4))
      await this.#refresh(material)
    return this.#material!.tokens.access_token
  }

  /** The transport retries the request once after this returns. */
  async onUnauthorized(): Promise<void> {
    await this.#refresh(await this.#current())
  }

  /** One refresh at a time; a caller whose tokens were replaced meanwhile takes the new ones. */
  #refresh(seen: OAuthMaterial): Promise<void> {
    if (this.#material !== seen) return Promise.resolve()
    this.#refreshing ??= this.#refreshNow(seen).finally(() => (this.#refreshing = undefined))
    return this.#refreshing
  }

  async #refreshNow(material: OAuthMaterial): Promise<void> {
    const { credential, plugin } = this.#host
    const refreshToken = material.tokens.refresh_token
    if (!refreshToken) return this.#expire("the access token ended and the authorization server issued no refresh token")
    const discovery = material.discovery
    const client = material.clientSource === "configured" ? ((await this.#host.configuredClient()) ?? material.client) : material.client
    let tokens
    try {
      tokens = await refreshAuthorization(discovery.authorizationServerUrl, {
        metadata: discovery.authorizationServerMetadata,
        clientInformation: client,
        refreshToken,
        resource: material.resource === undefined ? undefined : new URL(material.resource),
        fetchFn: fetch
      })
    } catch (error) {
      if (error instanceof OAuthError && FINAL.has(error.code)) return this.#expire(`the authorization server refused its refresh token: ${error.code}`)
      const why = error instanceof Error ? error.message : String(error)
      throw new Error(`could not refresh credential '${credential}' of plugin '${plugin}' (the call may be retried): ${why}`)
    }
    const { berth: _, tokens: previous, expiresAt: _e, lifetimeMs: _l, ...rest } = material
    const next = withTokens(tokens, rest, previous)
    await this.#host.refreshed(next)
    this.#material = next
  }

  #expire(reason: string): never {
    this.#material = undefined
    this.#expiredBecause = reason
    this.#host.expired(reason)
    throw new CredentialNeedsReconnect(this.#host.credential, this.#host.plugin, reason)
  }
}
