// Server-side execution through the hosted endpoint, with a real v2 SDK client: `run_code` runs a
// module in its own isolate (Worker Loader), whose orbit calls tools of two plugins (the test upstream
// and server-everything, a real process) and memory as the agent, each a run of its own caused by
// the code's run and a span of it; the code is kept in R2 by hash; fetch throws; a denied call is a
// typed error the script catches; a syntax error names its line and column and runs nothing; a run
// past its wall time ends `timeout`.
import type { CallToolResult } from "@modelcontextprotocol/client"
import { env } from "cloudflare:workers"
import { inject } from "vitest"
import { describe, expect, it } from "vitest"
import { ok } from "../admin/rpc-client.ts"
import { RUN_CODE_POLICY } from "./code-workspace.ts"
import { dockedWorkspace, mcpClient } from "../mcp/berth-client.ts"
import { hits, scanWorkspaceSqlite } from "../vault/secret-scan.ts"

type Event = { type: string; actor: any; correlationId: string; causationId: string; data: any }
const eventsOf = async (slug: string) => (await ok({ _tag: "ListEvents", workspace: slug, limit: 1000 })).events as Array<Event>

const codeWorkspace = async () => {
  const docked = await dockedWorkspace()
  await ok({ _tag: "InstallPlugin", workspace: docked.slug, plugin: "everything", url: inject("everythingUrl"), transport: "streamable-http", auth: "none" })
  await ok({ _tag: "SetPolicy", workspace: docked.slug, policy: "code", text: RUN_CODE_POLICY })
  return docked
}

const structured = (result: unknown) => (result as CallToolResult).structuredContent as any

