// Cedar at the hosted endpoint: real policies, set over the admin RPC, decide real calls. A denial
// names the policy id (never its text), is recorded in the run's authorize span, and never reaches
// the upstream. Deny by default; tools no permit can reach are hidden from tools/list.
import { describe, expect, it } from "vitest"
import { ok, rpc } from "../admin/rpc-client.ts"
import { eventCount } from "../workspace/workspace-client.ts"
import { dockedWorkspace, mcpClient } from "./berth-client.ts"
import { UPSTREAM_TOOLS } from "./upstream/tools.ts"
import { MEMORY_TOOLS } from "../../src/memory/tools.ts"

const setPolicy = (workspace: string, policy: string, text: string) => ok({ _tag: "SetPolicy", workspace, policy, text })

const lastRun = async (slug: string) => {
  const { runs } = await ok({ _tag: "ListRuns", workspace: slug })
  return ok({ _tag: "GetRun", workspace: slug, run: runs[0].run })
}

describe("Cedar decides tool calls", () => {
  it("an argument rule allows one call and denies another, naming the policy in the run", async () => {
    const { slug, key, upstream } = await dockedWorkspace()
    await ok({ _tag: "RemovePolicy", workspace: slug, policy: "starter" })
    await setPolicy(slug, "echo", 'permit(principal == Agent::"bot", action == Action::"call_tool", resource == Tool::"up__echo") when { context.args.text like "acme/*" };')
    const client = await mcpClient(slug, key, "modern")

    expect(await client.callTool({ name: "up__echo", arguments: { text: "acme/api" } })).toMatchObject({ content: [{ text: "echo: acme/api" }] })
    const allowed = await lastRun(slug)
    expect(allowed.spans.find((s: any) => s.name === "authorize").attributes).toMatchObject({ "berth.decision": "allow", "berth.policies": "echo" })

    const denied = await client.callTool({ name: "up__echo", arguments: { text: "evil/api" } })
    expect(denied).toMatchObject({ isError: true, content: [{ text: expect.stringContaining("no policy permits") }] })
    const run = await lastRun(slug)
    expect(run.finished.data.status).toBe("denied")
    expect(await upstream.calls()).toEqual({ echo: 1 })
    await client.close()
  })

  it("a forbid beats a permit; the denial names the forbid's id but not its text", async () => {
    const { slug, key, upstream } = await dockedWorkspace()
    const forbid = 'forbid(principal, action == Action::"call_tool", resource == Tool::"up__echo") when { context.args.text like "*rm -rf*" };'
    await setPolicy(slug, "guard", forbid)
    const client = await mcpClient(slug, key, "legacy")
    const denied = await client.callTool({ name: "up__echo", arguments: { text: "please rm -rf /" } })
    const text = (denied.content as Array<{ text: string }>)[0]!.text
    expect(denied.isError).toBe(true)
    expect(text).toContain("forbidden by policy 'guard'")
    expect(text).not.toContain("rm -rf*")
    const run = await lastRun(slug)
    expect(run.spans.find((s: any) => s.name === "authorize")).toMatchObject({
      status: { code: "error", message: "forbidden by policy 'guard'" },
      attributes: { "berth.decision": "deny", "berth.rule": "policy", "berth.policies": "guard" }
    })
    // The starter still permits what the guard does not forbid.
    expect(await client.callTool({ name: "up__echo", arguments: { text: "ls" } })).toMatchObject({ content: [{ text: "echo: ls" }] })
    expect(await upstream.calls()).toEqual({ echo: 1 })
    await client.close()
  })

  it("is deny by default: without the starter nothing is callable, and tools/list shows nothing", async () => {
    const { slug, key, upstream } = await dockedWorkspace()
    const client = await mcpClient(slug, key, "modern")
    // The upstream's tools and Berth's memory tools, which the starter lets every agent use.
    expect((await client.listTools()).tools).toHaveLength(UPSTREAM_TOOLS.length + Object.keys(MEMORY_TOOLS).length)
    await ok({ _tag: "RemovePolicy", workspace: slug, policy: "starter" })
    expect((await client.listTools()).tools).toEqual([])
    expect(await client.callTool({ name: "up__echo", arguments: { text: "x" } })).toMatchObject({ isError: true })
    // A permit that depends on the arguments makes the tool visible again: some call could pass.
    await setPolicy(slug, "echo", 'permit(principal, action == Action::"call_tool", resource == Tool::"up__echo") when { context.args.text == "hi" };')
    expect((await client.listTools()).tools.map((t) => t.name)).toEqual(["up__echo"])
    expect(await upstream.calls()).toEqual({})
    await client.close()
  })

  it("a suspended agent is refused even when a policy permits it", async () => {
    const { slug, key, upstream } = await dockedWorkspace()
    await setPolicy(slug, "bot", 'permit(principal == Agent::"bot", action, resource);')
    await ok({ _tag: "SuspendAgent", workspace: slug, agent: "bot" })
    const { rawCall, toolCall } = await import("./berth-client.ts")
    const answer = await rawCall(slug, { authorization: `Bearer ${key}` }, toolCall("up__echo", { text: "x" }))
    expect(answer.status).toBe(403)
    expect(await upstream.calls()).toEqual({})
  })
})

