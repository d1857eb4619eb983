// Workspace memory through the hosted MCP endpoint, with real v2 SDK clients in both protocol eras:
// Berth's own memory tools (unprefixed, with input schemas), each call a recorded run with spans;
// Cedar confining a bot to its own namespace (a denied write is a denied run and appends no
// MemoryPut); typed conflicts; and memory as resources (berth://memory/<namespace>/<key>).
import type { CallToolResult } from "@modelcontextprotocol/client"
import { describe, expect, it } from "vitest"
import { ok, rpc } from "../admin/rpc-client.ts"
import { mcpClient } from "../mcp/berth-client.ts"
import { freshSlug } from "../workspace/workspace-client.ts"

const text = (result: unknown) => ((result as CallToolResult).content[0] as { text: string }).text
const eventsOf = async (slug: string) => (await ok({ _tag: "ListEvents", workspace: slug, limit: 1000 })).events as Array<{ type: string; actor: any; correlationId: string; data: any }>
const runsOf = async (slug: string) => (await ok({ _tag: "ListRuns", workspace: slug })).runs as Array<{ run: string; agent: string; tool: string; status: string }>

const workspaceWithBots = async (...bots: Array<string>) => {
  const slug = freshSlug("memmcp")
  await ok({ _tag: "CreateWorkspace", workspace: slug })
  const keys: Record<string, string> = {}
  for (const bot of bots) keys[bot] = (await ok({ _tag: "RegisterAgent", workspace: slug, agent: bot })).key
  return { slug, keys }
}

