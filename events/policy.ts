// Policy events: a Cedar policy set stored under an id, as text (its hash lets an auditor match it).
import { Schema } from "effect"
import { defineEvent } from "./define.ts"
import { PolicyId, Sha256Hex } from "./names.ts"

export const PolicySet = defineEvent("PolicySet", { policy: PolicyId, text: Schema.String, sha256: Sha256Hex })
export const PolicyRemoved = defineEvent("PolicyRemoved", { policy: PolicyId })

export const PolicyEvents = [PolicySet, PolicyRemoved] as const
export type PolicyEvent = Schema.Schema.Type<(typeof PolicyEvents)[number]>
