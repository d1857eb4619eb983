// Credential events. Secrets never enter the log: material lives in the workspace's encrypted vault
// (src/vault), and events carry the credential's name (its vault id), kind, a fingerprint (a keyed
// hash, never the secret), scopes, expiry and owner. Grants say which calls carry which credential.
import { Schema } from "effect"
import { defineEvent } from "./define.ts"
import { AgentName, CredentialName, MemberId, PluginName } from "./names.ts"

/**
 * The team's pre-registered OAuth app for a plugin's upstream authorization server. The client
 * secret, if any, is in the vault (`secretRef`); the event carries its keyed fingerprint only.
 */
export const OAuthClientConfigured = defineEvent("OAuthClientConfigured", {
  plugin: PluginName,
  clientId: Schema.String,
  authorizationServer: Schema.String,
  scopes: Schema.Array(Schema.String),
  secretRef: Schema.optional(Schema.String),
  secretFingerprint: Schema.optional(Schema.String)
})

/** bearer: `Authorization: Bearer <value>`; header: `<header>: <value>`; oauth: an upstream OAuth token. */
export const CredentialKind = Schema.Literals(["bearer", "header", "oauth"])
/** Who a credential belongs to: the team, or one member (used for the agents that member owns). */
export const CredentialOwner = Schema.Literals(["team", "member"])

/** Headers a credential may not set: the transport's own (RFC 9110 framing, MCP's session and version). */
export const RESERVED_HEADERS: ReadonlyArray<string> = [
  "host",
  "content-length",
  "content-type",
  "accept",
  "connection",
  "transfer-encoding",
  "mcp-session-id",
  "mcp-protocol-version",
  "last-event-id"
]

/** An HTTP header name (an RFC 9110 token), not one of the transport's own. */
export const HeaderName = Schema.String.check(
  Schema.isPattern(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,64}$/, { message: "a header name is 1-64 token characters (RFC 9110), such as X-API-Key" }),
  Schema.makeFilter((s: string) => !RESERVED_HEADERS.includes(s.toLowerCase()) || `the header '${s}' belongs to the transport; a credential may not set it`)
)

/**
 * v2: the vault's shape. `ref` is gone (the credential's name is its vault id), and the credential
 * says whose it is and what it may do. `header` names the header of a `header` credential.
 */
export const CredentialConnected = defineEvent("CredentialConnected", {
  credential: CredentialName,
  plugin: PluginName,
  kind: CredentialKind,
  header: Schema.optional(HeaderName),
  owner: CredentialOwner,
  /** The member who owns it, when `owner` is `member`. */
  member: Schema.optional(MemberId),
  /** HMAC-SHA-256 of the value under a key derived from BERTH_VAULT_KEY, 32 hex digits. */
  fingerprint: Schema.String,
  scopes: Schema.Array(Schema.String),
  subject: Schema.optional(Schema.String),
  expiresAt: Schema.optional(Schema.String)
})
/** The vault's row (the wrapped key and the ciphertext) was deleted in the same transaction: crypto-shredding. */
export const CredentialRevoked = defineEvent("CredentialRevoked", {
  credential: CredentialName,
  reason: Schema.optional(Schema.String)
})
/**
 * v2: a grant lets calls to a plugin carry a credential, narrowed to some of its tools (names as the
 * upstream calls them) and some agents; absent means all. `grant` is its id. `plugin` is absent only
 * in grants upcast from v1, which meant the credential's own plugin.
 */
export const CredentialGranted = defineEvent("CredentialGranted", {
  grant: Schema.String,
  credential: CredentialName,
  plugin: Schema.optional(PluginName),
  tools: Schema.optional(Schema.Array(Schema.String.check(Schema.isMinLength(1)))),
  agents: Schema.optional(Schema.Array(AgentName))
})
/**
 * An OAuth credential's access token was refreshed (before it expired, or after the upstream answered
 * 401). The fingerprint stays the connection's; the new tokens replaced the old in the vault.
 */
export const CredentialRefreshed = defineEvent("CredentialRefreshed", {
  credential: CredentialName,
  expiresAt: Schema.optional(Schema.String),
  scopes: Schema.optional(Schema.Array(Schema.String))
})
/**
 * An OAuth credential can no longer be refreshed (the authorization server refused its refresh
 * token): its tokens were shredded with this event, and calls that need it are refused until it is
 * connected again.
 */
export const CredentialExpired = defineEvent("CredentialExpired", {
  credential: CredentialName,
  reason: Schema.String
})
/** v2: names the grant by its id. */
export const CredentialGrantRevoked = defineEvent("CredentialGrantRevoked", {
  grant: Schema.String,
  credential: CredentialName
})

export const CredentialEvents = [
  OAuthClientConfigured,
  CredentialConnected,
  CredentialRevoked,
  CredentialRefreshed,
  CredentialExpired,
  CredentialGranted,
  CredentialGrantRevoked
] as const
export type CredentialEvent = Schema.Schema.Type<(typeof CredentialEvents)[number]>
