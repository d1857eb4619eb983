// What the policy benchmark evaluates: a workspace's 100 policies in 9 sets, the calls of 8 agents
// with realistic arguments, and each step of the engine run alone. Bundled like the Worker (see
// bundle-like-wrangler.ts), so the engine and Cedar's glue run as they do deployed.
import { toolId, type WorkspaceState } from "../projections/state.ts"
import { cedar } from "../src/policy/cedar.ts"
import { PolicyEngine, type AgentFacts, type PolicyRequest, type ToolFacts } from "../src/policy/engine.ts"
import { STARTER_POLICY_ID, STARTER_POLICY_SET } from "../src/policy/schema.ts"
import { couldMatch } from "../src/policy/scope.ts"
import { splitPolicySet, validatePolicySet } from "../src/policy/validate.ts"
import { sha256Hex } from "../src/workspace/sha256-hex.ts"

export const WORKSPACE = "acme"

type Stored = WorkspaceState["policies"]

/** The 8 agents: an org or path each may use, and an owner (two are the ops team's). */
const AGENTS = [
  { name: "triage-bot", owner: "dana", org: "acme", db: "issues" },
  { name: "release-bot", owner: "ops", org: "acme", db: "releases" },
  { name: "docs-writer", owner: "lee", org: "acme-docs", db: "docs" },
  { name: "coder-1", owner: "sam", org: "widgets", db: "widgets" },
  { name: "coder-2", owner: "ana", org: "gadgets", db: "gadgets" },
  { name: "support", owner: "kim", org: "acme-support", db: "tickets" },
  { name: "oncall", owner: "ops", org: "acme-infra", db: "metrics" },
  { name: "analyst", owner: "raj", org: "acme-data", db: "warehouse" }
] as const

const PLUGINS = ["jira", "slack", "linear", "notion", "sentry", "pagerduty", "figma", "stripe", "zendesk", "datadog", "vercel", "s3"]
const SHELL_OWNERS = ["ops", "dana", "sam", "ana", "lee", "kim", "raj", "root"]
const COMMAND_GUARDS = ["rm -rf", "| sh", "mkfs", "dd if=", ":(){", "chmod 777", "shutdown", "> /dev/sd"]
const SQL_GUARDS = ["DROP ", "TRUNCATE ", "DELETE FROM", "ALTER ", "GRANT ", "pg_sleep"]
const ISSUE_REPOS = ["api", "web", "cli", "infra", "docs", "mobile", "sdk", "billing"]

/**
 * 100 policies in 9 sets, each set one admin's file: per-agent argument rules on four tools (32),
 * per-plugin permits (24), argument guards unscoped and scoped to a plugin or tool (20), shell by
 * owner (8), issue creation per repo until a date (8), and reads of plugin resources (8).
 */
