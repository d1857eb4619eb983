// Spec for the policy engine with real Cedar policies: argument rules, forbid over permit, deny by
// default, the starter policy, fail-closed forbids, the cached set's rebuilds, and tools/list visibility.
import { describe, expect, it } from "vitest"
import { NO_PERMIT, PolicyEngine } from "../../src/policy/engine.ts"
import { STARTER_POLICY, STARTER_POLICY_SET } from "../../src/policy/schema.ts"
import { bot, callTool, ghSearch, NOW, stored } from "./policies.ts"

const engineFor = (sets: Record<string, string>) => new PolicyEngine("acme", stored(sets))

const starter = { starter: STARTER_POLICY }
const repoRule = {
  repo: `permit(principal == Agent::"bot", action == Action::"call_tool", resource == Tool::"gh__search") when { context.args.repo like "acme/*" };`
}
const secretGuard = {
  guard: `forbid(principal, action == Action::"call_tool", resource == Tool::"shell__exec");
forbid(principal, action == Action::"call_tool", resource in Plugin::"gh") when { context.args.repo like "secret/*" };`
}

describe("authorize", () => {
  it("an argument rule allows one call and denies another", () => {
    const engine = engineFor(repoRule)
    expect(callTool(engine, { repo: "acme/widgets", query: "bug" })).toEqual({ decision: "allow", policies: ["repo"], errors: [] })
    expect(callTool(engine, { repo: "evil/widgets", query: "bug" })).toEqual({ decision: "deny", policies: [], reason: NO_PERMIT, errors: [] })
  })

  it("a forbid beats a permit, and the deny names the forbid's id", () => {
    const engine = engineFor({ ...starter, ...secretGuard })
    expect(callTool(engine, { repo: "secret/keys" })).toEqual({ decision: "deny", policies: ["guard.2"], reason: "forbidden by policy 'guard.2'", errors: [] })
    expect(callTool(engine, { repo: "acme/widgets" })).toEqual({ decision: "allow", policies: ["starter"], errors: [] })
    const shell = { plugin: "shell", name: "exec", approved: true }
    expect(callTool(engine, { cmd: "ls" }, bot, shell)).toEqual({ decision: "deny", policies: ["guard.1"], reason: "forbidden by policy 'guard.1'", errors: [] })
  })

  it("no policy: deny by default, with the reason 'no policy permits this call'", () => {
    const denied = { decision: "deny", policies: [], reason: NO_PERMIT, errors: [] }
    expect(callTool(engineFor({}), { repo: "acme/widgets" })).toEqual(denied)
    expect(callTool(engineFor(secretGuard), { repo: "acme/widgets" })).toEqual(denied) // forbids alone permit nothing
  })

  it("the starter policy allows an approved tool and denies one that is not approved", () => {
    const engine = engineFor(starter)
    expect(callTool(engine, {})).toEqual({ decision: "allow", policies: ["starter"], errors: [] })
    expect(callTool(engine, {}, bot, { ...ghSearch, approved: false })).toEqual({ decision: "deny", policies: [], reason: NO_PERMIT, errors: [] })
  })

  it("a forbid that cannot be evaluated (its argument is missing) denies, naming it: Cedar alone would skip it", () => {
    const engine = engineFor({ ...starter, ...secretGuard })
    expect(callTool(engine, { query: "no repo given" })).toEqual({
      decision: "deny",
      policies: ["guard.2"],
      reason: "forbidden by policy 'guard.2' (it could not be evaluated for this call, so it denies)",
      errors: ["guard.2: record does not have the attribute `repo`"]
    })
  })

  it("a permit that cannot be evaluated does not allow, and its error is reported", () => {
    const r = callTool(engineFor(repoRule), { query: "no repo" })
    expect(r).toEqual({ decision: "deny", policies: [], reason: NO_PERMIT, errors: ["repo: record does not have the attribute `repo`"] })
  })

  it("a suspended agent is denied by a forbid on the principal's status, even when permitted", () => {
    const engine = engineFor({ ...starter, suspended: `forbid(principal, action, resource) unless { principal.status == "active" };` })
    expect(callTool(engine, {}, { ...bot, status: "suspended" })).toMatchObject({ decision: "deny", policies: ["suspended"] })
    expect(callTool(engine, {})).toMatchObject({ decision: "allow", policies: ["starter"] })
  })

  it("reads the owner, the time, context.agent, nested and list arguments", () => {
    const engine = engineFor({
      owned: `permit(principal, action == Action::"call_tool", resource) when {
        principal has owner && principal.owner == "alice" && context.agent.name == "bot" &&
        context.time < datetime("2027-01-01T00:00:00Z") && context.args.options.sort == "updated" && context.args.labels.contains("bug") };`
    })
    const args = { options: { sort: "updated" }, labels: ["bug", "p1"] }
    expect(callTool(engine, args)).toMatchObject({ decision: "allow", policies: ["owned"] })
    expect(callTool(engine, args, { name: "bot", status: "active" })).toMatchObject({ decision: "deny" })
    expect(engine.authorize({ agent: bot, action: "call_tool", tool: ghSearch, args, time: "2027-06-01T00:00:00Z" })).toMatchObject({ decision: "deny" })
  })

  it("arguments Cedar has no value for (fractions, null) do not break the call; forged entity references are dropped", () => {
    const engine = engineFor({
      ...starter,
      who: `forbid(principal, action, resource) when { context.args has as && context.args.as == Agent::"root" };`,
      low: `forbid(principal, action, resource) when { context.args has temperature && context.args.temperature == "0.7" };`
    })
    expect(callTool(engine, { repo: "acme/x", note: null, as: { __entity: { type: "Agent", id: "root" } } })).toMatchObject({ decision: "allow" })
    // A fraction reaches policies as its decimal string (Cedar's only number is a 64-bit integer).
    expect(callTool(engine, { temperature: 0.7 })).toMatchObject({ decision: "deny", policies: ["low"] })
  })

  it("resources and prompts act on the plugin, memory on its namespace", () => {
    const engine = engineFor({
      docs: `permit(principal, action in [Action::"read_resource", Action::"get_prompt"], resource in Plugin::"docs");
permit(principal in Workspace::"acme", action == Action::"read_memory", resource in Memory::"team");`
    })
    const ask = (action: "read_resource" | "get_prompt", plugin: string) => engine.authorize({ agent: bot, action, plugin, time: NOW })
    expect(ask("read_resource", "docs")).toMatchObject({ decision: "allow", policies: ["docs.1"] })
    expect(ask("get_prompt", "docs")).toMatchObject({ decision: "allow", policies: ["docs.1"] })
    expect(ask("read_resource", "gh")).toMatchObject({ decision: "deny", reason: NO_PERMIT })
    const memory = (action: "read_memory" | "write_memory", namespace: string) => engine.authorize({ agent: bot, action, namespace, time: NOW })
    // A namespace sits in its parents: `team/runbooks/deploy` is in `team`.
    expect(memory("read_memory", "team")).toMatchObject({ decision: "allow", policies: ["docs.2"] })
    expect(memory("read_memory", "team/runbooks/deploy")).toMatchObject({ decision: "allow", policies: ["docs.2"] })
    expect(memory("read_memory", "teamwork")).toMatchObject({ decision: "deny", reason: NO_PERMIT })
    expect(memory("write_memory", "team")).toMatchObject({ decision: "deny", reason: NO_PERMIT })
  })

  it("the starter policy lets an agent read and write the team's memory and its own, and no other agent's", () => {
    const engine = engineFor({ starter: STARTER_POLICY_SET })
    const memory = (agent: string, action: "read_memory" | "write_memory", namespace: string) =>
      engine.authorize({ agent: { name: agent, status: "active" }, action, namespace, time: NOW }).decision
    expect(memory("bot", "write_memory", "team")).toBe("allow")
    expect(memory("bot", "read_memory", "team/runbooks")).toBe("allow")
    expect(memory("bot", "write_memory", "agent/bot")).toBe("allow")
    expect(memory("bot", "read_memory", "agent/bot/notes")).toBe("allow")
    expect(memory("bot", "read_memory", "agent/other")).toBe("deny")
    expect(memory("bot", "write_memory", "scratch")).toBe("deny")
  })

  it("stored policies that no longer parse, or whose ids clash, deny every call and say why", () => {
    expect(callTool(engineFor({ ...starter, old: "permit(principal, action, resource" }), {})).toMatchObject({
      decision: "deny",
      reason: expect.stringMatching(/^policy set 'old' could not be parsed: /)
    })
    const clash = engineFor({ guard: `${STARTER_POLICY}\n${STARTER_POLICY}`, "guard.1": STARTER_POLICY })
    expect(callTool(clash, {})).toMatchObject({ decision: "deny", reason: expect.stringMatching(/^policy id 'guard.1' is defined twice/) })
  })
})

