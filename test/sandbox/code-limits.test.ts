// Per-workspace limits for code runs (SetCodeLimits): they replace the defaults for every run of the
// workspace, run_code's description and its timeoutMs bound name them, each limit is held to its
// range with an error naming the field, and a refusal appends nothing.
import type { CallToolResult } from "@modelcontextprotocol/client"
import { describe, expect, it } from "vitest"
import { ok, rpc } from "../admin/rpc-client.ts"
import { dockedWorkspace, mcpClient } from "../mcp/berth-client.ts"

const structured = (result: unknown) => (result as CallToolResult).structuredContent as any

describe("SetCodeLimits", () => {
  it("sets the workspace's limits: runs use them, run_code names them, and defaults restores them", async () => {
    const { slug, key } = await dockedWorkspace()
    await ok({ _tag: "SetPolicy", workspace: slug, policy: "code", text: 'permit(principal, action == Action::"run_code", resource);' })
    const set = await ok({ _tag: "SetCodeLimits", workspace: slug, wallMs: 2000, primitiveCalls: 2 })
    // The event records the whole set in force, defaults included.
    expect(set.events).toEqual([expect.objectContaining({ type: "CodeLimitsSet", data: { wallMs: 2000, cpuMs: 10_000, resultBytes: 262_144, primitiveCalls: 2 } })])
    expect((await ok({ _tag: "SetCodeLimits", workspace: slug, wallMs: 2000 })).events).toEqual([])

    const bot = await mcpClient(slug, key, "modern")
    const tool = (await bot.listTools()).tools.find((t) => t.name === "run_code")!
    expect(tool.description).toContain("stops after 2 s")
    expect(tool.description).toContain("at most 2 orbit calls")
    expect((tool.inputSchema.properties as any).timeoutMs.maximum).toBe(2000)

    const calls = `export default async (input, orbit) => {
      const tags = []
      for (let i = 0; i < 3; i++) { try { await orbit.cache.get("k" + i); tags.push("ok") } catch (e) { tags.push(e._tag) } }
      return tags
    }`
    const out = structured(await bot.callTool({ name: "run_code", arguments: { code: calls } }))
    expect(out.result).toEqual(["ok", "ok", "PrimitiveLimitExceeded"])
    const started = (await ok({ _tag: "ListEvents", workspace: slug, limit: 1000 })).events.find((e: any) => e.type === "RunStarted" && e.data.run === out.run)
    expect(started.data.limits).toEqual({ wallMs: 2000, cpuMs: 10_000, resultBytes: 262_144, primitiveCalls: 2 })

    const slow = structured(await bot.callTool({ name: "run_code", arguments: { code: "export default async () => { await new Promise((r) => setTimeout(r, 5000)); return 1 }" } }))
    expect(slow).toMatchObject({ status: "timeout", error: { message: expect.stringContaining("2000 ms") } })
    const tooLong = structured(await bot.callTool({ name: "run_code", arguments: { code: "export default async () => 1", timeoutMs: 3000 } }))
    expect(tooLong).toMatchObject({ status: "denied", error: { _tag: "InvalidArguments", message: expect.stringContaining("from 1 to 2000") } })
    await bot.close()

    const back = await ok({ _tag: "SetCodeLimits", workspace: slug, defaults: true })
    expect(back.events[0].data).toEqual({ wallMs: 30_000, cpuMs: 10_000, resultBytes: 262_144, primitiveCalls: 1_000 })
    expect((await ok({ _tag: "GetState", workspace: slug })).state.workspace.codeLimits).toEqual(back.events[0].data)
  })

  it.each([
    ["no limit at all", {}, "wallMs"],
    ["a wall time over five minutes", { wallMs: 300_001 }, "wallMs"],
    ["a fractional CPU time", { cpuMs: 10.5 }, "cpuMs"],
    ["a result over 4 MiB", { resultBytes: 4 * 1024 * 1024 + 1 }, "resultBytes"],
    ["no primitive calls", { primitiveCalls: 0 }, "primitiveCalls"]
  ])("refuses %s, naming the field, and appends nothing", async (_, limits, field) => {
    const { slug } = await dockedWorkspace()
    const before = (await ok({ _tag: "ListEvents", workspace: slug, limit: 1000 })).events.length
    const refused = await rpc({ _tag: "SetCodeLimits", workspace: slug, ...limits })
    expect(refused.status).toBe(400)
    expect(refused.body.error).toMatchObject({ _tag: "InvalidCommand", field })
    expect((await ok({ _tag: "ListEvents", workspace: slug, limit: 1000 })).events.length).toBe(before)
  })
})
