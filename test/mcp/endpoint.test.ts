// The hosted endpoint end to end: a real v2 client in both protocol eras, through Berth, to a real
// upstream MCP server on loopback. Results arrive unchanged; every call leaves a run with spans.
import { LOG_LEVEL_META_KEY, ProtocolError } from "@modelcontextprotocol/client"
import { describe, expect, it } from "vitest"
import { ok } from "../admin/rpc-client.ts"
import { eventCount, workspace } from "../workspace/workspace-client.ts"
import { dockedWorkspace, type Era, mcpClient } from "./berth-client.ts"
import { MEMORY_TOOLS } from "../../src/memory/tools.ts"

describe.each<Era>(["modern", "legacy"])("through Berth, %s protocol", (era) => {
  it("lists the workspace's tools namespaced, and relays results unchanged", async () => {
    const { slug, key, upstream } = await dockedWorkspace()
    const client = await mcpClient(slug, key, era)
    expect(client.getProtocolEra()).toBe(era)

    const { tools } = await client.listTools()
    // Berth's own memory tools first (the starter lets every agent use memory), then the plugin's, namespaced.
    expect(tools.slice(0, 5).map((t) => t.name)).toEqual(Object.keys(MEMORY_TOOLS))
    expect(tools.slice(5).map((t) => t.name).sort()).toEqual(["up__echo", "up__elicit", "up__fail", "up__log", "up__progress", "up__protocol-error", "up__region", "up__roots", "up__sample", "up__structured"])
    expect(tools.find((t) => t.name === "up__structured")?.outputSchema).toMatchObject({ type: "object" })

    expect(await client.callTool({ name: "up__echo", arguments: { text: "hi" } })).toMatchObject({ content: [{ type: "text", text: "echo: hi" }] })
    const structured = await client.callTool({ name: "up__structured", arguments: { city: "Oslo" } })
    expect(structured.structuredContent).toEqual({ city: "Oslo", temperature: 21, conditions: "sunny" })
    expect(structured.content).toEqual([{ type: "text", text: "Oslo: 21°C, sunny" }])
    const failed = await client.callTool({ name: "up__fail", arguments: {} })
    expect(failed).toMatchObject({ isError: true, content: [{ type: "text", text: "the upstream tool failed" }] })
    expect(await upstream.calls()).toEqual({ echo: 1, structured: 1, fail: 1 })
    await client.close()
  })

  it("relays progress notifications and upstream JSON-RPC errors", async () => {
    const { slug, key } = await dockedWorkspace()
    const client = await mcpClient(slug, key, era)
    const progress: Array<number> = []
    const result = await client.callTool(
      { name: "up__progress", arguments: { steps: 3, delayMs: 5 } },
      { onprogress: (p) => void progress.push(p.progress) }
    )
    expect(result).toMatchObject({ content: [{ type: "text", text: "done after 3 steps" }] })
    expect(progress).toEqual([1, 2, 3])

    const error = await client.callTool({ name: "up__protocol-error", arguments: {} }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ProtocolError)
    expect((error as ProtocolError).code).toBe(-32602)
    expect((error as Error).message).toContain("the upstream rejected the call")
    await client.close()
  })

  it("relays the upstream's logging to the agent whose call it belongs to, and to no other", async () => {
    const { slug, key } = await dockedWorkspace()
    const { key: otherKey } = await ok({ _tag: "RegisterAgent", workspace: slug, agent: "other" })
    const [client, other] = [await mcpClient(slug, key, era), await mcpClient(slug, otherKey, era)]
    const logged: Array<unknown> = []
    const overheard: Array<unknown> = []
    client.setNotificationHandler("notifications/message", (n) => void logged.push(n.params))
    other.setNotificationHandler("notifications/message", (n) => void overheard.push(n.params))
    const sent = { level: "info", logger: "berth-test-upstream", data: { message: "hello from the upstream" } }

    // The agent names a level, as a 2026-07-28 request must to get logs; Berth passes it upstream.
    const withLevel = { name: "up__log", arguments: {}, _meta: { [LOG_LEVEL_META_KEY]: "debug" } }
    const logs = async (agent: typeof client) => expect((await agent.callTool(withLevel)).content).toEqual([{ type: "text", text: "logged" }])
    // Both agents' calls log the same line, so a broadcast would show as a second copy at each.
    // One at a time: only the caller hears it.
    await logs(client)
    expect([logged, overheard]).toEqual([[sent], []])
    await logs(other)
    expect([logged, overheard]).toEqual([[sent], [sent]])
    // Side by side: each hears its own call's log once, and not the other's.
    await Promise.all([logs(client), logs(other)])
    expect([logged, overheard]).toEqual([[sent, sent], [sent, sent]])
    // A 2025-era client may set a level first; Berth declares logging, so it answers (an empty result).
    if (era === "legacy") await expect(client.setLoggingLevel("debug")).resolves.toEqual({})
    await Promise.all([client.close(), other.close()])
  })

  it("honours the agent's log level: a 2025 agent's logging/setLevel, a 2026-07-28 request's own level", async () => {
    const { slug, key } = await dockedWorkspace()
    const client = await mcpClient(slug, key, era)
    const logged: Array<unknown> = []
    client.setNotificationHandler("notifications/message", (n) => void logged.push(n.params))
    // The upstream logs at info.
    const callAt = async (level: "error" | "debug") => {
      if (era === "legacy") await client.setLoggingLevel(level)
      return client.callTool({ name: "up__log", arguments: {}, ...(era === "modern" ? { _meta: { [LOG_LEVEL_META_KEY]: level } } : {}) })
    }
    expect((await callAt("error")).content).toEqual([{ type: "text", text: "logged" }])
    expect(logged).toEqual([])
    await callAt("debug")
    expect(logged).toEqual([{ level: "info", logger: "berth-test-upstream", data: { message: "hello from the upstream" } }])
    await client.close()
  })

  it("namespaces upstream resources and prompts", async () => {
    const { slug, key } = await dockedWorkspace()
    const client = await mcpClient(slug, key, era)
    const { resources } = await client.listResources()
    expect(resources).toEqual([expect.objectContaining({ uri: "berth://up/test%3A%2F%2Freadme", name: "readme", mimeType: "text/plain" })])
    const read = await client.readResource({ uri: resources[0]!.uri })
    expect(read.contents).toEqual([{ uri: "berth://up/test%3A%2F%2Freadme", mimeType: "text/plain", text: "hello from test://readme" }])
    const { prompts } = await client.listPrompts()
    expect(prompts.map((p) => p.name)).toEqual(["up__greet", "up__interview"])
    const prompt = await client.getPrompt({ name: "up__greet", arguments: { name: "Ada" } })
    expect(prompt.messages).toEqual([{ role: "user", content: { type: "text", text: "Say hello to Ada" } }])
    await client.close()
  })
})

