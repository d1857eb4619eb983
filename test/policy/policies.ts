// Shared by the policy engine specs: a workspace's stored policies, the agents and tools they judge.
import type { WorkspaceState } from "../../projections/state.ts"
import type { AgentFacts, PolicyEngine, ToolFacts } from "../../src/policy/engine.ts"
import { sha256Hex } from "../../src/workspace/sha256-hex.ts"

/** `state.policies` as the projection holds it after a PolicySet per entry. */
export const stored = (sets: Record<string, string>): WorkspaceState["policies"] =>
  Object.fromEntries(Object.entries(sets).map(([id, text]) => [id, { text, sha256: sha256Hex(text), setAt: "2026-11-20T09:00:00.000Z" }]))

export const bot: AgentFacts = { name: "bot", owner: "alice", status: "active" }
export const ghSearch: ToolFacts = { plugin: "gh", name: "search", approved: true }
export const NOW = "2026-11-20T10:00:00.000Z"

export const callTool = (engine: PolicyEngine, args: unknown, agent = bot, tool = ghSearch) =>
  engine.authorize({ agent, action: "call_tool", tool, args, time: NOW })

/** Realistic arguments of a GitHub search call. */
export const realisticArgs = {
  repo: "acme/widgets",
  query: "is:open label:bug sort:updated-desc",
  per_page: 50,
  page: 2,
  labels: ["bug", "p1", "customer"],
  options: { sort: "updated", order: "desc", include_prs: false }
}

/** 100 policies of the kinds Berth expects: per-agent argument rules, per-plugin permits, guards, time windows. */
export const hundredPolicies = (): Record<string, string> => {
  const set: Record<string, string> = {}
  for (let i = 0; i < 40; i++)
    set[`agents${i}`] =
      `permit(principal == Agent::"agent${i}", action == Action::"call_tool", resource == Tool::"gh__search") when { context.args has repo && context.args.repo like "org${i}/*" };`
  for (let i = 0; i < 30; i++)
    set[`plugins${i}`] = `permit(principal in Workspace::"acme", action == Action::"call_tool", resource in Plugin::"plugin${i}") when { resource.approved };`
  for (let i = 0; i < 20; i++)
    set[`guard${i}`] =
      `forbid(principal, action == Action::"call_tool", resource) when { context.args has cmd && context.args.cmd like "*rm -rf ${i}*" } unless { principal has owner && principal.owner == "root${i}" };`
  for (let i = 0; i < 9; i++)
    set[`paging${i}`] =
      `permit(principal, action == Action::"call_tool", resource == Tool::"gh__list${i}") when { context.args has per_page && context.args.per_page <= ${i * 10} && context.time < datetime("2030-01-01T00:00:00Z") };`
  set["repo"] =
    `permit(principal == Agent::"bot", action == Action::"call_tool", resource == Tool::"gh__search") when { context.args.repo like "acme/*" && context.args.per_page <= 100 };`
  return set
}
