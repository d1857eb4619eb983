// The OAuth credential kind's commands. ConfigureOAuthClient is an admin's: the team's pre-registered
// app for a plugin (its secret sealed by the vault, the event carrying a fingerprint). The other three
// are recorded by the plane itself, never sent by admins (src/admin/dispatch.ts): the callback's
// ConnectOAuthCredential, as the member who started the connect, and a session's RefreshCredential
// and ExpireCredential, as the system.
import { Effect, Schema } from "effect"
import { CredentialName, event, ISO_8601_WITH_ZONE, MemberId, PluginName } from "../../../events/index.ts"
import type { WorkspaceState } from "../../../projections/state.ts"
import { isLoopbackHostname } from "../../auth/loopback.ts"
import { PluginNotFound } from "../../registry/errors.ts"
import { requireWorkspace } from "../../workspace/decider.ts"
import { InvalidCommand, MemberNotFound } from "../../workspace/errors.ts"
import { clientSecretRow } from "../store.ts"
import { CredentialAlreadyRevoked, CredentialNotFound } from "../errors.ts"

const IsoTime = Schema.String.check(
  Schema.makeFilter((s: string) => (ISO_8601_WITH_ZONE.test(s) && !Number.isNaN(Date.parse(s))) || "expected an ISO-8601 time with a zone")
)
const Scope = Schema.String.check(Schema.isPattern(/^[^\s]{1,200}$/, { message: "a scope is 1-200 characters without spaces" }))
const Fingerprint = Schema.String.check(Schema.isPattern(/^[0-9a-f]{32}$/, { message: "a fingerprint is 32 hex digits, filled in by the vault" }))

/** https, or plain http on a loopback host: where OAuth may run (as for Berth's own issuers). */
const oauthUrlRule = (value: string): string | undefined => {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    return "is not a URL"
  }
  if (url.protocol === "https:" || (url.protocol === "http:" && isLoopbackHostname(url.hostname))) return undefined
  return "must be https (or http on a loopback host)"
}

/** Sent by the admin edge with the client secret beside it, which goes to the vault alone. */
export class ConfigureOAuthClient extends Schema.TaggedClass<ConfigureOAuthClient>()("ConfigureOAuthClient", {
  plugin: PluginName,
  clientId: Schema.String.check(Schema.isPattern(/^[\x21-\x7e]{1,500}$/, { message: "a client id is 1-500 printable characters without spaces" })),
  /** The authorization server's issuer; filled in by discovery from the plugin's URL when absent. */
  authorizationServer: Schema.String,
  scopes: Schema.optional(Schema.Array(Scope)),
  /** Filled in by the vault when a secret came with the command; absent for a public client. */
  secretFingerprint: Schema.optional(Fingerprint)
}) {}

export const decideConfigureOAuthClient = Effect.fnUntraced(function* (state: WorkspaceState, command: ConfigureOAuthClient, slug: string) {
  yield* requireWorkspace(state, slug)
  const { plugin, clientId, authorizationServer, scopes, secretFingerprint } = command
  if (!state.plugins[plugin]) return yield* new PluginNotFound({ plugin })
  const rule = oauthUrlRule(authorizationServer)
  if (rule) return yield* new InvalidCommand({ field: "authorizationServer", reason: rule })
  return [
    event("OAuthClientConfigured", {
      plugin,
      clientId,
      authorizationServer,
      scopes: scopes ?? [],
      ...(secretFingerprint === undefined ? {} : { secretRef: clientSecretRow(plugin), secretFingerprint })
    })
  ]
})

/** Recorded by the callback once the upstream's authorization server has issued tokens. */
export class ConnectOAuthCredential extends Schema.TaggedClass<ConnectOAuthCredential>()("ConnectOAuthCredential", {
  credential: CredentialName,
  plugin: PluginName,
  forMember: Schema.optional(MemberId),
  scopes: Schema.Array(Scope),
  expiresAt: Schema.optional(IsoTime),
  /** The keyed hash of the connection's first refresh token (or access token, when none was issued). */
  fingerprint: Fingerprint
}) {}

export const decideConnectOAuthCredential = Effect.fnUntraced(function* (state: WorkspaceState, command: ConnectOAuthCredential, slug: string) {
  yield* requireWorkspace(state, slug)
  const { credential, plugin, forMember, scopes, expiresAt, fingerprint } = command
  if (!state.plugins[plugin]) return yield* new PluginNotFound({ plugin })
  if (forMember !== undefined && !state.members[forMember]) return yield* new MemberNotFound({ member: forMember })
  return [
    event("CredentialConnected", {
      credential,
      plugin,
      kind: "oauth",
      owner: forMember === undefined ? "team" : "member",
      ...(forMember === undefined ? {} : { member: forMember }),
      fingerprint,
      scopes: [...scopes],
      ...(expiresAt === undefined ? {} : { expiresAt: new Date(expiresAt).toISOString() })
    })
  ]
})

const liveOAuthCredential = (state: WorkspaceState, credential: string) => {
  const c = state.credentials[credential]
  if (!c) return Effect.fail(new CredentialNotFound({ credential }))
  if (c.status !== "active") return Effect.fail(new CredentialAlreadyRevoked({ credential }))
  if (c.kind !== "oauth") return Effect.fail(new InvalidCommand({ field: "credential", reason: `'${credential}' is a ${c.kind} credential; only an OAuth credential is refreshed` }))
  return Effect.succeed(c)
}

/** Recorded by a session after the authorization server issued a new access token. */
export class RefreshCredential extends Schema.TaggedClass<RefreshCredential>()("RefreshCredential", {
  credential: CredentialName,
  expiresAt: Schema.optional(IsoTime),
  scopes: Schema.optional(Schema.Array(Scope))
}) {}

export const decideRefreshCredential = Effect.fnUntraced(function* (state: WorkspaceState, command: RefreshCredential, slug: string) {
  yield* requireWorkspace(state, slug)
  yield* liveOAuthCredential(state, command.credential)
  const { credential, expiresAt, scopes } = command
  return [
    event("CredentialRefreshed", {
      credential,
      ...(expiresAt === undefined ? {} : { expiresAt: new Date(expiresAt).toISOString() }),
      ...(scopes === undefined ? {} : { scopes: [...scopes] })
    })
  ]
})

/** Recorded by a session when the authorization server refused its refresh token. */
export class ExpireCredential extends Schema.TaggedClass<ExpireCredential>()("ExpireCredential", {
  credential: CredentialName,
  reason: Schema.String.check(Schema.isMaxLength(500))
}) {}

export const decideExpireCredential = Effect.fnUntraced(function* (state: WorkspaceState, command: ExpireCredential, slug: string) {
  yield* requireWorkspace(state, slug)
  yield* liveOAuthCredential(state, command.credential)
  return [event("CredentialExpired", { credential: command.credential, reason: command.reason })]
})
