// Resource subscriptions through Berth: a 2025-era session subscribes to a plugin's resource, Berth
// subscribes upstream once (server-everything, a real process, keeps subscriptions per session), and
// the upstream's notifications/resources/updated reach the session under Berth's URI for it.
import { describe, expect, it } from "vitest"
import { dockedEverything } from "./everything-client.ts"
import { eventCount } from "../workspace/workspace-client.ts"
import { mcpClient, rawCall } from "./berth-client.ts"

const eventually = async (found: () => boolean, what: string) => {
  const deadline = Date.now() + 15_000
  while (!found()) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`)
    await scheduler.wait(50)
  }
}

describe("resource subscriptions", () => {
  it("a 2025 session hears an upstream resource's updates under Berth's URI; subscribing appends nothing", async () => {
    const { slug, key } = await dockedEverything("subscribe")
    const client = await mcpClient(slug, key, "legacy")
    const updates: Array<string> = []
    client.setNotificationHandler("notifications/resources/updated", (n) => void updates.push(n.params.uri))
    const { resources } = await client.listResources()
    const uri = resources.find((r) => r.uri.startsWith("berth://everything/"))!.uri
    expect(uri).toMatch(/^berth:\/\/everything\/demo%3A%2F%2F/)

    const before = await eventCount(slug)
    expect(await client.subscribeResource({ uri })).toEqual({})
    expect(await eventCount(slug)).toBe(before)
    // server-everything sends its session's subscribed URIs an update at once when this is switched on, then every 5 s.
    await client.callTool({ name: "everything__toggle-subscriber-updates", arguments: {} })
    await eventually(() => updates.length > 0, "an update")
    expect(new Set(updates)).toEqual(new Set([uri]))

    expect(await client.unsubscribeResource({ uri })).toEqual({})
    await client.callTool({ name: "everything__toggle-subscriber-updates", arguments: {} })
    await client.close()
  })

  it("a 2026-07-28 agent names resources in its subscriptions/listen filter; Berth honours those it may read and relays their updates", async () => {
    const { slug, key } = await dockedEverything("subscribe")
    const client = await mcpClient(slug, key, "modern")
    const updates: Array<string> = []
    client.setNotificationHandler("notifications/resources/updated", (n) => void updates.push(n.params.uri))
    const { resources } = await client.listResources()
    const uri = resources.find((r) => r.uri.startsWith("berth://everything/"))!.uri
    const before = await eventCount(slug)
    const subscription = await client.listen({ resourceSubscriptions: [uri, "berth://memory/notes/k", "berth://ghost/x"] })
    // Only what Berth watches upstream is acknowledged.
    expect(subscription.honoredFilter).toEqual({ resourceSubscriptions: [uri] })
    expect(await eventCount(slug)).toBe(before)
    await client.callTool({ name: "everything__toggle-subscriber-updates", arguments: {} })
    await eventually(() => updates.length > 0, "an update on the listen stream")
    expect(new Set(updates)).toEqual(new Set([uri]))
    await subscription.close()
    await client.callTool({ name: "everything__toggle-subscriber-updates", arguments: {} })
    await client.close()
  })

  it("refused clearly: without a session, for memory, for a plugin the workspace lacks, and by a 2026-07-28 agent, which uses subscriptions/listen", async () => {
    const { slug, key } = await dockedEverything("subscribe")
    const before = await eventCount(slug)
    const subscribe = (uri: string) => ({ jsonrpc: "2.0", id: 7, method: "resources/subscribe", params: { uri } })
    const sessionless = await rawCall(slug, { authorization: `Bearer ${key}` }, subscribe("berth://everything/demo%3A%2F%2Fx"))
    // Answered as an SSE stream of one message.
    const answer = JSON.parse((await sessionless.text()).split("\n").find((line) => line.startsWith("data: "))!.slice("data: ".length))
    expect(answer).toMatchObject({
      error: { code: -32600, message: expect.stringContaining("resources/subscribe needs a 2025 session (Mcp-Session-Id)") }
    })

    const client = await mcpClient(slug, key, "legacy")
    await expect(client.subscribeResource({ uri: "berth://memory/notes/k" })).rejects.toThrow("workspace memory's resources cannot be subscribed to")
    await expect(client.subscribeResource({ uri: "berth://ghost/x" })).rejects.toThrow("no plugin 'ghost' in this workspace")
    await expect(client.subscribeResource({ uri: "demo://x" })).rejects.toThrow("is not a Berth resource URI")
    await client.close()

    // resources/subscribe is not a 2026-07-28 method: the SDK answers that itself.
    const modern = await mcpClient(slug, key, "modern")
    await expect(modern.subscribeResource({ uri: "berth://everything/demo%3A%2F%2Fx" })).rejects.toThrow()
    await modern.close()
    expect(await eventCount(slug)).toBe(before)
  })
})
