// "What could agent X do at 14:02 last Tuesday?": GetAgentAt replays the workspace to a point and
// evaluates the policies then in force, as tools/list would have shown them to that agent.
import { describe, expect, it } from "vitest"
import { ok, rpc } from "../admin/rpc-client.ts"
import { dockedWorkspace } from "../mcp/berth-client.ts"

describe("GetAgentAt", () => {
  it("answers with the tools the agent could call at each point, under the policies of that point", async () => {
    const { slug } = await dockedWorkspace()
    const before = await ok({ _tag: "GetState", workspace: slug })
    const tools = Object.keys(before.state.tools).sort()
    expect(tools.length).toBeGreaterThan(1)
    // Later, a forbid takes echo away from bot, and bot is suspended after that.
    await ok({ _tag: "SetPolicy", workspace: slug, policy: "no-echo", text: 'forbid(principal == Agent::"bot", action == Action::"call_tool", resource == Tool::"up__echo");' })
    const forbidden = await ok({ _tag: "GetState", workspace: slug })
    await ok({ _tag: "SuspendAgent", workspace: slug, agent: "bot" })

    const then = await ok({ _tag: "GetAgentAt", workspace: slug, agent: "bot", at: before.seq })
    expect(then).toMatchObject({ seq: before.seq, hash: before.hash, agent: "bot" })
    expect([...then.callableTools].sort()).toEqual(tools)
    const later = await ok({ _tag: "GetAgentAt", workspace: slug, agent: "bot", at: forbidden.seq })
    expect([...later.callableTools].sort()).toEqual(tools.filter((t) => t !== "up__echo"))
    const now = await ok({ _tag: "GetAgentAt", workspace: slug, agent: "bot", at: new Date(Date.now() + 1000).toISOString() })
    expect(now.callableTools).toEqual([])
    expect(now.state.agents.bot.status).toBe("suspended")
    // An agent that did not exist then could call nothing.
    expect((await ok({ _tag: "GetAgentAt", workspace: slug, agent: "nobody", at: before.seq })).callableTools).toEqual([])
  })

  it("refuses a missing agent or point with a typed error", async () => {
    const { slug } = await dockedWorkspace()
    expect(await rpc({ _tag: "GetAgentAt", workspace: slug, agent: "bot" })).toMatchObject({ status: 400, body: { error: { _tag: "InvalidRequest", field: "at" } } })
  })
})
