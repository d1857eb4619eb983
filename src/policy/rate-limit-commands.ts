// Rate limit commands: a token bucket per agent, per tool, or for the whole workspace. The limits
// are workspace state (so they hold across sessions and re-initializations); the buckets that
// enforce them live in the Durable Object (src/policy/rate-limiter.ts).
import { isMemoryTool } from "../memory/tools.ts"
import { Effect, Schema } from "effect"
import { event, RateLimitScope } from "../../events/index.ts"
import { limitKey, type WorkspaceState } from "../../projections/state.ts"
import { AgentNotFound } from "../agent/errors.ts"
import { ToolNotFound } from "../registry/errors.ts"
import { requireWorkspace } from "../workspace/decider.ts"
import { InvalidCommand } from "../workspace/errors.ts"
import { RateLimitNotFound } from "./errors.ts"

const PerMinute = Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 1_000_000 }))

/** An agent or tool limit names its target; the workspace limit has none. */
const checkTarget = (state: WorkspaceState, scope: RateLimitScope, target: string | undefined) => {
  if (scope === "workspace")
    return target === undefined ? Effect.void : Effect.fail(new InvalidCommand({ field: "target", reason: "a workspace limit has no target" }))
  if (target === undefined) return Effect.fail(new InvalidCommand({ field: "target", reason: `a ${scope} limit names its ${scope}` }))
  if (scope === "agent" && !state.agents[target]) return Effect.fail(new AgentNotFound({ agent: target }))
  // Berth's own memory tools are limited by their names like any installed tool.
  if (scope === "tool" && !state.tools[target] && !isMemoryTool(target)) return Effect.fail(new ToolNotFound({ tool: target }))
  return Effect.void
}

type RateLimitScope = typeof RateLimitScope.Type

export class SetRateLimit extends Schema.TaggedClass<SetRateLimit>()("SetRateLimit", {
  scope: RateLimitScope,
  target: Schema.optional(Schema.String),
  perMinute: PerMinute,
  burst: Schema.optional(PerMinute)
}) {}

export const decideSetRateLimit = Effect.fnUntraced(function* (state: WorkspaceState, command: SetRateLimit, slug: string) {
  yield* requireWorkspace(state, slug)
  const { scope, target, perMinute, burst } = command
  yield* checkTarget(state, scope, target)
  const current = state.limits[limitKey(scope, target)]
  if (current && current.perMinute === perMinute && current.burst === burst) return []
  return [
    event("RateLimitSet", {
      scope,
      perMinute,
      ...(target === undefined ? {} : { target }),
      ...(burst === undefined ? {} : { burst })
    })
  ]
})

export class RemoveRateLimit extends Schema.TaggedClass<RemoveRateLimit>()("RemoveRateLimit", {
  scope: RateLimitScope,
  target: Schema.optional(Schema.String)
}) {}

export const decideRemoveRateLimit = Effect.fnUntraced(function* (state: WorkspaceState, command: RemoveRateLimit, slug: string) {
  yield* requireWorkspace(state, slug)
  const key = limitKey(command.scope, command.target)
  if (!state.limits[key]) return yield* new RateLimitNotFound({ limit: key })
  return [event("RateLimitRemoved", { scope: command.scope, ...(command.target === undefined ? {} : { target: command.target }) })]
})
