// Policy events: a Cedar policy set stored under an id, as text (its hash lets an auditor match it).
import { Schema } from "effect"
import { defineEvent } from "./define.ts"
import { PolicyId, Sha256Hex } from "./names.ts"

export const PolicySet = defineEvent("PolicySet", { policy: PolicyId, text: Schema.String, sha256: Sha256Hex })
export const PolicyRemoved = defineEvent("PolicyRemoved", { policy: PolicyId })

/** A token bucket: `perMinute` tokens refill per minute, up to `burst` (default `perMinute`). */
export const RateLimitScope = Schema.Literals(["agent", "tool", "workspace"])
export const RateLimitSet = defineEvent("RateLimitSet", {
  scope: RateLimitScope,
  /** The agent name or `{plugin}__{tool}`; absent for the workspace-wide limit. */
  target: Schema.optional(Schema.String),
  perMinute: Schema.Int.check(Schema.isGreaterThanOrEqualTo(1)),
  burst: Schema.optional(Schema.Int.check(Schema.isGreaterThanOrEqualTo(1)))
})
export const RateLimitRemoved = defineEvent("RateLimitRemoved", { scope: RateLimitScope, target: Schema.optional(Schema.String) })

export const PolicyEvents = [PolicySet, PolicyRemoved, RateLimitSet, RateLimitRemoved] as const
export type PolicyEvent = Schema.Schema.Type<(typeof PolicyEvents)[number]>