describe("TestPolicy (berth policy test)", () => {
  it("decides a call against the current policies, or a proposed set in place of one, appending nothing", async () => {
    const { slug } = await dockedWorkspace()
    const before = await eventCount(slug)
    const now = await ok({ _tag: "TestPolicy", workspace: slug, agent: "bot", tool: "up__echo", args: { text: "rm -rf /" } })
    expect(now).toEqual({ allow: true, rule: "policy", policies: ["starter.1"], evaluated: ["starter"] })

    const guard = 'forbid(principal, action == Action::"call_tool", resource) when { context.args.text like "*rm -rf*" };'
    const proposed = await ok({ _tag: "TestPolicy", workspace: slug, agent: "bot", tool: "up__echo", args: { text: "rm -rf /" }, text: guard, as: "guard" })
    expect(proposed).toMatchObject({ allow: false, rule: "policy", policies: ["guard"], reason: "forbidden by policy 'guard'", evaluated: ["guard", "starter"] })
    // Replacing the starter with the guard alone: nothing permits.
    const alone = await ok({ _tag: "TestPolicy", workspace: slug, agent: "bot", tool: "up__echo", args: { text: "ls" }, text: guard, as: "starter" })
    expect(alone).toMatchObject({ allow: false, reason: "no policy permits this call", evaluated: ["starter"] })

    const invalid = await rpc({ _tag: "TestPolicy", workspace: slug, agent: "bot", tool: "up__echo", text: "permit(" })
    expect(invalid).toMatchObject({ status: 400, body: { error: { _tag: "InvalidPolicy", policy: "proposed" } } })
    expect(await eventCount(slug)).toBe(before)
  })
})

describe("SimulatePolicy (berth policy simulate)", () => {
  it("reports which recorded calls a proposed set would flip, and which it could not judge", async () => {
    const { slug, key } = await dockedWorkspace()
    const client = await mcpClient(slug, key, "modern")
    // Two calls recorded without payload capture, then two with it.
    await client.callTool({ name: "up__echo", arguments: { text: "acme/one" } })
    await client.callTool({ name: "up__structured", arguments: { city: "Oslo" } })
    await ok({ _tag: "SetPayloadCapture", workspace: slug, enabled: true })
    await client.callTool({ name: "up__echo", arguments: { text: "acme/two" } })
    await client.callTool({ name: "up__echo", arguments: { text: "evil/three" } })
    // And one denied by policy, so a proposal can flip it to allow.
    await setPolicy(slug, "guard", 'forbid(principal, action == Action::"call_tool", resource == Tool::"up__fail");')
    await client.callTool({ name: "up__fail", arguments: {} })
    await client.close()
    const before = await eventCount(slug)

    // The proposal replaces the starter: echo only for acme/*, and nothing else.
    const proposal = 'permit(principal, action == Action::"call_tool", resource == Tool::"up__echo") when { context.args.text like "acme/*" };'
    const result = await ok({ _tag: "SimulatePolicy", workspace: slug, text: proposal, as: "starter" })
    expect(result.judged).toBe(5)
    expect(result.withoutArgs).toBe(2)
    expect(result.allowToDeny.map((f: any) => f.tool).sort()).toEqual(["up__echo", "up__structured"])
    expect(result.allowToDeny.find((f: any) => f.tool === "up__echo").reason).toBe("no policy permits this call")
    // The uncaptured echo call depends on its arguments under the proposal: it cannot be judged.
    expect(result.undetermined).toBe(1)
    expect(result.denyToAllow).toEqual([])

    // Removing the guard (replacing it with a permit) flips the denied call to allow.
    const lift = await ok({ _tag: "SimulatePolicy", workspace: slug, text: 'permit(principal, action, resource);', as: "guard" })
    expect(lift.denyToAllow.map((f: any) => f.tool)).toEqual(["up__fail"])
    expect(lift.allowToDeny).toEqual([])
    const lastTwo = await ok({ _tag: "SimulatePolicy", workspace: slug, text: proposal, as: "starter", last: 2 })
    expect(lastTwo.judged).toBe(2)
    expect(await eventCount(slug)).toBe(before)
  })
})

describe("SetPolicy", () => {
  it("refuses an invalid policy with Cedar's message and location, and the log is unchanged", async () => {
    const { slug } = await dockedWorkspace()
    const before = await eventCount(slug)
    const answer = await rpc({ _tag: "SetPolicy", workspace: slug, policy: "bad", text: 'permit(principal, action == Action::"call_tool", resource) when { resource.aproved };' })
    expect(answer.status).toBe(400)
    expect(answer.body.error).toMatchObject({ _tag: "InvalidPolicy", policy: "bad", line: 1 })
    expect(answer.body.error.message).toContain("aproved")
    expect(await eventCount(slug)).toBe(before)
  })
})
