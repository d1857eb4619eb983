// The engine evaluates only the policies whose scope could match and passes only the fields they read
// (src/policy/scope.ts). This pins that it decides exactly as Cedar does with every policy and every
// field, over 100 policies, and that tools/list agrees with Cedar's own partial evaluation.
import { describe, expect, it } from "vitest"
import { cedar, datetimeValue, unknownValue, type CedarValueJson, type EntityJson } from "../../src/policy/cedar.ts"
import { toCedarRecord } from "../../src/policy/cedar-value.ts"
import { PolicyEngine, type AgentFacts, type ToolFacts } from "../../src/policy/engine.ts"
import { bot, callTool, ghSearch, hundredPolicies, NOW, realisticArgs, stored } from "./policies.ts"

const policies = hundredPolicies()
const engine = new PolicyEngine("acme", stored(policies))
const isForbid = (id: string) => id.startsWith("guard")

/** The whole request: all four entities with all their attributes, every argument, all the context. */
const fullRequest = (agent: AgentFacts, tool: ToolFacts, args: CedarValueJson) => ({
  principal: { type: "Agent", id: agent.name },
  action: { type: "Action", id: "call_tool" },
  resource: { type: "Tool", id: `${tool.plugin}__${tool.name}` },
  context: { args, time: datetimeValue(NOW), agent: toCedarRecord({ ...agent }) },
  entities: [
    { uid: { type: "Agent", id: agent.name }, attrs: toCedarRecord({ ...agent }), parents: [{ type: "Workspace", id: "acme" }] },
    { uid: { type: "Tool", id: `${tool.plugin}__${tool.name}` }, attrs: { ...tool }, parents: [{ type: "Plugin", id: tool.plugin }] },
    { uid: { type: "Plugin", id: tool.plugin }, attrs: {}, parents: [{ type: "Workspace", id: "acme" }] },
    { uid: { type: "Workspace", id: "acme" }, attrs: {}, parents: [] }
  ] satisfies EntityJson[],
  policies: { staticPolicies: policies }
})

const agents: AgentFacts[] = [bot, { name: "agent3", status: "active" }, { name: "agent7", owner: "root4", status: "active" }]
const tools: ToolFacts[] = [
  ghSearch,
  { plugin: "gh", name: "list2", approved: true },
  { plugin: "plugin5", name: "x", approved: true },
  { plugin: "plugin5", name: "y", approved: false }
]
const argSets: Array<Record<string, unknown>> = [realisticArgs, { repo: "org3/a", per_page: 5 }, { repo: "acme/a", cmd: "sudo rm -rf 4 /" }, { per_page: 30 }, {}]

describe("100 policies", () => {
  it("decides every request as Cedar does with the whole set and the whole request (plus fail-closed forbids)", () => {
    for (const agent of agents)
      for (const tool of tools)
        for (const args of argSets) {
          const full = cedar().isAuthorized(fullRequest(agent, tool, toCedarRecord(args)))
          if (full.type !== "success") throw new Error(full.errors[0]?.message)
          const { decision, diagnostics } = full.response
          const failedForbids = diagnostics.errors.map((e) => e.policyId).filter(isForbid)
          const got = callTool(engine, args, agent, tool)
          expect({ agent: agent.name, tool: tool.name, args, decision: got.decision, policies: [...got.policies].sort() }).toEqual({
            agent: agent.name,
            tool: tool.name,
            args,
            decision: failedForbids.length > 0 ? "deny" : decision,
            policies: [...new Set([...diagnostics.reason, ...failedForbids])].sort()
          })
          expect(got.errors.map((e) => e.split(":")[0]).sort()).toEqual(diagnostics.errors.map((e) => e.policyId).sort())
        }
  })

  it("shows a tool in tools/list exactly when Cedar's partial evaluation, with the arguments unknown, does not deny", () => {
    for (const agent of agents)
      for (const tool of tools) {
        const request = fullRequest(agent, tool, unknownValue("args"))
        const partial = cedar().isAuthorizedPartial({ ...request, context: { ...request.context, time: unknownValue("time") } })
        if (partial.type !== "residuals") throw new Error(partial.errors[0]?.message)
        expect({ agent: agent.name, tool: tool.name, visible: engine.couldCall(agent, tool) }).toEqual({
          agent: agent.name,
          tool: tool.name,
          visible: partial.response.decision !== "deny"
        })
      }
  })

  it("stays right past the number of scope subsets it preparses (70 distinct here), on the whole set", () => {
    for (let i = 0; i < 40; i++)
      expect(callTool(engine, { repo: `org${i}/x` }, { name: `agent${i}`, status: "active" })).toMatchObject({ decision: "allow", policies: [`agents${i}`] })
    for (let i = 0; i < 30; i++)
      expect(callTool(engine, {}, bot, { plugin: `plugin${i}`, name: "t", approved: true })).toMatchObject({ decision: "allow", policies: [`plugins${i}`] })
    expect(callTool(engine, realisticArgs)).toMatchObject({ decision: "allow", policies: ["repo"] })
    expect(callTool(engine, { ...realisticArgs, cmd: "rm -rf 7" }, bot)).toMatchObject({ decision: "deny", policies: ["guard7"] })
  })
})