describe("run_code", () => {
  it("a script calls two plugins' tools and memory as the agent; each primitive is a span and a linked run; the code is kept by hash", async () => {
    const { slug, key } = await codeWorkspace()
    const bot = await mcpClient(slug, key, "modern")
    const tools = (await bot.listTools()).tools
    const runCode = tools.find((t) => t.name === "run_code")!
    expect(runCode.description).toContain("orbit.tools")
    expect(runCode.inputSchema).toMatchObject({ required: ["code"] })

    const code = `
      interface Input { text: string }
      export default async function (input: Input, orbit: any) {
        const one = await orbit.tools.up.echo({ text: input.text })
        const two = await orbit.tools.call("everything__echo", { message: input.text })
        await orbit.memory.put("team", "last-echo", one.content[0].text, { tags: ["code"] })
        const back = await orbit.memory.get("team", "last-echo")
        console.log("echoed", input.text)
        return { up: one.content[0].text, everything: two.content[0].text, memory: back.value, version: back.version }
      }`
    const answer = await bot.callTool({ name: "run_code", arguments: { code, input: { text: "orbit" } } })
    expect(answer.isError).toBeFalsy()
    const out = structured(answer)
    expect(out).toMatchObject({ status: "ok", result: { up: "echo: orbit", everything: "Echo: orbit", memory: "echo: orbit", version: 1 }, logs: [{ level: "log", text: "echoed orbit" }] })
    await bot.close()

    const events = await eventsOf(slug)
    const started = events.find((e) => e.type === "RunStarted" && e.data.run === out.run)!
    expect(started.data).toMatchObject({ kind: "code", tool: "run_code", agent: "bot", codeSize: expect.any(Number), limits: { wallMs: 30_000, primitiveCalls: 1_000 } })
    // The code, by its hash, in R2; the events carry the hash and never the code.
    const kept = await (env as any).AUDIT.get(`code/${started.data.codeHash}`)
    expect(await kept.text()).toBe(code)
    expect(JSON.stringify(events)).not.toContain("interface Input")
    // Each primitive is a run of its own, caused by the code's run, by the same agent.
    const children = events.filter((e) => e.type === "RunStarted" && e.causationId === out.run)
    expect(children.map((e) => e.data.tool)).toEqual(["up__echo", "everything__echo", "memory_put", "memory_get"])
    expect(children.every((e) => e.actor.id === "bot")).toBe(true)
    const spans = events.filter((e) => e.type === "SpanRecorded" && e.data.run === out.run).map((e) => e.data.span)
    const orbitSpans = spans.filter((s) => s.name.startsWith("orbit."))
    expect(orbitSpans.map((s) => s.name)).toEqual(["orbit.tools.call", "orbit.tools.call", "orbit.memory.put", "orbit.memory.get"])
    expect(orbitSpans.map((s) => s.attributes["berth.child_run"])).toEqual(children.map((e) => e.data.run))
    expect(orbitSpans[0].attributes).toMatchObject({ "berth.tool": "up__echo", "berth.child_status": "ok", "berth.orbit.args_bytes": expect.any(Number) })
    expect(spans.map((s) => s.name)).toEqual(expect.arrayContaining(["berth.code.run", "authorize", "berth.code.compile", "berth.code.store", "berth.code.execute"]))
    const finished = events.find((e) => e.type === "RunFinished" && e.data.run === out.run)!
    expect(finished.data).toMatchObject({ status: "ok", resultSize: expect.any(Number) })
  })

  it("fetch throws inside the isolate; a denied tool call is a typed error the script catches, and it is recorded", async () => {
    const { slug, key } = await codeWorkspace()
    await ok({ _tag: "SetPolicy", workspace: slug, policy: "no-fail", text: 'forbid(principal, action == Action::"call_tool", resource == Tool::"up__fail");' })
    const bot = await mcpClient(slug, key, "legacy")
    const code = `export default async function (input, orbit) {
      let fetched
      try { await fetch("https://example.com/"); fetched = "reached the network" } catch (e) { fetched = String(e.message) }
      let denied
      try { await orbit.tools.up.fail({}) } catch (e) { denied = { tag: e._tag, message: e.message } }
      return { fetched, denied }
    }`
    const out = structured(await bot.callTool({ name: "run_code", arguments: { code } }))
    expect(out.status).toBe("ok")
    expect(out.result.fetched).toContain("not permitted to access the internet")
    expect(out.result.denied.tag).toBe("ToolDenied")
    expect(out.result.denied.message).toContain("no-fail")
    await bot.close()
    const denied = (await ok({ _tag: "ListRuns", workspace: slug })).runs.find((r: any) => r.tool === "up__fail")
    expect(denied).toMatchObject({ status: "denied", agent: "bot" })
  })

  it("a syntax error comes back with its line and column, and nothing runs", async () => {
    const { slug, key } = await codeWorkspace()
    const bot = await mcpClient(slug, key, "modern")
    const before = (await eventsOf(slug)).length
    const code = 'export default async function (input, orbit) {\n  await orbit.tools.up.echo({ text: "never" })\n  return { a: 1,, }\n}'
    const answer = await bot.callTool({ name: "run_code", arguments: { code } })
    expect(answer.isError).toBe(true)
    expect(structured(answer)).toMatchObject({ status: "error", error: { _tag: "ScriptSyntaxError", line: 3, column: expect.any(Number) } })
    expect(structured(answer).error.message).toContain("nothing ran")
    await bot.close()
    const after = (await eventsOf(slug)).slice(before)
    // The run is recorded whole (refused before it ran): no tool was called.
    expect(after.filter((e) => e.type === "RunStarted").map((e) => e.data.tool)).toEqual(["run_code"])
    expect(after.find((e) => e.type === "RunFinished")!.data.status).toBe("error")
  })

  it("a runtime error names its line; a run past its wall time ends timeout; an agent no policy lets run code is denied", async () => {
    const { slug, key } = await codeWorkspace()
    const bot = await mcpClient(slug, key, "modern")
    const thrown = structured(await bot.callTool({ name: "run_code", arguments: { code: "export default async function () {\n\n  throw new RangeError('out of range')\n}" } }))
    expect(thrown).toMatchObject({ status: "error", error: { _tag: "RangeError", message: "out of range", line: 3 } })

    // A promise that can never settle, with nothing pending: the runtime sees the script hang.
    const hung = structured(await bot.callTool({ name: "run_code", arguments: { code: "export default async function () { await new Promise(() => {}) }" } }))
    expect(hung).toMatchObject({ status: "error", error: { _tag: "ScriptHung" } })

    // Still working (a timer pending) when the wall time passes.
    const started = Date.now()
    const code = "export default async function () { for (let i = 0; i < 40; i++) await new Promise((resolve) => setTimeout(resolve, 50)) }"
    const waited = structured(await bot.callTool({ name: "run_code", arguments: { code, timeoutMs: 500 } }))
    expect(waited).toMatchObject({ status: "timeout", error: { _tag: "Timeout" } })
    expect(Date.now() - started).toBeLessThan(10_000)
    const runs = (await ok({ _tag: "ListRuns", workspace: slug })).runs as Array<{ run: string; status: string }>
    expect(runs.find((r) => r.run === waited.run)?.status).toBe("timeout")
    await bot.close()

    const other = await ok({ _tag: "RegisterAgent", workspace: slug, agent: "other" })
    await ok({ _tag: "SetPolicy", workspace: slug, policy: "code", text: 'permit(principal == Agent::"bot", action == Action::"run_code", resource);' })
    const stranger = await mcpClient(slug, other.key, "modern")
    expect((await stranger.listTools()).tools.map((t) => t.name)).not.toContain("run_code")
    const refused = structured(await stranger.callTool({ name: "run_code", arguments: { code: "export default () => 1" } }))
    expect(refused).toMatchObject({ status: "denied", error: { _tag: "Denied" } })
    await stranger.close()
  })

  it("a script reaches only its own workspace: another workspace's memory and tools, by name or by path, are not there", async () => {
    const mine = await codeWorkspace()
    const theirs = await codeWorkspace()
    await ok({ _tag: "PutMemory", workspace: theirs.slug, namespace: "team", key: "secret-plan", value: "theirs only" })
    const bot = await mcpClient(mine.slug, mine.key, "modern")
    const code = `export default async function (input, orbit) {
      const tries = {}
      const attempt = async (name, call) => { try { tries[name] = { ok: await call() } } catch (e) { tries[name] = { tag: e._tag } } }
      await attempt("memory by key", () => orbit.memory.get("team", "secret-plan"))
      await attempt("memory by path", () => orbit.memory.get("../${theirs.slug}/team", "secret-plan"))
      await attempt("memory by workspace", () => orbit.memory.get("${theirs.slug}/team", "secret-plan"))
      await attempt("search", () => orbit.memory.search("theirs"))
      await attempt("tool by workspace", () => orbit.tools.call("${theirs.slug}__up__echo", { text: "x" }))
      await attempt("tool by path", () => orbit.tools.call("../${theirs.slug}/up__echo", { text: "x" }))
      await attempt("unknown primitive", () => orbit.tools.call(undefined))
      return tries
    }`
    const out = structured(await bot.callTool({ name: "run_code", arguments: { code } }))
    expect(out.status).toBe("ok")
    expect(out.result["memory by key"].tag).toBe("MemoryNotFound")
    expect(out.result["memory by path"].tag).toBe("MemoryDenied")
    expect(["MemoryNotFound", "MemoryDenied"]).toContain(out.result["memory by workspace"].tag)
    expect(out.result.search.ok.hits).toEqual([])
    expect(out.result["tool by workspace"].tag).toBe("ToolDenied")
    expect(out.result["tool by path"].tag).toBe("ToolDenied")
    expect(out.result["unknown primitive"].tag).toBe("InvalidArguments")
    expect(JSON.stringify(out)).not.toContain("theirs only")
    await bot.close()
  })

  it("a secret the vault holds is scrubbed from what the run records, whatever the script does with it", async () => {
    const { slug, key } = await codeWorkspace()
    const secret = "sk-live-8c1f0b7e2d3a4f5b6c7d8e9f0a1b2c3d"
    await ok({ _tag: "SetCredential", workspace: slug, credential: "up-token", plugin: "up", kind: "bearer", value: secret })
    await ok({ _tag: "SetPayloadCapture", workspace: slug, enabled: true })
    const bot = await mcpClient(slug, key, "modern")
    const code = `export default async function (input) {
      console.log("the token is", input.token)
      throw new Error("could not use " + input.token)
    }`
    const out = structured(await bot.callTool({ name: "run_code", arguments: { code, input: { token: secret } } }))
    expect(out).toMatchObject({ status: "error", error: { _tag: "Error" } })
    await bot.close()
    const events = JSON.stringify(await eventsOf(slug))
    expect(hits(events, [secret], "events")).toEqual([])
    expect(events).toContain("could not use")
    const scan = await scanWorkspaceSqlite(slug, [secret])
    expect(scan.scanned.length).toBeGreaterThan(0)
    // The vault's own table holds it sealed; nothing else does.
    expect(scan.found).toEqual([])
  })

  it("an answer the script forged is checked before it is recorded, and the run still finishes", async () => {
    const { slug, key } = await codeWorkspace()
    const bot = await mcpClient(slug, key, "modern")
    // The script shares the host module's global scope: it can break JSON.stringify for it.
    const forged = structured(await bot.callTool({ name: "run_code", arguments: { code: 'JSON.stringify = () => "{not json"\nexport default async function () { return 1 }' } }))
    expect(forged).toMatchObject({ status: "error", error: { _tag: "ScriptResultInvalid" } })
    const huge = structured(
      await bot.callTool({ name: "run_code", arguments: { code: 'export default async function () { throw Object.assign(new Error("x".repeat(100000)), { _tag: "not a tag!" }) }' } })
    )
    expect(huge).toMatchObject({ status: "error", error: { _tag: "Error" } })
    expect(huge.error.message.length).toBeLessThanOrEqual(4097)
    await bot.close()
    const runs = (await ok({ _tag: "ListRuns", workspace: slug })).runs as Array<{ run: string; status: string }>
    expect(runs.find((r) => r.run === forged.run)?.status).toBe("error")
    expect(runs.find((r) => r.run === huge.run)?.status).toBe("error")
  })
})
