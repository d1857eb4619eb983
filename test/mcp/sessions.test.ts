// 2025-era sessions: an initialize opens one (Mcp-Session-Id), held in the workspace's object with its
// own server; its GET stream and DELETE work; it belongs to the agent that opened it; and in-flight
// calls are keyed by session, so two clients of one agent, whose request ids collide, never cancel
// each other's calls. A request without a session id is still served statelessly.
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client"
import { SELF } from "cloudflare:test"
import { describe, expect, it } from "vitest"
import { ok } from "../admin/rpc-client.ts"
import { eventCount } from "../workspace/workspace-client.ts"
import { dockedWorkspace, endpoint, rawCall } from "./berth-client.ts"

const legacyClient = async (slug: string, key: string) => {
  const transport = new StreamableHTTPClientTransport(new URL(endpoint(slug)), {
    fetch: (input, init) => SELF.fetch(new Request(input as RequestInfo, init)),
    requestInit: { headers: { authorization: `Bearer ${key}` } }
  })
  const client = new Client({ name: "berth-test-agent", version: "1.0.0" })
  await client.connect(transport)
  return { client, transport }
}

const post = (slug: string, key: string, session: string, body: unknown, method = "POST") =>
  SELF.fetch(endpoint(slug), {
    method,
    headers: {
      authorization: `Bearer ${key}`,
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      "mcp-session-id": session,
      "mcp-protocol-version": "2025-11-25"
    },
    ...(method === "POST" ? { body: JSON.stringify(body) } : {})
  })

describe("2025-era sessions", () => {
  it("an initialize opens a session whose GET stream and DELETE work; a closed or foreign session is 404", async () => {
    const { slug, key } = await dockedWorkspace()
    const { client, transport } = await legacyClient(slug, key)
    const session = transport.sessionId!
    expect(session).toMatch(/^[0-9a-f-]{36}$/)
    expect(await client.callTool({ name: "up__echo", arguments: { text: "in a session" } })).toMatchObject({ content: [{ text: "echo: in a session" }] })

    // The client opened the session's GET stream after initializing (it was 405 when the 2025 protocol
    // was served statelessly only); a second one for the same session is refused, as the SDK's transport does.
    const stream = await SELF.fetch(endpoint(slug), {
      headers: { authorization: `Bearer ${key}`, accept: "text/event-stream", "mcp-session-id": session, "mcp-protocol-version": "2025-11-25" }
    })
    expect(stream.status).toBe(409)
    await stream.body?.cancel()

    // Another agent cannot use it, and neither that refusal nor the one after DELETE writes anything.
    const { key: otherKey } = await ok({ _tag: "RegisterAgent", workspace: slug, agent: "other" })
    const before = await eventCount(slug)
    const foreign = await post(slug, otherKey, session, { jsonrpc: "2.0", id: 9, method: "tools/list" })
    expect(foreign.status).toBe(404)

    // DELETE ends it; the next request on it is 404, which tells a client to initialize again.
    await transport.terminateSession()
    const after = await post(slug, key, session, { jsonrpc: "2.0", id: 10, method: "tools/list" })
    expect(after.status).toBe(404)
    expect(((await after.json()) as { error: { message: string } }).error.message).toContain("initialize again")
    expect(await eventCount(slug)).toBe(before)
    await client.close()
  })

  it("two clients of one agent, whose request ids collide, cancel only their own calls", async () => {
    const { slug, key, upstream } = await dockedWorkspace()
    const [a, b] = [await legacyClient(slug, key), await legacyClient(slug, key)]
    // Each client numbers its requests from the same start, so these two calls share an id.
    const abort = new AbortController()
    const slowA = a.client.callTool(
      { name: "up__progress", arguments: { steps: 40, delayMs: 25 } },
      { signal: abort.signal, onprogress: (p) => p.progress === 2 && abort.abort(new Error("a gave up")) }
    )
    const slowB = b.client.callTool({ name: "up__progress", arguments: { steps: 6, delayMs: 25 } })
    await expect(slowA).rejects.toThrow("a gave up")
    expect(await slowB).toMatchObject({ content: [{ type: "text" }] })
    await expect.poll(() => upstream.aborts(), { timeout: 5_000 }).toEqual({ progress: 1 })
    const { runs } = await ok({ _tag: "ListRuns", workspace: slug })
    expect(runs.map((r: { status: string }) => r.status).sort()).toEqual(["error", "ok"])
    await Promise.all([a.client.close(), b.client.close()])
  })

  it("a 2025-era request without a session id is still served statelessly", async () => {
    const { slug, key } = await dockedWorkspace()
    const response = await rawCall(slug, { authorization: `Bearer ${key}`, "mcp-protocol-version": "2025-11-25" })
    expect(response.status).toBe(200)
    expect(response.headers.get("mcp-session-id")).toBeNull()
  })
})