export const hundredPolicySets = (): Record<string, string> => {
  const sets: Record<string, string> = {}
  for (const a of AGENTS)
    sets[`agent-${a.name}`] = [
      `permit(principal == Agent::"${a.name}", action == Action::"call_tool", resource == Tool::"gh__search_issues") when { context.args has repo && context.args.repo like "${a.org}/*" && context.args has per_page && context.args.per_page <= 100 };`,
      `permit(principal == Agent::"${a.name}", action == Action::"call_tool", resource == Tool::"gh__get_file") when { context.args has repo && context.args.repo like "${a.org}/*" && context.args has path && !(context.args.path like "*.env") };`,
      `permit(principal == Agent::"${a.name}", action == Action::"call_tool", resource == Tool::"fs__read_file") when { context.args has path && context.args.path like "/srv/${a.name}/*" };`,
      `permit(principal == Agent::"${a.name}", action == Action::"call_tool", resource == Tool::"db__query") when { context.args has database && context.args.database == "${a.db}" && context.args has limit && context.args.limit <= 1000 };`
    ].join("\n")
  sets["plugins"] = [...PLUGINS, ...PLUGINS.map((p) => `${p}-staging`)]
    .map((p) => `permit(principal in Workspace::"${WORKSPACE}", action == Action::"call_tool", resource in Plugin::"${p}") when { resource.approved };`)
    .join("\n")
  sets["guards"] = COMMAND_GUARDS.map(
    (g) => `forbid(principal, action == Action::"call_tool", resource) when { context.args has cmd && context.args.cmd like "*${g}*" };`
  ).join("\n")
  sets["shell-guards"] = ["/etc", "/root", "/var/lib", "/boot", "/proc", "/sys"]
    .map(
      (dir) =>
        `forbid(principal, action == Action::"call_tool", resource in Plugin::"shell") when { context.args has cwd && context.args.cwd like "${dir}*" } unless { principal has owner && principal.owner == "ops" };`
    )
    .join("\n")
  sets["db-guards"] = SQL_GUARDS.map(
    (g) => `forbid(principal, action == Action::"call_tool", resource == Tool::"db__query") when { context.args has sql && context.args.sql like "*${g}*" };`
  ).join("\n")
  sets["shell"] = SHELL_OWNERS.map(
    (o) => `permit(principal, action == Action::"call_tool", resource == Tool::"shell__run") when { principal has owner && principal.owner == "${o}" && context.args has cmd };`
  ).join("\n")
  sets["issues"] = ISSUE_REPOS.map(
    (r) =>
      `permit(principal, action == Action::"call_tool", resource == Tool::"gh__create_issue") when { context.args has repo && context.args.repo == "acme/${r}" && context.time < datetime("2027-06-30T00:00:00Z") };`
  ).join("\n")
  sets["reads"] = PLUGINS.slice(0, 8)
    .map((p) => `permit(principal, action in [Action::"read_resource", Action::"get_prompt"], resource == Plugin::"${p}");`)
    .join("\n")
  return sets
}

export const starterPolicySets = (): Record<string, string> => ({ [STARTER_POLICY_ID]: STARTER_POLICY_SET })

/** `state.policies` as the projection holds it after one PolicySet per set. */
export const stored = (sets: Record<string, string>): Stored =>
  Object.fromEntries(Object.entries(sets).map(([id, text]) => [id, { text, sha256: sha256Hex(text), setAt: "2026-11-20T09:00:00.000Z" }]))

/** SetPolicy's own check, so the benchmark evaluates only what a workspace could hold. */
export const policyCount = (sets: Record<string, string>): number => {
  let count = 0
  for (const [id, text] of Object.entries(sets)) {
    const check = validatePolicySet(id, text)
    if (!check.ok) throw new Error(`set '${id}' is refused: ${check.message}`)
    count += check.policies.length
  }
  return count
}

export type CallKind =
  | "gh search (own org)"
  | "gh search (other org)"
  | "gh get_file"
  | "fs read_file"
  | "db query"
  | "db query (DROP: forbid)"
  | "shell run"
  | "shell run (rm -rf: forbid)"
  | "gh create_issue"
  | "plugin tool (jira)"

export interface Call {
  readonly kind: CallKind
  readonly request: PolicyRequest & { readonly action: "call_tool" }
}

/** A seeded PRNG (mulberry32), so every run evaluates the same calls. */
const random = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

const tool = (plugin: string, name: string): ToolFacts => ({ plugin, name, approved: true })

