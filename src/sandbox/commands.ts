// SetCodeLimits: the workspace's limits for code runs (docs/execution.md#limits). Each limit given
// replaces the current one, `defaults` restores the defaults first, and the event records the whole
// set in force afterwards, so a reader of the log never has to know what the defaults were.
import { Effect, Schema } from "effect"
import { event } from "../../events/index.ts"
import type { WorkspaceState } from "../../projections/state.ts"
import { requireWorkspace } from "../workspace/decider.ts"
import { InvalidCommand } from "../workspace/errors.ts"
import { CODE_LIMIT_RANGES, DEFAULT_CODE_LIMITS, workspaceLimits } from "./limits.ts"

const limit = (range: { minimum: number; maximum: number }) => Schema.optional(Schema.Int.check(Schema.isBetween(range)))

export class SetCodeLimits extends Schema.TaggedClass<SetCodeLimits>()("SetCodeLimits", {
  wallMs: limit(CODE_LIMIT_RANGES.wallMs),
  cpuMs: limit(CODE_LIMIT_RANGES.cpuMs),
  resultBytes: limit(CODE_LIMIT_RANGES.resultBytes),
  primitiveCalls: limit(CODE_LIMIT_RANGES.primitiveCalls),
  /** Start from the defaults rather than the limits in force. */
  defaults: Schema.optional(Schema.Boolean)
}) {}

export const decideSetCodeLimits = Effect.fnUntraced(function* (state: WorkspaceState, command: SetCodeLimits, slug: string) {
  const workspace = yield* requireWorkspace(state, slug)
  const { defaults, wallMs, cpuMs, resultBytes, primitiveCalls } = command
  const given = Object.fromEntries(Object.entries({ wallMs, cpuMs, resultBytes, primitiveCalls }).filter(([, v]) => v !== undefined))
  if (Object.keys(given).length === 0 && defaults !== true)
    return yield* new InvalidCommand({ field: "wallMs", reason: "give at least one of wallMs, cpuMs, resultBytes or primitiveCalls, or defaults: true" })
  const current = workspaceLimits(workspace)
  const limits = { ...(defaults === true ? DEFAULT_CODE_LIMITS : current), ...given }
  // Nothing changes only when the workspace already has limits of its own equal to these.
  if ((Object.keys(limits) as Array<keyof typeof limits>).every((k) => limits[k] === current[k]) && workspace.codeLimits !== undefined) return []
  return [event("CodeLimitsSet", limits)]
})
