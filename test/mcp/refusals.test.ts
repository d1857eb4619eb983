// Refusals at the hosted endpoint. Each is clear, never reaches the upstream, and (for an identified
// agent's tool call) leaves a run with status denied. A workspace that does not exist is a 404 before
// any key is looked at (test/workspace/known-workspaces.test.ts); at one that does, a refused key
// reveals nothing about which keys or workspaces exist.
import { env, runInDurableObject, SELF } from "cloudflare:test"
import { describe, expect, it } from "vitest"
import { ok } from "../admin/rpc-client.ts"
import { eventCount, freshSlug } from "../workspace/workspace-client.ts"
import { MCP_MAX_BODY_BYTES } from "../../src/mcp/endpoint.ts"
import { dockedWorkspace, endpoint, mcpClient, rawCall, toolCall } from "./berth-client.ts"

const deniedRuns = async (slug: string) => (await ok({ _tag: "ListRuns", workspace: slug, status: "denied" })).runs

describe("authentication", () => {
  it("no key, a wrong key, and a key naming a missing workspace get the same 401; a missing workspace is a 404 whatever the key", async () => {
    const { slug, upstream } = await dockedWorkspace()
    const answers = await Promise.all([
      rawCall(slug, {}),
      rawCall(slug, { authorization: "Bearer berth_nope" }),
      rawCall(slug, { authorization: `Bearer berth_${slug}_forged` }),
      rawCall(slug, { authorization: `Bearer berth_${freshSlug("missing")}_forged` })
    ])
    const bodies = await Promise.all(answers.map(async (r) => ({ status: r.status, body: await r.json() })))
    expect(new Set(bodies.map((b) => JSON.stringify(b))).size).toBe(1)
    expect(bodies[0]).toMatchObject({ status: 401, body: { error: { message: expect.stringContaining("Bearer") } } })
    const missing = freshSlug("missing")
    const notFound = await Promise.all([rawCall(missing, { authorization: "Bearer berth_nope" }), rawCall(missing, {})])
    expect(await Promise.all(notFound.map(async (r) => ({ status: r.status, body: await r.json() })))).toEqual(
      Array(2).fill({ status: 404, body: { jsonrpc: "2.0", error: { code: -32004, message: `no workspace '${missing}'` }, id: null } })
    )
    expect(await upstream.calls()).toEqual({})
  })

  it("a suspended agent gets 403 naming why, its call is a denied run, and the upstream sees nothing", async () => {
    const { slug, key, upstream } = await dockedWorkspace()
    await ok({ _tag: "SuspendAgent", workspace: slug, agent: "bot" })
    const answer = await rawCall(slug, { authorization: `Bearer ${key}` }, toolCall("up__echo", { text: "hi" }))
    expect(answer.status).toBe(403)
    expect(await answer.json()).toMatchObject({ error: { message: "forbidden: agent 'bot' is suspended" } })
    expect(await deniedRuns(slug)).toEqual([expect.objectContaining({ agent: "bot", tool: "up__echo", status: "denied" })])
    expect(await upstream.calls()).toEqual({})
  })

  it("a key from another workspace gets 403; the denied run lands in the key's own workspace", async () => {
    const home = await dockedWorkspace()
    const target = await dockedWorkspace()
    const before = await eventCount(target.slug)
    const answer = await rawCall(target.slug, { authorization: `Bearer ${home.key}` }, toolCall("up__echo", { text: "hi" }))
    expect(answer.status).toBe(403)
    expect(await answer.json()).toMatchObject({ error: { message: "forbidden: this key belongs to another workspace" } })
    // The same key at a workspace that does not exist: 404, and nothing is woken to record it.
    const missing = await rawCall(freshSlug("missing"), { authorization: `Bearer ${home.key}` })
    expect(missing.status).toBe(404)
    expect(await eventCount(target.slug)).toBe(before)
    const denied = await deniedRuns(home.slug)
    // The refused call at the target was a tool call, so it is recorded where the key belongs.
    expect(denied).toEqual([expect.objectContaining({ agent: "bot", tool: "up__echo", status: "denied" })])
    const run = await ok({ _tag: "GetRun", workspace: home.slug, run: denied[0].run })
    expect(run.spans.find((s: any) => s.name === "authorize")).toMatchObject({
      status: { code: "error", message: expect.stringContaining(`not '${target.slug}'`) },
      attributes: { "berth.decision": "deny", "berth.rule": "workspace-key" }
    })
    expect(await home.upstream.calls()).toEqual({})
    expect(await target.upstream.calls()).toEqual({})
  })
})

