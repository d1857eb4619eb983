// Bot allowlist commands: set or remove a rule (admins), and record a client the list refused (the
// consent page and the MCP endpoint, never the admin RPC).
import { Effect, Schema } from "effect"
import { AgentName, BotEffect, BotMatch, event, MemberId } from "../../events/index.ts"
import type { WorkspaceState } from "../../projections/state.ts"
import { requireWorkspace } from "../workspace/decider.ts"
import { BotRuleNotFound } from "./errors.ts"

export class SetBotRule extends Schema.TaggedClass<SetBotRule>()("SetBotRule", { match: BotMatch, effect: BotEffect }) {}

export const decideSetBotRule = Effect.fnUntraced(function* (state: WorkspaceState, command: SetBotRule, slug: string) {
  yield* requireWorkspace(state, slug)
  if (state.botRules[command.match]?.effect === command.effect) return []
  return [event("BotRuleSet", { match: command.match, effect: command.effect })]
})

export class RemoveBotRule extends Schema.TaggedClass<RemoveBotRule>()("RemoveBotRule", { match: BotMatch }) {}

export const decideRemoveBotRule = Effect.fnUntraced(function* (state: WorkspaceState, command: RemoveBotRule, slug: string) {
  yield* requireWorkspace(state, slug)
  if (!state.botRules[command.match]) return yield* new BotRuleNotFound({ match: command.match })
  return [event("BotRuleRemoved", { match: command.match })]
})

const text = (max: number) => Schema.String.check(Schema.isMaxLength(max))

export class RecordClientRefusal extends Schema.TaggedClass<RecordClientRefusal>()("RecordClientRefusal", {
  at: Schema.Literals(["consent", "mcp"]),
  clientName: text(200),
  clientVersion: Schema.optional(text(100)),
  clientId: Schema.optional(text(2000)),
  agent: Schema.optional(AgentName),
  member: Schema.optional(MemberId),
  rule: Schema.optional(text(200))
}) {}

export const decideRecordClientRefusal = Effect.fnUntraced(function* (state: WorkspaceState, command: RecordClientRefusal, slug: string) {
  yield* requireWorkspace(state, slug)
  const { _tag, ...data } = command
  return [event("ClientRefused", Object.fromEntries(Object.entries(data).filter(([, v]) => v !== undefined)) as typeof data)]
})