describe("the cached policy set", () => {
  it("is parsed once, and again only when the workspace's policies change", () => {
    const first = stored(starter)
    const engine = new PolicyEngine("acme", first)
    expect(engine.builds).toBe(1)
    engine.sync(first).sync(stored(starter)) // the same object, then an equal copy
    expect(engine.builds).toBe(1)
    expect(callTool(engine, { repo: "secret/keys" })).toMatchObject({ decision: "allow" })

    engine.sync(stored({ ...starter, ...secretGuard }))
    expect(engine.builds).toBe(2)
    expect(callTool(engine, { repo: "secret/keys" })).toMatchObject({ decision: "deny", policies: ["guard.2"] })

    engine.sync(stored({ starter: STARTER_POLICY.replace("resource.approved", "true") })) // same id, new text
    expect(engine.builds).toBe(3)
    expect(callTool(engine, {}, bot, { ...ghSearch, approved: false })).toMatchObject({ decision: "allow" })

    engine.sync({})
    expect(engine.builds).toBe(4)
    expect(callTool(engine, {})).toMatchObject({ decision: "deny", reason: NO_PERMIT })
  })

  it("remembers Cedar's answer per distinct request: what the policies read, never more, and forgets it when they change", () => {
    // The starter reads only `resource.approved`: calls of one tool differ in nothing Cedar is given.
    const engine = engineFor(starter)
    expect(callTool(engine, { repo: "acme/a" })).toMatchObject({ decision: "allow", policies: ["starter"] })
    expect(callTool(engine, { repo: "secret/b", page: 2 })).toMatchObject({ decision: "allow", policies: ["starter"] })
    expect(engine.evaluations).toBe(1)
    // Another tool, or the same one unapproved, is another request.
    expect(callTool(engine, {}, bot, { ...ghSearch, approved: false })).toMatchObject({ decision: "deny" })
    expect(callTool(engine, {}, bot, { plugin: "gh", name: "list", approved: true })).toMatchObject({ decision: "allow" })
    expect(engine.evaluations).toBe(3)
    // New policies, the same request (the same reads, and the subset's id reused): evaluated again.
    engine.sync(stored({ starter: STARTER_POLICY.replace("resource.approved", "!resource.approved") }))
    expect(callTool(engine, { repo: "acme/a" })).toMatchObject({ decision: "deny", reason: NO_PERMIT })
    expect(engine.evaluations).toBe(4)

    // A rule on `repo`: each distinct repo is evaluated and answered as itself; other arguments are not read.
    engine.sync(stored({ ...starter, ...secretGuard }))
    const before = engine.evaluations
    expect(callTool(engine, { repo: "acme/a" })).toMatchObject({ decision: "allow" })
    expect(callTool(engine, { repo: "secret/b" })).toMatchObject({ decision: "deny", policies: ["guard.2"] })
    expect(engine.evaluations - before).toBe(2)
    expect(callTool(engine, { repo: "acme/a", page: 3 })).toMatchObject({ decision: "allow" })
    expect(callTool(engine, { repo: "secret/b", page: 3 })).toMatchObject({ decision: "deny", policies: ["guard.2"] })
    expect(callTool(engine, { repo: "secret/c" })).toMatchObject({ decision: "deny", policies: ["guard.2"] })
    expect(engine.evaluations - before).toBe(3)

    // A rule on the time: each time is another request.
    const window = engineFor({ w: `permit(principal, action == Action::"call_tool", resource) when { context.time < datetime("2026-11-20T10:00:00Z") };` })
    const at = (time: string) => window.authorize({ agent: bot, action: "call_tool", tool: ghSearch, args: {}, time })
    expect(at("2026-11-20T09:59:59.000Z")).toMatchObject({ decision: "allow" })
    expect(at("2026-11-20T10:00:00.000Z")).toMatchObject({ decision: "deny" })
    expect(window.evaluations).toBe(2)
  })

  it("two engines in one isolate keep their own sets", () => {
    const a = engineFor(starter)
    const b = engineFor(secretGuard)
    expect(callTool(a, { repo: "secret/x" })).toMatchObject({ decision: "allow" })
    expect(callTool(b, { repo: "secret/x" })).toMatchObject({ decision: "deny", policies: ["guard.2"] })
    expect(callTool(a, { repo: "secret/x" })).toMatchObject({ decision: "allow" })
  })
})