describe("tool checks", () => {
  it("a changed definition quarantines an approved tool: hidden, refused with the reason, until re-approved", async () => {
    const { slug, key, upstream } = await dockedWorkspace()
    await upstream.mutate("echo", "echo, but now also emails your files somewhere")
    const refreshed = await ok({ _tag: "RefreshPlugin", workspace: slug, plugin: "up" })
    expect(refreshed.events.map((e: any) => e.type)).toEqual(["ToolsDiscovered", "ToolQuarantined"])
    expect(refreshed.events[1].data).toMatchObject({ tool: "up__echo", reason: expect.stringContaining("changed") })

    const client = await mcpClient(slug, key, "modern")
    expect((await client.listTools()).tools.map((t) => t.name)).not.toContain("up__echo")
    const refused = await client.callTool({ name: "up__echo", arguments: { text: "hi" } })
    expect(refused).toMatchObject({ isError: true, content: [{ type: "text", text: expect.stringContaining("quarantined") }] })
    expect(await upstream.calls()).toEqual({})
    const denied = await deniedRuns(slug)
    expect(denied).toEqual([expect.objectContaining({ tool: "up__echo", status: "denied" })])

    await ok({ _tag: "ApproveTool", workspace: slug, tool: "up__echo" })
    expect(await client.callTool({ name: "up__echo", arguments: { text: "hi" } })).toMatchObject({ content: [{ text: "echo: hi" }] })
    expect(await upstream.calls()).toEqual({ echo: 1 })
    await client.close()
  })

  it("arguments that break the tool's inputSchema are refused with the JSON pointer, before the upstream", async () => {
    const { slug, key, upstream } = await dockedWorkspace()
    const client = await mcpClient(slug, key, "modern")
    const refused = await client.callTool({ name: "up__echo", arguments: { text: 42 } })
    expect(refused).toMatchObject({ isError: true, content: [{ type: "text", text: expect.stringContaining("/text") }] })
    expect(await upstream.calls()).toEqual({})
    const [denied] = await deniedRuns(slug)
    const run = await ok({ _tag: "GetRun", workspace: slug, run: denied.run })
    expect(run.spans.find((s: any) => s.name === "validate arguments")).toMatchObject({
      status: { code: "error" },
      attributes: { "berth.pointer": "/text" }
    })
    await client.close()
  })

  it("an unknown tool is refused and recorded as denied", async () => {
    const { slug, key, upstream } = await dockedWorkspace()
    const client = await mcpClient(slug, key, "legacy")
    const refused = await client.callTool({ name: "up__nope", arguments: {} })
    expect(refused).toMatchObject({ isError: true, content: [{ text: expect.stringContaining("not installed") }] })
    expect(await deniedRuns(slug)).toHaveLength(1)
    expect(await upstream.calls()).toEqual({})
    await client.close()
  })

  it("a call refused before dispatch is one append; a dispatched call starts its run before it leaves", async () => {
    const { slug, key } = await dockedWorkspace()
    const client = await mcpClient(slug, key, "modern")
    await client.callTool({ name: "up__nope", arguments: {} })
    await client.callTool({ name: "up__echo", arguments: { text: "x" } })
    const { runs } = await ok({ _tag: "ListRuns", workspace: slug })
    const appends = async (run: string) => {
      const { started, finished } = await ok({ _tag: "GetRun", workspace: slug, run })
      // One append gives its events one causation (the command) and one time.
      return new Set([started, finished].map((e: { causationId: string; at: string }) => `${e.causationId}@${e.at}`)).size
    }
    const [echo, nope] = [runs.find((r: { tool: string }) => r.tool === "up__echo"), runs.find((r: { tool: string }) => r.tool === "up__nope")]
    expect(await appends(nope.run)).toBe(1)
    expect(await appends(echo.run)).toBe(2)
    await client.close()
  })
})

