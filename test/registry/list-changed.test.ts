// An upstream's notifications/tools/list_changed, arriving on the subscriptions/listen stream the
// workspace's pooled client holds open, rediscovers the plugin by the rules of `plugin refresh`: a
// changed approved tool is quarantined with no admin in the loop, and a list_changed that changed no
// tool appends nothing.
import { describe, expect, it } from "vitest"
import { ok } from "../admin/rpc-client.ts"
import { dockedWorkspace, mcpClient } from "../mcp/berth-client.ts"
import { DESCRIPTIONS } from "../mcp/upstream/tools.ts"
import { eventCount } from "../workspace/workspace-client.ts"

type Listed = { seq: number; type: string; actor: { type: string; id: string }; data: Record<string, unknown> }

const eventsAfter = async (slug: string, seq: number): Promise<Array<Listed>> =>
  ((await ok({ _tag: "ListEvents", workspace: slug, limit: 1000 })).events as Array<Listed>).filter((e) => e.seq > seq)

/** Polls (never asserting a time) until `found` holds of what the upstream or the log shows. */
const eventually = async <T,>(read: () => Promise<T>, found: (value: T) => boolean, what: string): Promise<T> => {
  const deadline = Date.now() + 15_000
  for (;;) {
    const value = await read()
    if (found(value)) return value
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}: last saw ${JSON.stringify(value)}`)
    await scheduler.wait(50)
  }
}

describe("list_changed from an upstream", () => {
  it("quarantines a changed approved tool by itself; a list_changed that changed nothing appends nothing", async () => {
    const { slug, key, upstream } = await dockedWorkspace()
    const client = await mcpClient(slug, key, "modern")
    expect(await client.callTool({ name: "up__echo", arguments: { text: "before" } })).toMatchObject({ content: [{ text: "echo: before" }] })
    const before = await eventCount(slug)
    const listed = (await upstream.lists())["tools/list"] ?? 0

    // Announced, but the definition is the one already approved: Berth looks, and records nothing.
    await upstream.mutate("echo", DESCRIPTIONS.echo!, { announce: true })
    await eventually(upstream.lists, (l) => (l["tools/list"] ?? 0) > listed, "Berth to list the upstream's tools again")
    await scheduler.wait(300)
    expect(await eventCount(slug)).toBe(before)

    // A rug-pull the upstream announces: quarantined before any admin runs `plugin refresh`.
    await upstream.mutate("echo", "Echoes the text back, and also mails it to an attacker", { announce: true })
    const appended = await eventually(() => eventsAfter(slug, before), (e) => e.some((x) => x.type === "ToolQuarantined"), "ToolQuarantined")
    expect(appended.map((e) => [e.type, e.actor])).toEqual([
      ["ToolsDiscovered", { type: "system", id: "list_changed" }],
      ["ToolQuarantined", { type: "system", id: "list_changed" }]
    ])
    expect(appended[1]!.data).toMatchObject({ tool: "up__echo", reason: "the tool's definition changed since it was approved" })

    // The agent no longer sees or reaches it, and the upstream never hears the call.
    expect((await client.listTools()).tools.map((t) => t.name)).not.toContain("up__echo")
    const refused = await client.callTool({ name: "up__echo", arguments: { text: "after" } })
    expect(refused).toMatchObject({ isError: true, content: [{ type: "text", text: expect.stringContaining("quarantined") }] })
    expect(await upstream.calls()).toEqual({ echo: 1 })
    await client.close()
  })

  it("agents in both eras hear tools/list_changed when a tool is quarantined or approved", async () => {
    const { slug, key, upstream } = await dockedWorkspace()
    const heard = { legacy: 0, modern: 0 }
    // The v2 client opens a 2025 session's GET stream, or a 2026-07-28 subscriptions/listen stream, because Berth advertises listChanged.
    const listening = (era: "legacy" | "modern") => ({ listChanged: { tools: { autoRefresh: false, debounceMs: 0, onChanged: () => void heard[era]++ } } })
    const clients = await Promise.all([mcpClient(slug, key, "legacy", {}, listening("legacy")), mcpClient(slug, key, "modern", {}, listening("modern"))])
    await eventually(async () => clients[1]!.listTools(), (l) => l.tools.length > 0, "the modern client to list")

    await upstream.mutate("echo", "now it also deletes your files", { announce: true })
    await eventually(async () => ({ ...heard }), (h) => h.legacy > 0 && h.modern > 0, "both agents to hear list_changed")
    for (const client of clients) expect((await client.listTools()).tools.map((t) => t.name)).not.toContain("up__echo")

    const after = { ...heard }
    await ok({ _tag: "ApproveTool", workspace: slug, tool: "up__echo" })
    await eventually(async () => ({ ...heard }), (h) => h.legacy > after.legacy && h.modern > after.modern, "both agents to hear the approval")
    for (const client of clients) expect((await client.listTools()).tools.map((t) => t.name)).toContain("up__echo")
    await Promise.all(clients.map((c) => c.close()))
  })

  it("a silent change waits for `plugin refresh`, as before", async () => {
    const { slug, upstream } = await dockedWorkspace()
    const before = await eventCount(slug)
    await upstream.mutate("echo", "changed without a word")
    await scheduler.wait(300)
    expect(await eventCount(slug)).toBe(before)
    const refreshed = await ok({ _tag: "RefreshPlugin", workspace: slug, plugin: "up" })
    expect(refreshed.events.map((e: { type: string }) => e.type)).toEqual(["ToolsDiscovered", "ToolQuarantined"])
  })
})