describe("cancellation", () => {
  it.each<Era>(["modern", "legacy"])("an agent's abort (%s protocol) reaches the upstream call, and the run finishes as error", async (era) => {
    // Modern: the agent's request ends. 2025 era: notifications/cancelled arrives in a POST of its own.
    const { slug, key, upstream } = await dockedWorkspace()
    const client = await mcpClient(slug, key, era)
    const abort = new AbortController()
    const call = client.callTool(
      { name: "up__progress", arguments: { steps: 50, delayMs: 40 } },
      { signal: abort.signal, onprogress: (p) => p.progress === 2 && abort.abort(new Error("the agent gave up")) }
    )
    await expect(call).rejects.toThrow("the agent gave up")
    // The upstream saw its handler's signal fire: the cancellation crossed Berth.
    await expect.poll(() => upstream.aborts(), { timeout: 5_000 }).toEqual({ progress: 1 })
    await expect.poll(async () => (await ok({ _tag: "ListRuns", workspace: slug })).runs[0]?.status, { timeout: 5_000 }).toBe("error")
    await client.close()
  })
})

describe("runs", () => {
  it("every call is a run: started, authorize and upstream spans, finished with size and hash only", async () => {
    const { slug, key } = await dockedWorkspace()
    const client = await mcpClient(slug, key, "modern")
    const before = await eventCount(slug)
    await client.callTool({ name: "up__echo", arguments: { text: "a secret-ish payload" } })
    expect(await eventCount(slug)).toBe(before + 6)

    const { runs } = await ok({ _tag: "ListRuns", workspace: slug })
    expect(runs).toEqual([expect.objectContaining({ agent: "bot", tool: "up__echo", status: "ok", durationMs: expect.any(Number) })])
    const run = await ok({ _tag: "GetRun", workspace: slug, run: runs[0].run })
    // Size and sha256 of the arguments' JCS, computed here with WebCrypto, independently of Berth.
    const argsJson = new TextEncoder().encode(JSON.stringify({ text: "a secret-ish payload" }))
    const argsHash = [...new Uint8Array(await crypto.subtle.digest("SHA-256", argsJson))].map((b) => b.toString(16).padStart(2, "0")).join("")
    expect(run.started.data).toMatchObject({ agent: "bot", tool: "up__echo", argsHash, argsSize: argsJson.byteLength })
    expect(run.spans.map((s: any) => s.name)).toEqual(["tools/call", "authorize", "validate arguments", "upstream up"])
    const [root, authorize, validate, upstream] = run.spans
    expect(validate).toMatchObject({ parentSpanId: root.spanId, status: { code: "ok" } })
    expect(authorize).toMatchObject({ traceId: root.traceId, parentSpanId: root.spanId, status: { code: "ok" }, attributes: { "berth.decision": "allow" } })
    expect(upstream).toMatchObject({ traceId: root.traceId, parentSpanId: root.spanId, status: { code: "ok" } })
    expect(run.finished.data).toMatchObject({ status: "ok", resultSize: expect.any(Number), resultHash: expect.any(String) })
    // Arguments and results are recorded as size and hash, never as values.
    expect(JSON.stringify(await workspace(slug).run(runs[0].run))).not.toContain("secret-ish")
    expect(await workspace(slug).verify()).toMatchObject({ ok: true })
    await client.close()
  })

  it("with payload capture on, runs record arguments and results with secret-like keys redacted", async () => {
    const { slug, key } = await dockedWorkspace()
    const captured = await ok({ _tag: "SetPayloadCapture", workspace: slug, enabled: true })
    expect(captured.events.map((e: any) => e.type)).toEqual(["PayloadCaptureSet"])
    const client = await mcpClient(slug, key, "modern")
    const result = await client.callTool({ name: "up__echo", arguments: { text: "visible" } })
    const { runs } = await ok({ _tag: "ListRuns", workspace: slug })
    const run = await ok({ _tag: "GetRun", workspace: slug, run: runs[0].run })
    expect(run.started.data.args).toEqual({ text: "visible" })
    expect(run.finished.data.result).toEqual(JSON.parse(JSON.stringify(result)))
    // A secret-looking field is redacted in the record (this call is then refused: echo takes only `text`).
    await client.callTool({ name: "up__echo", arguments: { text: "visible", token: "s3cr3t-value" } })
    const refused = (await ok({ _tag: "ListRuns", workspace: slug })).runs[0]
    expect((await ok({ _tag: "GetRun", workspace: slug, run: refused.run })).started.data.args).toEqual({ text: "visible", token: "[redacted]" })
    expect(JSON.stringify(await workspace(slug).run(refused.run))).not.toContain("s3cr3t-value")
    // Turning it off again stops capture; turning it off twice records nothing the second time.
    await ok({ _tag: "SetPayloadCapture", workspace: slug, enabled: false })
    expect((await ok({ _tag: "SetPayloadCapture", workspace: slug, enabled: false })).events).toEqual([])
    await client.callTool({ name: "up__echo", arguments: { text: "hidden" } })
    const latest = await ok({ _tag: "GetRun", workspace: slug, run: (await ok({ _tag: "ListRuns", workspace: slug })).runs[0].run })
    expect(latest.started.data).not.toHaveProperty("args")
    expect(latest.finished.data).not.toHaveProperty("result")
    await client.close()
  })

  it("one warm upstream client serves every call and agent, concurrently", async () => {
    const { slug, key, upstream } = await dockedWorkspace()
    const { key: key2 } = await ok({ _tag: "RegisterAgent", workspace: slug, agent: "bot2" })
    const clients = await Promise.all([mcpClient(slug, key, "modern"), mcpClient(slug, key2, "legacy")])
    const results = await Promise.all(
      Array.from({ length: 32 }, (_, i) => clients[i % 2]!.callTool({ name: "up__echo", arguments: { text: `n${i}` } }))
    )
    expect(results.map((r) => (r.content as Array<{ text: string }>)[0]!.text)).toEqual(Array.from({ length: 32 }, (_, i) => `echo: n${i}`))
    expect(await upstream.calls()).toEqual({ echo: 32 })
    // Discovery at install opened the shared connection. The 2025 agent's first call looked for a 2025
    // session of its own, found that this upstream serves 2025 without sessions, and joined the shared
    // client: two connects for 32 calls from two agents, never one per call.
    expect(await workspace(slug).upstreamConnects()).toBe(2)
    const { runs } = await ok({ _tag: "ListRuns", workspace: slug, limit: 100 })
    expect(runs.filter((r: any) => r.status === "ok")).toHaveLength(32)
    await Promise.all(clients.map((c) => c.close()))
  })
})