/** The mix of calls, in proportions an agent fleet might make: reads dominate, a few trip a guard. */
export const callStream = (count: number, seed = 1): Array<Call> => {
  const next = random(seed)
  const pick = <T>(xs: ReadonlyArray<T>): T => xs[Math.floor(next() * xs.length)]!
  const int = (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1))
  const repos = ["api", "web", "cli", "infra", "docs", "mobile", "sdk", "billing", "search", "auth"]
  const files = ["src/index.ts", "src/server/routes.ts", "README.md", "package.json", "docs/setup.md", "config/.env", "src/db/migrations/0042_users.sql"]
  const calls: Array<Call> = []
  for (let i = 0; i < count; i++) {
    const a = pick(AGENTS)
    const agent: AgentFacts = { name: a.name, owner: a.owner, status: "active" }
    const time = new Date(Date.UTC(2026, 10, 20, 0, 0, 0) + i * 1_731).toISOString()
    const call = (kind: CallKind, t: ToolFacts, args: Record<string, unknown>): Call => ({
      kind,
      request: { agent, action: "call_tool", tool: t, args, time }
    })
    const r = next()
    if (r < 0.3)
      calls.push(
        next() < 0.85
          ? call("gh search (own org)", tool("gh", "search_issues"), {
              repo: `${a.org}/${pick(repos)}`,
              query: `is:open label:${pick(["bug", "p1", "regression", "docs"])} sort:updated-desc`,
              per_page: pick([20, 30, 50, 100, 200]),
              page: int(1, 5),
              labels: ["bug", pick(["p1", "p2", "customer"])]
            })
          : call("gh search (other org)", tool("gh", "search_issues"), {
              repo: `${pick(AGENTS.filter((b) => b.org !== a.org)).org}/${pick(repos)}`,
              query: "is:open",
              per_page: 30,
              page: 1
            })
      )
    else if (r < 0.45)
      calls.push(call("gh get_file", tool("gh", "get_file"), { repo: `${a.org}/${pick(repos)}`, path: pick(files), ref: pick(["main", "v2.4.1", "a1b2c3d"]) }))
    else if (r < 0.6)
      calls.push(
        call("fs read_file", tool("fs", "read_file"), {
          path: next() < 0.9 ? `/srv/${a.name}/logs/app-2026-11-${String(int(1, 30)).padStart(2, "0")}.log` : "/etc/passwd",
          encoding: "utf8",
          max_bytes: 65_536
        })
      )
    else if (r < 0.72)
      calls.push(
        next() < 0.95
          ? call("db query", tool("db", "query"), {
              database: next() < 0.9 ? a.db : "billing",
              sql: `SELECT id, title, status, updated_at FROM items WHERE status = $1 AND updated_at > $2 ORDER BY updated_at DESC LIMIT ${int(10, 500)}`,
              params: ["open", "2026-11-01"],
              limit: pick([50, 100, 500, 5000])
            })
          : call("db query (DROP: forbid)", tool("db", "query"), { database: a.db, sql: "DROP TABLE items; --", limit: 10 })
      )
    else if (r < 0.82)
      calls.push(
        next() < 0.9
          ? call("shell run", tool("shell", "run"), {
              cmd: pick(["npm test -- --run", "git status --short", "ls -la dist", "npx tsc --noEmit", "tail -n 200 logs/app.log"]),
              cwd: pick(["/srv/app", "/srv/app/web", "/etc/nginx"]),
              timeout_ms: 60_000
            })
          : call("shell run (rm -rf: forbid)", tool("shell", "run"), { cmd: "rm -rf /srv/app/node_modules && npm ci", cwd: "/srv/app" })
      )
    else if (r < 0.9)
      calls.push(
        call("gh create_issue", tool("gh", "create_issue"), {
          repo: `acme/${pick(repos)}`,
          title: "Flaky test: search pagination returns duplicates on page 3",
          body: "Seen in CI run 48213. `search_issues` with per_page=50 returns two items twice when sorted by updated.\n\nSteps: run the e2e suite; see job logs.".repeat(2),
          labels: ["bug", "ci", "flaky"],
          assignees: [a.owner]
        })
      )
    else
      calls.push(
        call("plugin tool (jira)", tool("jira", "create_ticket"), {
          project: pick(["OPS", "WEB", "API"]),
          summary: "Customer reports 502 on checkout",
          priority: pick(["P1", "P2", "P3"]),
          labels: ["customer", "checkout"],
          fields: { component: "payments", sprint: int(40, 48) }
        })
      )
  }
  return calls
}

/** How many of the policies could match a call (the subset the engine evaluates), as scope.ts decides. */
export const subsetSize = (sets: Record<string, string>, request: Call["request"]): number => {
  const principal = { uid: { type: "Agent", id: request.agent.name }, ancestors: [{ type: "Workspace", id: WORKSPACE }] }
  const { plugin, name } = request.tool
  const resource = { uid: { type: "Tool", id: toolId(plugin, name) }, ancestors: [{ type: "Plugin", id: plugin }, { type: "Workspace", id: WORKSPACE }] }
  let count = 0
  for (const [id, text] of Object.entries(sets)) {
    const split = splitPolicySet(id, text)
    if (!split.ok) throw new Error(split.message)
    for (const p of split.policies) {
      const json = cedar().policyToJson(p.text)
      if (json.type !== "success") throw new Error(json.errors[0]?.message)
      if (couldMatch(json.json, principal, "call_tool", resource)) count++
    }
  }
  return count
}