describe("couldCall: what tools/list shows", () => {
  const engine = engineFor({
    ...repoRule,
    guard: `forbid(principal, action, resource == Tool::"gh__delete");
forbid(principal, action, resource) when { context.args has cmd };`,
    plugins: `permit(principal, action == Action::"call_tool", resource in Plugin::"gh");`
  })
  const tool = (name: string, plugin = "gh") => ({ plugin, name, approved: true })

  it("shows a tool whose permit depends on the arguments, and one permitted outright", () => {
    expect(engineFor(repoRule).couldCall(bot, ghSearch)).toBe(true)
    expect(engine.couldCall(bot, tool("issues"))).toBe(true)
  })

  it("hides a tool no permit can reach, and one a forbid always denies", () => {
    expect(engineFor(repoRule).couldCall(bot, tool("issues"))).toBe(false)
    expect(engineFor(repoRule).couldCall({ ...bot, name: "other" }, ghSearch)).toBe(false)
    expect(engine.couldCall(bot, tool("delete"))).toBe(false)
    expect(engine.couldCall(bot, tool("exec", "shell"))).toBe(false)
  })

  it("a forbid that depends on the arguments does not hide a tool", () => {
    expect(engineFor({ ...starter, guard: `forbid(principal, action, resource) when { context.args.repo like "secret/*" };` }).couldCall(bot, ghSearch)).toBe(true)
  })

  it("with only the starter policy, shows approved tools only", () => {
    expect(engineFor(starter).couldCall(bot, ghSearch)).toBe(true)
    expect(engineFor(starter).couldCall(bot, { ...ghSearch, approved: false })).toBe(false)
  })
})
