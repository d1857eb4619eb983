// Policy commands: store a Cedar policy set under an id, after Cedar has validated it against
// Berth's schema (src/policy/schema.ts), or remove it. Evaluation is src/policy/engine.ts.
import { sha256Hex } from "../workspace/sha256-hex.ts"
import { Effect, Schema } from "effect"
import { event, PolicyId } from "../../events/index.ts"
import type { WorkspaceState } from "../../projections/state.ts"
import { requireWorkspace } from "../workspace/decider.ts"
import { InvalidPolicy, PolicyNotFound } from "./errors.ts"
import { splitPolicySet, validatePolicySet } from "./validate.ts"

const splitPolicySetIds = (id: string, text: string): Array<string> => {
  const split = splitPolicySet(id, text)
  return split.ok ? split.policies.map((p) => p.id) : []
}

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
  const checked = validatePolicySet(command.policy, command.text)
  if (!checked.ok)
    return yield* new InvalidPolicy({
      policy: command.policy,
      reason: checked.message,
      ...(checked.location ? { line: checked.location.line, column: checked.location.column } : {})
    })
  // Each policy's id must name it alone across the workspace, or a denial could not say which one.
  const taken = new Set(
    Object.entries(state.policies)
      .filter(([id]) => id !== command.policy)
      .flatMap(([id, p]) => splitPolicySetIds(id, p.text))
  )
  const clash = checked.policies.find((p) => taken.has(p.id))
  if (clash) return yield* new InvalidPolicy({ policy: command.policy, reason: `policy id '${clash.id}' is already used by another policy set` })
  return [event("PolicySet", { policy: command.policy, text: command.text, sha256: digest })]
})

export class RemovePolicy extends Schema.TaggedClass<RemovePolicy>()("RemovePolicy", { policy: PolicyId }) {}

export const decideRemovePolicy = Effect.fnUntraced(function* (state: WorkspaceState, command: RemovePolicy, slug: string) {
  yield* requireWorkspace(state, slug)
  if (!state.policies[command.policy]) return yield* new PolicyNotFound({ policy: command.policy })
  return [event("PolicyRemoved", { policy: command.policy })]
})