describe("plugins", () => {
  it("an unreachable upstream is refused with the reason, and nothing is recorded", async () => {
    const { slug } = await dockedWorkspace()
    const before = await eventCount(slug)
    const { rpc } = await import("../admin/rpc-client.ts")
    const answer = await rpc({ _tag: "InstallPlugin", workspace: slug, plugin: "gone", url: "http://127.0.0.1:9/mcp", transport: "streamable-http", auth: "none" })
    expect(answer).toMatchObject({ status: 502, body: { error: { _tag: "PluginUnreachable", plugin: "gone", url: "http://127.0.0.1:9/mcp" } } })
    expect(await eventCount(slug)).toBe(before)
  })

  it("install --review leaves tools unapproved and hidden until approved", async () => {
    const { slug, key, upstream } = await dockedWorkspace({ review: true })
    const client = await mcpClient(slug, key, "modern")
    expect((await client.listTools()).tools.map((t) => t.name)).toEqual(Object.keys(MEMORY_TOOLS))
    const refused = await client.callTool({ name: "up__echo", arguments: { text: "x" } })
    expect(refused).toMatchObject({ isError: true, content: [{ text: expect.stringContaining("awaiting approval") }] })
    await ok({ _tag: "ApproveTool", workspace: slug, tool: "up__echo" })
    expect((await client.listTools()).tools.map((t) => t.name)).toEqual([...Object.keys(MEMORY_TOOLS), "up__echo"])
    expect(await client.callTool({ name: "up__echo", arguments: { text: "x" } })).toMatchObject({ content: [{ text: "echo: x" }] })
    expect(await upstream.calls()).toEqual({ echo: 1 })
    await client.close()
  })
})
