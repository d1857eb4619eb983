// Cedar's answer read as Berth's decision: fail closed on an erroring forbid, name the denying policy,
// and say whether a tool is reachable at all for tools/list.
import type { AuthorizationAnswer } from "./cedar.ts"

export interface PolicyDecision {
  readonly decision: "allow" | "deny"
  /** The policies that determined it: the permits of an allow, the forbids of a deny; none for a default deny. */
  readonly policies: ReadonlyArray<string>
  /** For a deny, why, naming the forbidding policy but never its text. */
  readonly reason?: string
  /** Policies that could not be evaluated for this call, as `<id>: <Cedar's message>`. */
  readonly errors: ReadonlyArray<string>
}

export const NO_PERMIT = "no policy permits this call"

/** Cedar's answer as Berth's decision. */
export const decide = (answer: AuthorizationAnswer, forbids: ReadonlySet<string>): PolicyDecision => {
  if (answer.type === "failure") {
    const errors = answer.errors.map((e) => e.message)
    return { decision: "deny", policies: [], reason: `the policies could not be evaluated: ${errors[0] ?? "no message"}`, errors }
  }
  const { decision, diagnostics } = answer.response
  const errors = diagnostics.errors.map((e) => `${e.policyId}: ${e.error.message}`)
  // Cedar skips a policy that errors, so an erroring forbid would fail open; Berth fails closed.
  const failedForbids = diagnostics.errors.map((e) => e.policyId).filter((id) => forbids.has(id))
  const heldForbids = decision === "deny" ? diagnostics.reason : []
  const forbidding = [...new Set([...heldForbids, ...failedForbids])]
  if (forbidding.length > 0) {
    const first = forbidding[0]!
    const why = heldForbids.includes(first) ? "" : " (it could not be evaluated for this call, so it denies)"
    return { decision: "deny", policies: forbidding, reason: `forbidden by policy '${first}'${why}`, errors }
  }
  if (decision === "allow") return { decision, policies: diagnostics.reason, errors }
  return { decision: "deny", policies: [], reason: NO_PERMIT, errors }
}

/**
 * tools/list, from an evaluation with the arguments and time unknown: a policy that depends on them
 * errors with "the expression contains unknown(s)". Reachable unless a forbid holds or fails whatever
 * the arguments, or no permit holds or depends on them.
 */
export const isReachable = (answer: AuthorizationAnswer | undefined, forbids: ReadonlySet<string>) => {
  if (!answer || answer.type !== "success") return false
  const { decision, diagnostics } = answer.response
  if (decision === "allow") return true
  const dependsOnArgs = (message: string) => message.startsWith("the expression contains unknown(s)")
  if (diagnostics.reason.some((id) => forbids.has(id))) return false
  if (diagnostics.errors.some((e) => forbids.has(e.policyId) && !dependsOnArgs(e.error.message))) return false
  return diagnostics.errors.some((e) => !forbids.has(e.policyId) && dependsOnArgs(e.error.message))
}