describe("what a run keeps of outside text", () => {
  it("an unknown tool's name, however long, is kept to 200 characters, and the refusal's text to 4,096, at the endpoint and at the edge", async () => {
    const { slug, key, upstream } = await dockedWorkspace()
    const client = await mcpClient(slug, key, "modern")
    const name = `up__${"x".repeat(100_000)}`
    const kept = `up__${"x".repeat(196)}…`
    const refused = await client.callTool({ name, arguments: {} })
    expect(refused).toMatchObject({ isError: true, content: [{ text: expect.stringMatching(/^Berth refused this call: tool 'up__x+…$/) }] })
    expect((refused.content as Array<{ text: string }>)[0]!.text.length).toBeLessThan(4_200)
    const [run] = await deniedRuns(slug)
    expect(run.tool).toBe(kept)
    const recorded = await ok({ _tag: "GetRun", workspace: slug, run: run.run })
    expect(recorded.finished.data.error.length).toBeLessThanOrEqual(4_097)
    expect(recorded.spans.find((s: { name: string }) => s.name === "tools/call").attributes["berth.tool"]).toBe(kept)
    expect(JSON.stringify(recorded).length).toBeLessThan(20_000)
    await client.close()
    // Refused at the edge (a suspended agent), the same.
    await ok({ _tag: "SuspendAgent", workspace: slug, agent: "bot" })
    expect((await rawCall(slug, { authorization: `Bearer ${key}` }, toolCall(name, {}))).status).toBe(403)
    expect((await deniedRuns(slug)).map((r: { tool: string }) => r.tool)).toEqual([kept, kept])
    expect(await upstream.calls()).toEqual({})
  })

  it("a made-up name holding one of the vault's values is recorded scrubbed, at the endpoint and at the edge", async () => {
    const { slug, key } = await dockedWorkspace()
    const secret = "ghp_vaultHeldSecret+0123456789"
    await ok({ _tag: "SetCredential", workspace: slug, credential: "gh", plugin: "up", kind: "bearer", value: secret })
    const client = await mcpClient(slug, key, "modern")
    await client.callTool({ name: `up__${secret}`, arguments: {} })
    await client.close()
    await ok({ _tag: "SuspendAgent", workspace: slug, agent: "bot" })
    await rawCall(slug, { authorization: `Bearer ${key}` }, toolCall(`up__${secret}`, {}))
    const runs = await deniedRuns(slug)
    expect(runs.map((r: { tool: string }) => r.tool)).toEqual(["up__[redacted]", "up__[redacted]"])
    for (const run of runs) expect(JSON.stringify(await ok({ _tag: "GetRun", workspace: slug, run: run.run }))).not.toContain(secret)
  })

  it("an upstream's error page is kept to 4,096 characters of the run, and of what the agent hears", async () => {
    const { slug, key, upstream } = await dockedWorkspace()
    const client = await mcpClient(slug, key, "modern")
    await client.callTool({ name: "up__echo", arguments: { text: "before the outage" } })
    await upstream.break(500, `<html>${"the upstream is down ".repeat(10_000)}</html>`)
    const failed = await client.callTool({ name: "up__echo", arguments: { text: "during it" } }).then(
      () => undefined,
      (error: Error) => error
    )
    expect(failed?.message).toContain("is unavailable")
    expect(failed!.message.length).toBeLessThan(4_300)
    const { runs } = await ok({ _tag: "ListRuns", workspace: slug, status: "error" })
    const recorded = await ok({ _tag: "GetRun", workspace: slug, run: runs[0].run })
    expect(recorded.finished.data.error).toContain("the upstream is down")
    expect(recorded.finished.data.error.length).toBeLessThanOrEqual(4_097)
    expect(recorded.spans.find((s: { name: string }) => s.name === "upstream up").status.message.length).toBeLessThanOrEqual(4_097)
    await client.close()
  })
})

describe("the HTTP edge", () => {
  it("refuses a foreign browser Origin (DNS-rebinding protection) and an oversize body", async () => {
    const { slug, key } = await dockedWorkspace()
    const foreign = await rawCall(slug, { authorization: `Bearer ${key}`, origin: "http://evil.example" })
    expect(foreign.status).toBe(403)
    // A foreign Origin is refused before any workspace hears of the key: another workspace's key
    // records nothing in its home, as it would for an Origin the plane serves (the test above).
    const other = await dockedWorkspace()
    const before = await eventCount(other.slug)
    const crossSite = await rawCall(slug, { authorization: `Bearer ${other.key}`, origin: "http://evil.example" }, toolCall("up__echo", { text: "hi" }))
    expect(crossSite.status).toBe(403)
    expect(await eventCount(other.slug)).toBe(before)
    const local = await rawCall(slug, { authorization: `Bearer ${key}`, origin: "http://localhost:5173" }, { jsonrpc: "2.0", id: 1, method: "ping" })
    expect(local.status).not.toBe(403)
    const huge = await rawCall(slug, { authorization: `Bearer ${key}` }, toolCall("up__echo", { text: "x".repeat(2 * 1024 * 1024) }))
    expect(huge.status).toBe(413)
  })

  it("a call is served whether or not its body declares a length, and a body that is not JSON or is over the cap is refused as the SDK refuses it, with nothing recorded", async () => {
    const { slug, key, upstream } = await dockedWorkspace()
    const modern = {
      "mcp-protocol-version": "2026-07-28",
      "mcp-method": "tools/call",
      "mcp-name": "up__echo"
    }
    const meta = {
      "io.modelcontextprotocol/protocolVersion": "2026-07-28",
      "io.modelcontextprotocol/clientCapabilities": {},
      "io.modelcontextprotocol/clientInfo": { name: "raw", version: "1.0.0" }
    }
    const call = (era: "modern" | "legacy", text: string) => {
      const c = toolCall("up__echo", { text })
      return era === "modern" ? { ...c, params: { ...c.params, _meta: meta } } : c
    }
    /** Posts `body` as bytes (a declared Content-Length), or as a stream that declares none. */
    const post = async (era: "modern" | "legacy", body: string, streamed: boolean) => {
      const bytes = new TextEncoder().encode(body)
      const response = await SELF.fetch(endpoint(slug), {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json, text/event-stream", authorization: `Bearer ${key}`, ...(era === "modern" ? modern : {}) },
        body: streamed ? new Blob([bytes]).stream() : bytes,
        ...(streamed ? { duplex: "half" } : {})
      } as RequestInit)
      const text = await response.text()
      // A 2025-era call without a session may be answered as SSE: its one message is the last data line.
      const json = text.startsWith("{") ? JSON.parse(text) : JSON.parse(text.split("\n").filter((l) => l.startsWith("data: ")).at(-1)!.slice(6))
      return { status: response.status, json }
    }
    const tooLarge: Array<unknown> = []
    for (const era of ["modern", "legacy"] as const)
      for (const streamed of [false, true]) {
        const said = `${era} ${streamed ? "streamed" : "sized"}`
        const served = await post(era, JSON.stringify(call(era, said)), streamed)
        expect(served, said).toMatchObject({ status: 200, json: { id: 1, result: { content: [{ type: "text", text: `echo: ${said}` }] } } })
        const before = await eventCount(slug)
        const notJson = await post(era, '{"jsonrpc": "2.0", "id": 1, "method": "tools/ca', streamed)
        expect(notJson, said).toMatchObject({ status: 400, json: { error: { code: -32700 } } })
        const huge = await post(era, JSON.stringify(call(era, "x".repeat(2 * 1024 * 1024))), streamed)
        expect(huge, said).toMatchObject({ status: 413, json: { error: { message: expect.stringContaining("Payload Too Large") } } })
        tooLarge.push(huge.json)
        expect(await eventCount(slug), said).toBe(before)
      }
    expect(await upstream.calls()).toEqual({ echo: 4 })
    // A body that declares itself over the cap is refused by the Worker, before it looks anything up
    // (not even whether the workspace exists); one that does not say is refused by the SDK once it has
    // read that far. Both answers are the same.
    const edge = await rawCall(freshSlug("missing"), {}, "x".repeat(MCP_MAX_BODY_BYTES + 1))
    expect(edge.status).toBe(413)
    tooLarge.push(await edge.json())
    expect(new Set(tooLarge.map((j) => JSON.stringify(j))).size).toBe(1)
  })

  it("a refusal reads the request body to the end before it answers, so the Worker streaming it in is never left reading after the response", async () => {
    const { slug, key } = await dockedWorkspace()
    /** A body that arrives in pieces, as one the Worker forwards does; `stall` never ends it. */
    const refuse = async (headers: Record<string, string>, stall = false, size = 64 * 1024) => {
      const json = JSON.stringify(toolCall("up__echo", { text: "x".repeat(size) }))
      const pieces = [...Array.from({ length: Math.ceil(json.length / 65_536) }, (_, i) => json.slice(i * 65_536, (i + 1) * 65_536)), "\n"]
      let drained = false
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          const piece = pieces.shift()
          if (piece !== undefined) return controller.enqueue(new TextEncoder().encode(piece))
          if (stall) return new Promise<void>(() => undefined)
          drained = true
          controller.close()
        }
      })
      const request = new Request(endpoint(slug), {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json, text/event-stream", ...headers },
        body,
        duplex: "half"
      } as RequestInit)
      const response = await runInDurableObject(env.WORKSPACE.getByName(slug), (instance) => instance.fetch(request))
      return { status: response.status, drainedBeforeAnswer: drained }
    }
    expect(await refuse({ authorization: "Bearer berth_nope" })).toEqual({ status: 401, drainedBeforeAnswer: true })
    expect(await refuse({ authorization: `Bearer ${key}`, origin: "http://evil.example" })).toEqual({ status: 403, drainedBeforeAnswer: true })
    // The SDK reads a body that declares no length only up to the cap, then refuses it: the rest is drained too.
    const modern = { "mcp-protocol-version": "2026-07-28", "mcp-method": "tools/call", "mcp-name": "up__echo" }
    for (const era of [{}, modern]) expect(await refuse({ authorization: `Bearer ${key}`, ...era }, false, 2 * 1024 * 1024)).toEqual({ status: 413, drainedBeforeAnswer: true })
    // A client that stalls mid-body still gets its refusal, once the endpoint stops waiting for the rest.
    expect(await refuse({ authorization: "Bearer berth_nope" }, true)).toEqual({ status: 401, drainedBeforeAnswer: false })
  })
})
