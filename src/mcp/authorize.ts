// The authorize step of every MCP call, in one place. Hard guards first (the agent is active; the
// tool is installed, approved and not quarantined): no policy can widen them. Then Cedar decides,
// deny by default, over the workspace's policy sets (src/policy/engine.ts).
import type { WorkspaceState } from "../../projections/state.ts"
import { codeSpan, shellWord } from "../admin/shell-word.ts"
import type { PolicyDecision, PolicyEngine } from "../policy/engine.ts"

export type Decision =
  | { readonly allow: true; readonly rule: string; readonly policies: ReadonlyArray<string> }
  | { readonly allow: false; readonly rule: string; readonly reason: string; readonly policies: ReadonlyArray<string> }

/** What an authorize span records of a decision: allow or deny, the rule, and the ids of the policies that determined it (never their text; none for a hard guard). */
export const decisionAttributes = (decision: Decision): Record<string, string> => ({
  "berth.decision": decision.allow ? "allow" : "deny",
  "berth.rule": decision.rule,
  ...(decision.policies.length > 0 ? { "berth.policies": decision.policies.join(",") } : {})
})

const guard = (rule: string, reason: string): Decision => ({ allow: false, rule, reason, policies: [] })

const agentFacts = (state: WorkspaceState, agent: string) => {
  const a = state.agents[agent]
  return a && { name: agent, owner: a.owner, status: a.status }
}

export const authorizeToolCall = (
  state: WorkspaceState,
  engine: PolicyEngine,
  agent: string,
  tool: string,
  args: unknown
): Decision => {
  const facts = agentFacts(state, agent)
  if (!facts || facts.status !== "active") return guard("agent-active", `agent '${agent}' is ${facts ? facts.status : "not registered"}`)
  const t = state.tools[tool]
  if (!t) return guard("tool-installed", `tool '${tool}' is not installed in this workspace`)
  if (t.status === "quarantined")
    return guard(
      "tool-quarantined",
      `tool ${codeSpan(tool)} is quarantined: its definition changed since it was approved; an admin must run ${codeSpan(`berth tool approve ${shellWord(tool)}`)}`
    )
  if (t.status !== "approved" || t.approvedHash !== t.hash)
    return guard("tool-approved", `tool ${codeSpan(tool)} is awaiting approval (${codeSpan(`berth tool approve ${shellWord(tool)}`)})`)
  const decided = engine.authorize({
    agent: facts,
    action: "call_tool",
    tool: { plugin: t.plugin, name: t.name, approved: true },
    args,
    time: new Date().toISOString()
  })
  return decided.decision === "allow"
    ? { allow: true, rule: "policy", policies: decided.policies }
    : { allow: false, rule: "policy", reason: decided.reason ?? "denied by policy", policies: decided.policies }
}

/** Reading a plugin's resources or prompts: the agent is active and a policy permits it. */
export const authorizePluginRead = (
  state: WorkspaceState,
  engine: PolicyEngine,
  agent: string,
  action: "read_resource" | "get_prompt",
  plugin: string
): Decision => {
  const facts = agentFacts(state, agent)
  if (!facts || facts.status !== "active") return guard("agent-active", `agent '${agent}' is ${facts ? facts.status : "not registered"}`)
  if (!state.plugins[plugin]) return guard("plugin-installed", `no plugin '${plugin}' is installed in this workspace`)
  return asDecision(engine.authorize({ agent: facts, action, plugin, time: new Date().toISOString() }))
}

/** Submitting code (`run_code` on the workspace): the agent is active and a policy permits it. */
export const authorizeRunCode = (state: WorkspaceState, engine: PolicyEngine, agent: string, args: unknown): Decision => {
  const facts = agentFacts(state, agent)
  if (!facts || facts.status !== "active") return guard("agent-active", `agent '${agent}' is ${facts ? facts.status : "not registered"}`)
  return asDecision(engine.authorize({ agent: facts, action: "run_code", args, time: new Date().toISOString() }))
}

/** Cedar's answer as the authorize step's. */
const asDecision = (decided: PolicyDecision): Decision =>
  decided.decision === "allow"
    ? { allow: true, rule: "policy", policies: decided.policies }
    : { allow: false, rule: "policy", reason: decided.reason ?? "denied by policy", policies: decided.policies }

/** Reading or writing one memory namespace: the agent is active and a policy permits it. */
export const authorizeMemory = (
  state: WorkspaceState,
  engine: PolicyEngine,
  agent: string,
  action: "read_memory" | "write_memory",
  namespace: string
): Decision => {
  const facts = agentFacts(state, agent)
  if (!facts || facts.status !== "active") return guard("agent-active", `agent '${agent}' is ${facts ? facts.status : "not registered"}`)
  return asDecision(engine.authorize({ agent: facts, action, namespace, time: new Date().toISOString() }))
}

/** Whether the agent may read a namespace, remembered per namespace for one list, search or resources/list. */
export const readableNamespaces = (state: WorkspaceState, engine: PolicyEngine, agent: string) => {
  const known = new Map<string, boolean>()
  return (namespace: string) => {
    let allowed = known.get(namespace)
    if (allowed === undefined) known.set(namespace, (allowed = authorizeMemory(state, engine, agent, "read_memory", namespace).allow))
    return allowed
  }
}

/** What `tools/list` shows an agent: the tools it could call with some arguments. */
export const visibleTools = (state: WorkspaceState, engine: PolicyEngine, agent: string) => {
  const facts = agentFacts(state, agent)
  if (!facts || facts.status !== "active") return []
  return Object.entries(state.tools).filter(
    ([, t]) =>
      t.status === "approved" &&
      t.approvedHash === t.hash &&
      engine.couldCall(facts, { plugin: t.plugin, name: t.name, approved: true })
  )
}
