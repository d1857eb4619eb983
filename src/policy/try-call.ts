// `policy test`: how the authorize step would decide one call, against the workspace's policies or
// with a proposed set in place of one of them, without calling anything or appending anything.
import type { WorkspaceState } from "../../projections/state.ts"
import { authorizeToolCall, type Decision } from "../mcp/authorize.ts"
import { sha256Hex } from "../workspace/sha256-hex.ts"
import type { PolicyEngine } from "./engine.ts"
import { validatePolicySet } from "./validate.ts"

export interface TrialCall {
  readonly agent: string
  readonly tool: string
  readonly args?: unknown
  /** A proposed policy set, evaluated in place of set `as` (default `proposed`, beside the others). */
  readonly text?: string | undefined
  readonly as?: string | undefined
}

export type TrialOutcome =
  | { readonly ok: true; readonly decision: Decision; readonly evaluated: ReadonlyArray<string> }
  | { readonly ok: false; readonly policy: string; readonly reason: string; readonly line?: number; readonly column?: number }

export const tryCall = (state: WorkspaceState, engine: PolicyEngine, call: TrialCall): TrialOutcome => {
  let policies = state.policies
  if (call.text !== undefined) {
    const id = call.as ?? "proposed"
    const checked = validatePolicySet(id, call.text)
    if (!checked.ok)
      return { ok: false, policy: id, reason: checked.message, ...(checked.location ? { line: checked.location.line, column: checked.location.column } : {}) }
    policies = { ...state.policies, [id]: { text: call.text, sha256: sha256Hex(call.text), setAt: new Date().toISOString() } }
  }
  const decision = authorizeToolCall({ ...state, policies }, engine.sync(policies), call.agent, call.tool, call.args ?? {})
  return { ok: true, decision, evaluated: Object.keys(policies).sort() }
}
