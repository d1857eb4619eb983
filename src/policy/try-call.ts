// `policy test`: how the authorize step would decide one call, against the workspace's policies or
// with a proposed set in place of one of them, without calling anything or appending anything.
import type { WorkspaceState } from "../../projections/state.ts"
import { authorizeToolCall, type Decision } from "../mcp/authorize.ts"
import type { PolicyEngine } from "./engine.ts"
import { type RefusedProposal, withProposal } from "./proposal.ts"

export interface TrialCall {
  readonly agent: string
  readonly tool: string
  readonly args?: unknown
  /** A proposed policy set, evaluated in place of set `as` (default `proposed`, beside the others). */
  readonly text?: string | undefined
  readonly as?: string | undefined
}

export type TrialOutcome = { readonly ok: true; readonly decision: Decision; readonly evaluated: ReadonlyArray<string> } | RefusedProposal

export const tryCall = (state: WorkspaceState, engine: PolicyEngine, call: TrialCall): TrialOutcome => {
  let policies = state.policies
  if (call.text !== undefined) {
    const proposed = withProposal(state.policies, call.text, call.as)
    if (!proposed.ok) return proposed
    policies = proposed.policies
  }
  const decision = authorizeToolCall({ ...state, policies }, engine.sync(policies), call.agent, call.tool, call.args ?? {})
  return { ok: true, decision, evaluated: Object.keys(policies).sort() }
}