/** Each step of the engine alone; each returns something derived from its work so none is dead code. */
export const policySteps = {
  build: (policies: Stored): PolicyEngine => new PolicyEngine(WORKSPACE, policies),
  /** An engine that has Cedar evaluate every request, remembering no answer. */
  buildEvaluating: (policies: Stored): PolicyEngine => new PolicyEngine(WORKSPACE, policies, undefined, { rememberAnswers: false }),
  /** The build's first half: each set split into its policies (`policySetTextToParts`). */
  split: (sets: Record<string, string>): Array<string> =>
    Object.entries(sets).flatMap(([id, text]) => {
      const split = splitPolicySet(id, text)
      if (!split.ok) throw new Error(split.message)
      return split.policies.map((p) => p.text)
    }),
  /** The build's second half: each policy's JSON (`policyToJson`), for its scope, effect and reads. */
  toJson: (texts: ReadonlyArray<string>): number => {
    let conditions = 0
    for (const text of texts) {
      const json = cedar().policyToJson(text)
      if (json.type === "success") conditions += json.json.conditions.length
    }
    return conditions
  },
  /** The authorize step, cached: allows counted. */
  authorize: (engine: PolicyEngine, calls: ReadonlyArray<Call>): number => {
    let allowed = 0
    for (const c of calls) if (engine.authorize(c.request).decision === "allow") allowed++
    return allowed
  },
  /** Each call on a freshly built engine: parse every set, preparse the call's subset, evaluate. */
  authorizeRebuilt: (policies: Stored, calls: ReadonlyArray<Call>): number => {
    let allowed = 0
    for (const c of calls) if (new PolicyEngine(WORKSPACE, policies).authorize(c.request).decision === "allow") allowed++
    return allowed
  },
  /** Cedar with no cache at all: `isAuthorized` re-parses the whole set's text on every call (full request). */
  authorizeReparsed: (sets: Record<string, string>, calls: ReadonlyArray<Call>): number => {
    const staticPolicies: Record<string, string> = {}
    for (const [id, text] of Object.entries(sets)) {
      const split = splitPolicySet(id, text)
      if (!split.ok) throw new Error(split.message)
      for (const p of split.policies) staticPolicies[p.id] = p.text
    }
    let allowed = 0
    for (const { request } of calls) {
      const { plugin, name } = request.tool
      const answer = cedar().isAuthorized({
        principal: { type: "Agent", id: request.agent.name },
        action: { type: "Action", id: "call_tool" },
        resource: { type: "Tool", id: toolId(plugin, name) },
        context: { args: request.args as never, time: { __extn: { fn: "datetime", arg: request.time } } },
        entities: [
          { uid: { type: "Agent", id: request.agent.name }, attrs: { ...request.agent }, parents: [{ type: "Workspace", id: WORKSPACE }] },
          { uid: { type: "Tool", id: toolId(plugin, name) }, attrs: { ...request.tool }, parents: [{ type: "Plugin", id: plugin }, { type: "Workspace", id: WORKSPACE }] }
        ],
        policies: { staticPolicies }
      })
      if (answer.type === "success" && answer.response.decision === "allow") allowed++
    }
    return allowed
  },
  /** tools/list's question, `repeat` times over each (agent, tool) pair. */
  couldCall: (engine: PolicyEngine, pairs: ReadonlyArray<readonly [AgentFacts, ToolFacts]>, repeat: number): number => {
    let visible = 0
    for (let r = 0; r < repeat; r++) for (const [agent, t] of pairs) if (engine.couldCall(agent, t)) visible++
    return visible
  }
}

/** Every distinct (agent, tool) pair of a call stream: the rows of each agent's tools/list. */
export const agentToolPairs = (calls: ReadonlyArray<Call>): Array<readonly [AgentFacts, ToolFacts]> => {
  const pairs = new Map<string, readonly [AgentFacts, ToolFacts]>()
  for (const { request } of calls) pairs.set(`${request.agent.name} ${toolId(request.tool.plugin, request.tool.name)}`, [request.agent, request.tool])
  return [...pairs.values()]
}
