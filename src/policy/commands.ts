// Policy commands: store a Cedar policy set's text under an id, or remove it. Parsing and
// validating the Cedar, and evaluating it, arrive with the policy engine (issue 4).
import { sha256Hex } from "../workspace/sha256-hex.ts"
import { Effect, Schema } from "effect"
import { event, PolicyId } from "../../events/index.ts"
import type { WorkspaceState } from "../../projections/state.ts"
import { requireWorkspace } from "../workspace/decider.ts"
import { PolicyNotFound } from "./errors.ts"

const MAX_POLICY_BYTES = 256 * 1024

const PolicyText = Schema.String.check(
  Schema.makeFilter((s: string) => s.trim().length > 0 || "the policy text is empty"),
  Schema.makeFilter((s: string) => new TextEncoder().encode(s).byteLength <= MAX_POLICY_BYTES || "a policy set is at most 256 KiB of UTF-8")
)

export class SetPolicy extends Schema.TaggedClass<SetPolicy>()("SetPolicy", { policy: PolicyId, text: PolicyText }) {}

export const decideSetPolicy = Effect.fnUntraced(function* (state: WorkspaceState, command: SetPolicy, slug: string) {
  yield* requireWorkspace(state, slug)
  const digest = sha256Hex(command.text)
  // Setting the same text again changes nothing, so it records nothing.
  if (state.policies[command.policy]?.sha256 === digest) return []
  return [event("PolicySet", { policy: command.policy, text: command.text, sha256: digest })]
})

export class RemovePolicy extends Schema.TaggedClass<RemovePolicy>()("RemovePolicy", { policy: PolicyId }) {}

export const decideRemovePolicy = Effect.fnUntraced(function* (state: WorkspaceState, command: RemovePolicy, slug: string) {
  yield* requireWorkspace(state, slug)
  if (!state.policies[command.policy]) return yield* new PolicyNotFound({ policy: command.policy })
  return [event("PolicyRemoved", { policy: command.policy })]
})
