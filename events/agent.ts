// Agent events: who may dock. An agent docks with a key or through OAuth 2.1. A key is shown once and
// never logged; the log keeps its sha256 (safe to publish: the key is 32 random bytes) and a short
// prefix to recognise it by. An OAuth agent is the client a member approved on the consent page; its
// tokens live with the OAuth provider (hashed), and the log keeps the client id and who consented.
import { Schema } from "effect"
import { defineEvent } from "./define.ts"
import { AgentName, MemberId, Sha256Hex } from "./names.ts"

export const AgentVia = Schema.Literals(["key", "oauth"])

/**
 * v2 adds `via`. A key agent carries `keyHash` and `keyPrefix`; an OAuth agent carries `clientId`
 * (a client id metadata document URL, or the id dynamic or admin registration gave it) and the
 * client's name as its metadata said. Its `owner` is the member who approved it.
 */
export const AgentRegistered = defineEvent("AgentRegistered", {
  agent: AgentName,
  via: AgentVia,
  keyHash: Schema.optional(Sha256Hex),
  keyPrefix: Schema.optional(Schema.String),
  clientId: Schema.optional(Schema.String),
  clientName: Schema.optional(Schema.String),
  owner: Schema.optional(MemberId)
})
export const AgentSuspended = defineEvent("AgentSuspended", { agent: AgentName, reason: Schema.optional(Schema.String) })
export const AgentRevoked = defineEvent("AgentRevoked", { agent: AgentName, reason: Schema.optional(Schema.String) })

/** A member approved an OAuth client on the consent page, for this agent (registered then or before). */
export const OAuthConsentGranted = defineEvent("OAuthConsentGranted", {
  agent: AgentName,
  clientId: Schema.String,
  member: MemberId,
  scopes: Schema.Array(Schema.String),
  /** Where the client's tokens were sent: the redirect URI's host. */
  redirectHost: Schema.String
})
/** A member denied an OAuth client on the consent page. */
export const OAuthConsentDenied = defineEvent("OAuthConsentDenied", {
  clientId: Schema.String,
  clientName: Schema.String,
  member: MemberId,
  redirectHost: Schema.String
})

/**
 * An OAuth client that agents dock with, registered ahead of time by an admin (`berth client add`)
 * rather than by the client itself. The provider keeps its record (and only a hash of any secret).
 */
export const AgentClientRegistered = defineEvent("AgentClientRegistered", {
  clientId: Schema.String,
  clientName: Schema.String,
  redirectUris: Schema.Array(Schema.String),
  /** A confidential client authenticates with a secret, shown once to the admin and never logged. */
  confidential: Schema.Boolean
})
/** The client is gone, and with it every grant and token it held. */
export const AgentClientRemoved = defineEvent("AgentClientRemoved", { clientId: Schema.String })

export const AgentEvents = [
  AgentRegistered,
  AgentSuspended,
  AgentRevoked,
  OAuthConsentGranted,
  OAuthConsentDenied,
  AgentClientRegistered,
  AgentClientRemoved
] as const
export type AgentEvent = Schema.Schema.Type<(typeof AgentEvents)[number]>
