// Agent commands: register an agent (with a key minted at the edge), suspend it, revoke it.
import { Effect, Schema } from "effect"
import { AgentName, event, MemberId, Sha256Hex } from "../../events/index.ts"
import type { WorkspaceState } from "../../projections/state.ts"
import { requireWorkspace } from "../workspace/decider.ts"
import { MemberNotFound } from "../workspace/errors.ts"
import { AgentAlreadyExists, AgentAlreadyRevoked, AgentAlreadySuspended, AgentNotFound } from "./errors.ts"

/** The key is minted by the admin edge (agent-key.ts); the command carries only its hash. */
export class RegisterAgent extends Schema.TaggedClass<RegisterAgent>()("RegisterAgent", {
  agent: AgentName,
  owner: Schema.optional(MemberId),
  keyHash: Sha256Hex,
  keyPrefix: Schema.String
}) {}

export const decideRegisterAgent = Effect.fnUntraced(function* (state: WorkspaceState, command: RegisterAgent, slug: string) {
  yield* requireWorkspace(state, slug)
  if (state.agents[command.agent]) return yield* new AgentAlreadyExists({ agent: command.agent })
  if (command.owner !== undefined && !state.members[command.owner])
    return yield* new MemberNotFound({ member: command.owner })
  const { agent, keyHash, keyPrefix, owner } = command
  const via = "key" as const
  return [event("AgentRegistered", owner === undefined ? { agent, via, keyHash, keyPrefix } : { agent, via, keyHash, keyPrefix, owner })]
})

const reason = Schema.optional(Schema.String.check(Schema.isMaxLength(500)))

export class SuspendAgent extends Schema.TaggedClass<SuspendAgent>()("SuspendAgent", { agent: AgentName, reason }) {}

export const decideSuspendAgent = Effect.fnUntraced(function* (state: WorkspaceState, command: SuspendAgent, slug: string) {
  yield* requireWorkspace(state, slug)
  const agent = state.agents[command.agent]
  if (!agent) return yield* new AgentNotFound({ agent: command.agent })
  if (agent.status === "revoked") return yield* new AgentAlreadyRevoked({ agent: command.agent })
  if (agent.status === "suspended") return yield* new AgentAlreadySuspended({ agent: command.agent })
  return [event("AgentSuspended", withReason({ agent: command.agent }, command.reason))]
})

export class RevokeAgent extends Schema.TaggedClass<RevokeAgent>()("RevokeAgent", { agent: AgentName, reason }) {}

export const decideRevokeAgent = Effect.fnUntraced(function* (state: WorkspaceState, command: RevokeAgent, slug: string) {
  yield* requireWorkspace(state, slug)
  const agent = state.agents[command.agent]
  if (!agent) return yield* new AgentNotFound({ agent: command.agent })
  if (agent.status === "revoked") return yield* new AgentAlreadyRevoked({ agent: command.agent })
  // Revocation is final: the agent's scheduled jobs go with it, each cancelled on the record.
  const jobs = Object.entries(state.jobs).filter(([, job]) => job.agent === command.agent)
  return [
    event("AgentRevoked", withReason({ agent: command.agent }, command.reason)),
    ...jobs.map(([job]) => event("JobCancelled", { job, reason: `agent '${command.agent}' was revoked` }))
  ]
})

const withReason = <T extends object>(data: T, reason: string | undefined) =>
  reason === undefined ? data : { ...data, reason }
