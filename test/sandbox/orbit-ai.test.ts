// orbit.ai.generate locally: with no model configured, the plane asks the agent that submitted the
// run, with MCP sampling: a real v2 client answers it on the 2025 protocol (a request on its run_code
// request) and on MCP 2026-07-28 (input_required, then the client's retry resumes the parked run).
// An agent that cannot be asked, and a run submitted over the admin RPC, get AiUnavailable saying what
// would work.
import type { CallToolResult } from "@modelcontextprotocol/client"
import { describe, expect, it } from "vitest"
import { ok } from "../admin/rpc-client.ts"
import { codeWorkspace } from "./code-workspace.ts"
import { ANSWERING, mcpClient } from "../mcp/berth-client.ts"

const structured = (result: unknown) => (result as CallToolResult).structuredContent as any
const ASK = `export default async function (input, orbit) {
  try {
    const answer = await orbit.ai.generate({ messages: [{ role: "user", content: "Summarize: " + input.text }], maxTokens: 50 })
    return { answer }
  } catch (e) {
    return { tag: e._tag, message: e.message }
  }
}`

const TWICE = `export default async function (input, orbit) {
  const first = await orbit.ai.generate({ messages: [{ role: "user", content: "one" }], maxTokens: 10 })
  await orbit.memory.put("team/notes", "between", first.content.text)
  const second = await orbit.ai.generate({ messages: [{ role: "user", content: "two" }], maxTokens: 10 })
  return [first.content.text, second.content.text]
}`

describe("orbit.ai", () => {
  it.each(["legacy", "modern"] as const)("reaches the submitting agent's model through sampling (%s), and the call is a span without the text", async (era) => {
    const { slug, key } = await codeWorkspace()
    const agent = await mcpClient(slug, key, era, ANSWERING)
    const asked: Array<unknown> = []
    agent.setRequestHandler("sampling/createMessage", async (request) => {
      asked.push(request.params)
      return { model: "agent-model", role: "assistant", content: { type: "text", text: "a short summary from zanzibar-42" } }
    })
    const out = structured(await agent.callTool({ name: "run_code", arguments: { code: ASK, input: { text: "the incident" } } }))
    expect(out).toMatchObject({ status: "ok", result: { answer: { model: "agent-model", role: "assistant", content: { type: "text", text: "a short summary from zanzibar-42" } } } })
    expect(asked).toEqual([{ messages: [{ role: "user", content: { type: "text", text: "Summarize: the incident" } }], maxTokens: 50 }])
    await agent.close()
    const events = JSON.stringify((await ok({ _tag: "ListEvents", workspace: slug, limit: 1000 })).events)
    expect(events).toContain("orbit.ai.generate")
    expect(events).not.toContain("zanzibar-42")
  })

  it("parks a 2026-07-28 agent's run once per question: the run goes on between them, and it is one run", async () => {
    const { slug, key } = await codeWorkspace()
    const agent = await mcpClient(slug, key, "modern", ANSWERING)
    agent.setRequestHandler("sampling/createMessage", async (request) => {
      const asked = (request.params.messages[0]!.content as { text: string }).text
      return { model: "m", role: "assistant", content: { type: "text", text: `answer to ${asked}` } }
    })
    const out = structured(await agent.callTool({ name: "run_code", arguments: { code: TWICE } }))
    expect(out).toMatchObject({ status: "ok", result: ["answer to one", "answer to two"] })
    await agent.close()
    const { events } = await ok({ _tag: "ListEvents", workspace: slug, limit: 1000 })
    const codeRuns = events.filter((e: any) => e.type === "RunStarted" && e.data.kind === "code")
    expect(codeRuns).toHaveLength(1)
    expect(events.filter((e: any) => e.type === "RunFinished" && e.data.run === codeRuns[0].data.run).map((e: any) => e.data.status)).toEqual(["ok"])
    const aiSpans = events.filter((e: any) => e.type === "SpanRecorded" && e.data.span.name === "orbit.ai.generate").map((e: any) => e.data.span)
    expect(aiSpans.map((s: any) => [s.status.code, s.attributes["berth.orbit.ai_source"]])).toEqual([["ok", "sampling"], ["ok", "sampling"]])
  })

  it("fails with AiUnavailable, saying how to enable it, for an agent that cannot be asked and over the admin RPC", async () => {
    const { slug, key } = await codeWorkspace()
    const modern = await mcpClient(slug, key, "modern")
    const fromModern = structured(await modern.callTool({ name: "run_code", arguments: { code: ASK, input: { text: "x" } } }))
    expect(fromModern.result).toMatchObject({ tag: "AiUnavailable", message: expect.stringContaining("did not declare the 'sampling' capability") })
    await modern.close()

    const silent = await mcpClient(slug, key, "legacy")
    const fromSilent = structured(await silent.callTool({ name: "run_code", arguments: { code: ASK, input: { text: "x" } } }))
    expect(fromSilent.result).toMatchObject({ tag: "AiUnavailable", message: expect.stringContaining("'sampling' capability") })
    await silent.close()

    const fromAdmin = await ok({ _tag: "RunCode", workspace: slug, agent: "bot", code: ASK, input: { text: "x" } })
    expect(fromAdmin).toMatchObject({ status: "ok", result: { tag: "AiUnavailable", message: expect.stringContaining("not submitted over MCP") } })
  })
})
