// Rate limits at the endpoint: N+1 calls in a minute give N successes and one clear refusal, and a
// new session (a fresh initialize) does not reset the bucket: limits are workspace state.
import { describe, expect, it } from "vitest"
import { ok, rpc } from "../admin/rpc-client.ts"
import { eventCount } from "../workspace/workspace-client.ts"
import { dockedWorkspace, mcpClient } from "./berth-client.ts"

describe("rate limits", () => {
  it("N calls pass, the N+1th is refused with when to retry, and re-initializing does not reset the bucket", async () => {
    const { slug, key, upstream } = await dockedWorkspace()
    const { key: otherKey } = await ok({ _tag: "RegisterAgent", workspace: slug, agent: "other" })
    const set = await ok({ _tag: "SetRateLimit", workspace: slug, scope: "agent", target: "bot", perMinute: 3 })
    expect(set.events.map((e: any) => e.type)).toEqual(["RateLimitSet"])

    const first = await mcpClient(slug, key, "legacy")
    const echo = (client: Awaited<ReturnType<typeof mcpClient>>, text: string) => client.callTool({ name: "up__echo", arguments: { text } })
    for (const text of ["1", "2", "3"]) expect(await echo(first, text)).toMatchObject({ content: [{ text: `echo: ${text}` }] })
    const refused = await echo(first, "4")
    expect(refused).toMatchObject({ isError: true, content: [{ type: "text", text: expect.stringMatching(/rate limit 'agent:bot' \(3 per minute\) reached; retry in \d+ s/) }] })
    await first.close()

    // A new session: initialize again, in either protocol. The bucket is the workspace's, not the session's.
    for (const era of ["legacy", "modern"] as const) {
      const again = await mcpClient(slug, key, era)
      expect(await echo(again, "5")).toMatchObject({ isError: true })
      await again.close()
    }
    // Another agent has its own (unlimited) budget.
    const other = await mcpClient(slug, otherKey, "modern")
    expect(await echo(other, "6")).toMatchObject({ content: [{ text: "echo: 6" }] })
    await other.close()

    expect(await upstream.calls()).toEqual({ echo: 4 })
    const { runs } = await ok({ _tag: "ListRuns", workspace: slug, status: "denied" })
    expect(runs).toHaveLength(3)
    const run = await ok({ _tag: "GetRun", workspace: slug, run: runs[0].run })
    expect(run.spans.find((s: any) => s.name === "rate limit")).toMatchObject({
      status: { code: "error" },
      attributes: { "berth.limit": "agent:bot", "berth.retry_after_ms": expect.any(Number) }
    })
    expect(await ok({ _tag: "ListLimits", workspace: slug })).toEqual({
      limits: [{ limit: "agent:bot", scope: "agent", target: "bot", perMinute: 3, setAt: expect.any(String) }]
    })
  })

  it("refuses a limit on an unknown agent or tool, or a workspace limit with a target, appending nothing", async () => {
    const { slug } = await dockedWorkspace()
    const before = await eventCount(slug)
    expect(await rpc({ _tag: "SetRateLimit", workspace: slug, scope: "agent", target: "ghost", perMinute: 5 })).toMatchObject({ status: 404, body: { error: { _tag: "AgentNotFound" } } })
    expect(await rpc({ _tag: "SetRateLimit", workspace: slug, scope: "tool", target: "up__nope", perMinute: 5 })).toMatchObject({ status: 404, body: { error: { _tag: "ToolNotFound" } } })
    expect(await rpc({ _tag: "SetRateLimit", workspace: slug, scope: "workspace", target: "x", perMinute: 5 })).toMatchObject({ status: 400, body: { error: { _tag: "InvalidCommand", field: "target" } } })
    expect(await rpc({ _tag: "SetRateLimit", workspace: slug, scope: "agent", target: "bot", perMinute: 0 })).toMatchObject({ status: 400, body: { error: { _tag: "InvalidCommand", field: "perMinute" } } })
    expect(await rpc({ _tag: "RemoveRateLimit", workspace: slug, scope: "workspace" })).toMatchObject({ status: 404, body: { error: { _tag: "RateLimitNotFound" } } })
    expect(await eventCount(slug)).toBe(before)
  })
})
