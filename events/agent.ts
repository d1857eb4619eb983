// Agent events: who may dock. The key itself is shown once and never logged; the log keeps its
// sha256 (safe to publish: the key is 32 random bytes) and a short prefix to recognise it by.
import { Schema } from "effect"
import { defineEvent } from "./define.ts"
import { AgentName, MemberId, Sha256Hex } from "./names.ts"

export const AgentRegistered = defineEvent("AgentRegistered", {
  agent: AgentName,
  keyHash: Sha256Hex,
  keyPrefix: Schema.String,
  owner: Schema.optional(MemberId)
})
export const AgentSuspended = defineEvent("AgentSuspended", { agent: AgentName, reason: Schema.optional(Schema.String) })
export const AgentRevoked = defineEvent("AgentRevoked", { agent: AgentName, reason: Schema.optional(Schema.String) })

export const AgentEvents = [AgentRegistered, AgentSuspended, AgentRevoked] as const
export type AgentEvent = Schema.Schema.Type<(typeof AgentEvents)[number]>
