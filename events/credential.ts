// Credential events. Secrets never enter the log: material lives in the encrypted vault, and
// events carry only a vault reference and a fingerprint (sha256 of the material, truncated).
import { Schema } from "effect"
import { defineEvent } from "./define.ts"
import { AgentName, PluginName, ToolId } from "./names.ts"

export const OAuthClientConfigured = defineEvent("OAuthClientConfigured", {
  plugin: PluginName,
  clientId: Schema.String,
  authorizationServer: Schema.String,
  scopes: Schema.Array(Schema.String),
  secretRef: Schema.optional(Schema.String),
  secretFingerprint: Schema.optional(Schema.String)
})
export const CredentialConnected = defineEvent("CredentialConnected", {
  credential: Schema.String,
  plugin: PluginName,
  kind: Schema.Literals(["oauth", "bearer"]),
  ref: Schema.String,
  fingerprint: Schema.String,
  subject: Schema.optional(Schema.String),
  expiresAt: Schema.optional(Schema.String)
})
export const CredentialRevoked = defineEvent("CredentialRevoked", {
  credential: Schema.String,
  reason: Schema.optional(Schema.String)
})
/** Grants a credential to an agent, for one tool or (tool absent) every tool of its plugin. */
export const CredentialGranted = defineEvent("CredentialGranted", {
  credential: Schema.String,
  agent: AgentName,
  tool: Schema.optional(ToolId)
})
export const CredentialGrantRevoked = defineEvent("CredentialGrantRevoked", {
  credential: Schema.String,
  agent: AgentName,
  tool: Schema.optional(ToolId)
})

export const CredentialEvents = [
  OAuthClientConfigured,
  CredentialConnected,
  CredentialRevoked,
  CredentialGranted,
  CredentialGrantRevoked
] as const
export type CredentialEvent = Schema.Schema.Type<(typeof CredentialEvents)[number]>
