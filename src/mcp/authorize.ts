// The authorize step of every MCP call: one function, so Cedar policies (next) grow it in one place.
// Today's rules: the agent is active, and the tool is installed, approved and not quarantined.
import type { WorkspaceState } from "../../projections/state.ts"

export type Decision =
  | { readonly allow: true; readonly rule: string }
  | { readonly allow: false; readonly rule: string; readonly reason: string }

export const authorizeToolCall = (state: WorkspaceState, agent: string, tool: string): Decision => {
  const a = state.agents[agent]
  if (!a || a.status !== "active")
    return { allow: false, rule: "agent-active", reason: `agent '${agent}' is ${a ? a.status : "not registered"}` }
  const t = state.tools[tool]
  if (!t) return { allow: false, rule: "tool-installed", reason: `tool '${tool}' is not installed in this workspace` }
  if (t.status === "quarantined")
    return {
      allow: false,
      rule: "tool-quarantined",
      reason: `tool '${tool}' is quarantined: its definition changed since it was approved; an admin must run 'berth tool approve ${tool}'`
    }
  if (t.status !== "approved" || t.approvedHash !== t.hash)
    return { allow: false, rule: "tool-approved", reason: `tool '${tool}' is awaiting approval ('berth tool approve ${tool}')` }
  return { allow: true, rule: "tool-approved" }
}

/** What `tools/list` shows an agent: the tools it may call. */
export const visibleTools = (state: WorkspaceState, agent: string) =>
  Object.entries(state.tools).filter(([id]) => authorizeToolCall(state, agent, id).allow)
