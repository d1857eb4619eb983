// Credential commands: set (the value is sealed by the vault at the object's boundary; the command
// carries only its fingerprint), revoke (the vault shreds the row in the same transaction), grant
// and ungrant. decide reads only the state; none of these sees a value.
import { Effect, Schema } from "effect"
import { AgentName, CredentialName, event, HeaderName, ISO_8601_WITH_ZONE, MemberId, PluginName } from "../../events/index.ts"
import type { WorkspaceState } from "../../projections/state.ts"
import { AgentAlreadyRevoked, AgentNotFound } from "../agent/errors.ts"
import { requireWorkspace } from "../workspace/decider.ts"
import { InvalidCommand, MemberNotFound } from "../workspace/errors.ts"
import { CredentialAlreadyRevoked, CredentialNotFound, GrantNotFound, GrantOutsideOwner } from "./errors.ts"
import { grantId } from "./grants.ts"

const IsoTime = Schema.String.check(
  Schema.makeFilter((s: string) => (ISO_8601_WITH_ZONE.test(s) && !Number.isNaN(Date.parse(s))) || "expected an ISO-8601 time with a zone")
)
const Scope = Schema.String.check(Schema.isPattern(/^[^\s]{1,200}$/, { message: "a scope is 1-200 characters without spaces" }))

/** Sent by the admin edge without its value, which travels beside it to the vault (src/vault/vault.ts). */
export class SetCredential extends Schema.TaggedClass<SetCredential>()("SetCredential", {
  credential: CredentialName,
  plugin: PluginName,
  kind: Schema.Literals(["bearer", "header"]),
  /** The header a `header` credential is sent in. */
  header: Schema.optional(HeaderName),
  /** The member whose credential it is; absent, the team's. */
  forMember: Schema.optional(MemberId),
  scopes: Schema.optional(Schema.Array(Scope)),
  expiresAt: Schema.optional(IsoTime),
  /** Filled in by the vault from the value it sealed. */
  fingerprint: Schema.String.check(Schema.isPattern(/^[0-9a-f]{32}$/, { message: "a fingerprint is 32 hex digits, filled in by the vault" }))
}) {}

export const decideSetCredential = Effect.fnUntraced(function* (state: WorkspaceState, command: SetCredential, slug: string) {
  yield* requireWorkspace(state, slug)
  const { credential, plugin, kind, header, forMember, scopes, expiresAt, fingerprint } = command
  if (kind === "header" && header === undefined)
    return yield* new InvalidCommand({ field: "header", reason: "a header credential names the header it is sent in (--header NAME)" })
  if (kind === "bearer" && header !== undefined)
    return yield* new InvalidCommand({ field: "header", reason: "a bearer credential is sent as Authorization: Bearer, so it takes no header" })
  if (forMember !== undefined && !state.members[forMember]) return yield* new MemberNotFound({ member: forMember })
  return [
    event("CredentialConnected", {
      credential,
      plugin,
      kind,
      ...(header === undefined ? {} : { header }),
      owner: forMember === undefined ? "team" : "member",
      ...(forMember === undefined ? {} : { member: forMember }),
      fingerprint,
      scopes: scopes ?? [],
      ...(expiresAt === undefined ? {} : { expiresAt: new Date(expiresAt).toISOString() })
    })
  ]
})

const activeCredential = (state: WorkspaceState, credential: string) => {
  const c = state.credentials[credential]
  if (!c) return Effect.fail(new CredentialNotFound({ credential }))
  if (c.status === "revoked") return Effect.fail(new CredentialAlreadyRevoked({ credential }))
  return Effect.succeed(c)
}

export class RevokeCredential extends Schema.TaggedClass<RevokeCredential>()("RevokeCredential", {
  credential: CredentialName,
  reason: Schema.optional(Schema.String.check(Schema.isMaxLength(500)))
}) {}

export const decideRevokeCredential = Effect.fnUntraced(function* (state: WorkspaceState, command: RevokeCredential, slug: string) {
  yield* requireWorkspace(state, slug)
  yield* activeCredential(state, command.credential)
  const { credential, reason } = command
  return [event("CredentialRevoked", reason === undefined ? { credential } : { credential, reason })]
})

const Names = <S extends Schema.Top>(item: S) => Schema.optional(Schema.Array(item).check(Schema.isMinLength(1)))

export class GrantCredential extends Schema.TaggedClass<GrantCredential>()("GrantCredential", {
  credential: CredentialName,
  plugin: PluginName,
  /** Tool names as the plugin calls them (not `{plugin}__{tool}`); absent: every tool. */
  tools: Names(Schema.String.check(Schema.isPattern(/^[^\s]{1,128}$/, { message: "a tool name is 1-128 characters without spaces" }))),
  /** Absent: every agent (a member's credential: every agent of that member). */
  agents: Names(AgentName)
}) {}

export const decideGrantCredential = Effect.fnUntraced(function* (state: WorkspaceState, command: GrantCredential, slug: string) {
  yield* requireWorkspace(state, slug)
  const credential = yield* activeCredential(state, command.credential)
  for (const agent of command.agents ?? []) {
    const registered = state.agents[agent]
    if (!registered) return yield* new AgentNotFound({ agent })
    if (registered.status === "revoked") return yield* new AgentAlreadyRevoked({ agent })
    if (credential.owner === "member" && registered.owner !== credential.member)
      return yield* new GrantOutsideOwner({ credential: command.credential, member: credential.member!, agent })
  }
  const scope = { credential: command.credential, plugin: command.plugin, tools: command.tools, agents: command.agents }
  const grant = grantId(scope)
  if (state.grants[grant]) return []
  return [
    event("CredentialGranted", {
      grant,
      credential: scope.credential,
      plugin: scope.plugin,
      ...(scope.tools === undefined ? {} : { tools: [...scope.tools].sort() }),
      ...(scope.agents === undefined ? {} : { agents: [...scope.agents].sort() })
    })
  ]
})

export class UngrantCredential extends Schema.TaggedClass<UngrantCredential>()("UngrantCredential", { grant: Schema.String }) {}

export const decideUngrantCredential = Effect.fnUntraced(function* (state: WorkspaceState, command: UngrantCredential, slug: string) {
  yield* requireWorkspace(state, slug)
  const grant = state.grants[command.grant]
  if (!grant) return yield* new GrantNotFound({ grant: command.grant })
  return [event("CredentialGrantRevoked", { grant: command.grant, credential: grant.credential })]
})