describe("memory through MCP", () => {
  it("bot A writes on 2026-07-28; bot B, on the 2025 protocol, reads it and finds it by a word in its value", async () => {
    const { slug, keys } = await workspaceWithBots("a", "b")
    const botA = await mcpClient(slug, keys.a!, "modern")
    const tools = (await botA.listTools()).tools
    expect(tools.map((t) => t.name).sort()).toEqual(["memory_delete", "memory_get", "memory_list", "memory_put", "memory_search"])
    const putTool = tools.find((t) => t.name === "memory_put")!
    expect(putTool.inputSchema).toMatchObject({ type: "object", required: ["namespace", "key", "value"], additionalProperties: false })
    expect(putTool.description).toContain("Never store secrets")

    const stored = await botA.callTool({
      name: "memory_put",
      arguments: { namespace: "team/incidents", key: "db-failover", value: "The replica in fra takes over; page the storage oncall.", tags: ["db"] }
    })
    expect(stored.isError).toBeFalsy()
    expect(stored.structuredContent).toEqual({ namespace: "team/incidents", key: "db-failover", version: 1 })
    await botA.close()

    const botB = await mcpClient(slug, keys.b!, "legacy")
    const read = await botB.callTool({ name: "memory_get", arguments: { namespace: "team/incidents", key: "db-failover" } })
    expect(read.structuredContent).toMatchObject({ value: "The replica in fra takes over; page the storage oncall.", version: 1, tags: ["db"] })
    const found = await botB.callTool({ name: "memory_search", arguments: { query: "replica" } })
    expect((found.structuredContent as any).hits).toEqual([
      expect.objectContaining({ namespace: "team/incidents", key: "db-failover", snippet: expect.stringContaining("[replica]") })
    ])
    const listed = await botB.callTool({ name: "memory_list", arguments: { prefix: "team", tags: ["db"] } })
    expect((listed.structuredContent as any).entries).toEqual([expect.objectContaining({ key: "db-failover", version: 1 })])

    // Memory as resources, for clients that browse them.
    const resources = (await botB.listResources()).resources
    expect(resources).toContainEqual(expect.objectContaining({ uri: "berth://memory/team/incidents/db-failover", mimeType: "text/plain" }))
    const contents = (await botB.readResource({ uri: "berth://memory/team/incidents/db-failover" })).contents
    expect(contents).toEqual([{ uri: "berth://memory/team/incidents/db-failover", mimeType: "text/plain", text: "The replica in fra takes over; page the storage oncall." }])
    await botB.close()

    // The put is one event, by bot A, correlated with its run; every call is a run with its spans.
    const puts = (await eventsOf(slug)).filter((e) => e.type === "MemoryPut")
    expect(puts).toHaveLength(1)
    expect(puts[0]!.actor).toEqual({ type: "agent", id: "a" })
    const runs = await runsOf(slug)
    const putRun = runs.find((r) => r.tool === "memory_put")!
    expect(putRun).toMatchObject({ agent: "a", status: "ok" })
    expect(puts[0]!.correlationId).toBe(putRun.run)
    const { spans } = await ok({ _tag: "GetRun", workspace: slug, run: putRun.run })
    expect(spans.map((s: { name: string }) => s.name)).toEqual(["tools/call", "validate arguments", "authorize", "memory.put"])
    expect(spans.find((s: { name: string }) => s.name === "memory.put").attributes).toMatchObject({ "berth.memory.version": 1 })
    expect(runs.filter((r) => r.agent === "b").map((r) => r.tool).sort()).toEqual(["memory_get", "memory_list", "memory_search"])
  })

  it("a policy confines bot C to agent/c: its write to team is a denied run and appends no MemoryPut", async () => {
    const { slug, keys } = await workspaceWithBots("c")
    await ok({ _tag: "RemovePolicy", workspace: slug, policy: "starter" })
    await ok({
      _tag: "SetPolicy",
      workspace: slug,
      policy: "confine",
      text: `permit(principal == Agent::"c", action in [Action::"read_memory", Action::"write_memory"], resource in Memory::"agent/c");`
    })
    const botC = await mcpClient(slug, keys.c!, "modern")
    const denied = await botC.callTool({ name: "memory_put", arguments: { namespace: "team", key: "x", value: 1 } })
    expect(denied.isError).toBe(true)
    expect(text(denied)).toBe(`Berth refused this call: write_memory on Memory::"team": no policy permits this call`)
    const mine = await botC.callTool({ name: "memory_put", arguments: { namespace: "agent/c/notes", key: "x", value: { ok: true } } })
    expect(mine.isError).toBeFalsy()
    // Reading team is refused the same way, and a search sees only what C may read.
    expect((await botC.callTool({ name: "memory_get", arguments: { namespace: "team", key: "x" } })).isError).toBe(true)
    await ok({ _tag: "PutMemory", workspace: slug, namespace: "team", key: "secretive", value: "notes about x" })
    const search = await botC.callTool({ name: "memory_search", arguments: { query: "x" } })
    expect((search.structuredContent as any).hits.map((h: { namespace: string }) => h.namespace)).toEqual(["agent/c/notes"])
    await botC.close()

    const puts = (await eventsOf(slug)).filter((e) => e.type === "MemoryPut")
    expect(puts.map((e) => e.data.namespace)).toEqual(["agent/c/notes", "team"])
    const runs = await runsOf(slug)
    const deniedRun = runs.find((r) => r.tool === "memory_put" && r.status === "denied")!
    expect(deniedRun).toMatchObject({ agent: "c" })
    const { spans } = await ok({ _tag: "GetRun", workspace: slug, run: deniedRun.run })
    expect(spans.find((s: { name: string }) => s.name === "authorize")).toMatchObject({
      status: { code: "error" },
      attributes: { "berth.decision": "deny", "berth.memory.namespace": "team" }
    })
  })

  it("a stale ifVersion is a typed conflict with the current version; bad arguments are refused before anything runs", async () => {
    const { slug, keys } = await workspaceWithBots("a")
    const bot = await mcpClient(slug, keys.a!, "legacy")
    await bot.callTool({ name: "memory_put", arguments: { namespace: "agent/a", key: "n", value: 1 } })
    await bot.callTool({ name: "memory_put", arguments: { namespace: "agent/a", key: "n", value: 2, ifVersion: 1 } })
    const stale = await bot.callTool({ name: "memory_put", arguments: { namespace: "agent/a", key: "n", value: 3, ifVersion: 1 } })
    expect(stale.isError).toBe(true)
    expect(stale.structuredContent).toMatchObject({ error: { _tag: "MemoryVersionConflict", expected: 1, current: 2 } })
    const bad = await bot.callTool({ name: "memory_put", arguments: { namespace: "team//x", key: "k", value: 1 } })
    expect(bad.isError).toBe(true)
    expect(text(bad)).toContain("/namespace")
    const secret = await bot.callTool({ name: "memory_put", arguments: { namespace: "agent/a", key: "s", value: "Bearer abcdefgh12345678xyz" } })
    expect(secret.structuredContent).toMatchObject({ error: { _tag: "MemoryValueHasSecret" } })
    await bot.close()
    expect((await eventsOf(slug)).filter((e) => e.type === "MemoryPut")).toHaveLength(2)
    expect((await runsOf(slug)).map((r) => r.status).sort()).toEqual(["denied", "error", "error", "ok", "ok"])
  })

  it("a memory tool is rate-limited by its name: over the limit, a denied run", async () => {
    const { slug, keys } = await workspaceWithBots("a")
    await ok({ _tag: "SetRateLimit", workspace: slug, scope: "tool", target: "memory_get", perMinute: 1 })
    const bot = await mcpClient(slug, keys.a!, "modern")
    await bot.callTool({ name: "memory_get", arguments: { namespace: "team", key: "none" } })
    const limited = await bot.callTool({ name: "memory_get", arguments: { namespace: "team", key: "none" } })
    await bot.close()
    expect(limited.isError).toBe(true)
    expect(text(limited)).toContain("Berth refused this call")
    expect((await runsOf(slug)).map((r) => r.status).sort()).toEqual(["denied", "error"])
  })

  it("no plugin may take the name `memory`: its resources would collide", async () => {
    const slug = freshSlug("memmcp")
    await ok({ _tag: "CreateWorkspace", workspace: slug })
    const refused = await rpc({ _tag: "InstallPlugin", workspace: slug, plugin: "memory", url: "https://mcp.example.com/mcp", transport: "streamable-http", auth: "none" })
    expect(refused.body.error).toMatchObject({ _tag: "InvalidCommand", field: "plugin" })
  })
})
