// A proposed policy set, for `policy test` and `policy simulate`: validated as SetPolicy would
// validate it, then put in place of set `as` (default `proposed`, beside the others).
import type { WorkspaceState } from "../../projections/state.ts"
import { sha256Hex } from "../workspace/sha256-hex.ts"
import { validatePolicySet } from "./validate.ts"

/** A refused proposal, in the fields of InvalidPolicy. */
export interface RefusedProposal {
  readonly ok: false
  readonly policy: string
  readonly reason: string
  readonly line?: number
  readonly column?: number
}

export const withProposal = (
  policies: WorkspaceState["policies"],
  text: string,
  as = "proposed"
): { readonly ok: true; readonly policies: WorkspaceState["policies"] } | RefusedProposal => {
  const checked = validatePolicySet(as, text)
  if (!checked.ok)
    return { ok: false, policy: as, reason: checked.message, ...(checked.location ? { line: checked.location.line, column: checked.location.column } : {}) }
  return { ok: true, policies: { ...policies, [as]: { text, sha256: sha256Hex(text), setAt: new Date().toISOString() } } }
}
