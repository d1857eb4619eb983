// OAuth agent commands, issued by the consent page for the signed-in member (never by the admin
// RPC): an approval registers the client as the member's agent, or reuses the agent it registered
// before, and records the consent; a denial is recorded too.
import { Effect, Schema } from "effect"
import { AgentName, event, MemberId } from "../../events/index.ts"
import type { WorkspaceState } from "../../projections/state.ts"
import { admits, allowCommand } from "../bots/allowlist.ts"
import { ClientNotAllowed } from "../bots/errors.ts"
import { requireWorkspace } from "../workspace/decider.ts"
import { MemberNotFound } from "../workspace/errors.ts"
import { AgentAlreadyExists } from "./errors.ts"

const text = (max: number) => Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(max))

const consentFields = {
  clientId: text(2000),
  clientName: text(200),
  /** The signed-in member who answered the consent page. */
  member: MemberId,
  redirectHost: text(255)
}

export class AuthorizeOAuthAgent extends Schema.TaggedClass<AuthorizeOAuthAgent>()("AuthorizeOAuthAgent", {
  ...consentFields,
  agent: AgentName,
  scopes: Schema.Array(text(100))
}) {}

/** The member's own agent for this client, if one is active: a second approval reuses it. */
export const returningAgent = (state: WorkspaceState, clientId: string, member: string): string | undefined =>
  Object.entries(state.agents).find(([, a]) => a.via === "oauth" && a.clientId === clientId && a.owner === member && a.status === "active")?.[0]

export const decideAuthorizeOAuthAgent = Effect.fnUntraced(function* (state: WorkspaceState, command: AuthorizeOAuthAgent, slug: string) {
  yield* requireWorkspace(state, slug)
  const { agent, clientId, clientName, member, redirectHost, scopes } = command
  if (!state.members[member]) return yield* new MemberNotFound({ member })
  // The allowlist may have changed while the page was open.
  const client = { name: clientName, clientId }
  const verdict = admits(state.botRules, client)
  if (!verdict.admitted)
    return yield* new ClientNotAllowed({ workspace: slug, client: clientName, rule: verdict.rule, allowWith: allowCommand(slug, client, verdict) })
  const granted = event("OAuthConsentGranted", { agent, clientId, member, scopes: [...scopes], redirectHost })
  if (returningAgent(state, clientId, member) === agent) return [granted]
  if (state.agents[agent]) return yield* new AgentAlreadyExists({ agent })
  return [event("AgentRegistered", { agent, via: "oauth", clientId, clientName, owner: member }), granted]
})

export class DenyOAuthConsent extends Schema.TaggedClass<DenyOAuthConsent>()("DenyOAuthConsent", consentFields) {}

export const decideDenyOAuthConsent = Effect.fnUntraced(function* (state: WorkspaceState, command: DenyOAuthConsent, slug: string) {
  yield* requireWorkspace(state, slug)
  const { clientId, clientName, member, redirectHost } = command
  return [event("OAuthConsentDenied", { clientId, clientName, member, redirectHost })]
})

/** A name for a new agent from the client's name: the AgentName rule's characters, unused in this workspace. */
export const suggestAgentName = (state: WorkspaceState, clientName: string): string => {
  const base =
    clientName
      .normalize("NFKD")
      .replace(/[^A-Za-z0-9._-]+/g, "-")
      .replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, "")
      .toLowerCase()
      .slice(0, 56) || "agent"
  if (!state.agents[base]) return base
  for (let i = 2; ; i++) if (!state.agents[`${base}-${i}`]) return `${base}-${i}`
}
