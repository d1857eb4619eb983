// orbit.ai.generate's first source: a deployment with a Workers AI binding runs its model for every
// script, before any agent is asked. This file runs in the `workers-ai` project (vitest.config.ts),
// whose AI binding is a stand-in model worker (test/stand-ins/workers-ai.js) that echoes what it was
// asked; every other test runs a deployment without one. (workerd logs the stand-in's own throw as
// "uncaught" on its side; the plane catches it.)
import type { CallToolResult } from "@modelcontextprotocol/client"
import { env } from "cloudflare:test"
import { describe, expect, it } from "vitest"
import { DEFAULT_AI_MODEL, workersAi } from "../../src/sandbox/primitives/ai.ts"
import { ok } from "../admin/rpc-client.ts"
import { codeWorkspace } from "./code-workspace.ts"
import { ANSWERING, mcpClient } from "../mcp/berth-client.ts"

const structured = (result: unknown) => (result as CallToolResult).structuredContent as any

/** Asks the model with the request in `input`, and returns its answer or the error it threw. */
const ASK = `export default async function (input, orbit) {
  try {
    return { answer: await orbit.ai.generate(input) }
  } catch (e) {
    return { tag: e._tag, message: e.message }
  }
}`

const runEvents = async (slug: string) => (await ok({ _tag: "ListEvents", workspace: slug, limit: 1000 })).events as Array<any>

const aiSpans = (events: Array<any>) =>
  events
    .filter((e) => e.type === "SpanRecorded" && e.data.span.name === "orbit.ai.generate")
    .map((e) => e.data.span)

describe("orbit.ai through the deployment's Workers AI model", () => {
  it("runs the configured model with the chat input, answers in sampling's shape, and records the source and model, never the text", async () => {
    const { slug } = await codeWorkspace()
    const request = {
      messages: [
        { role: "user", content: "Summarize the incident of zanzibar-42" },
        { role: "assistant", content: { type: "text", text: "Which one?" } },
        { role: "user", content: "The outage" }
      ],
      systemPrompt: "Be brief.",
      maxTokens: 64,
      temperature: 0.2
    }
    const out = await ok({ _tag: "RunCode", workspace: slug, agent: "bot", code: ASK, input: request })
    expect(out.status).toBe("ok")
    const answer = out.result.answer
    expect(answer).toMatchObject({ model: DEFAULT_AI_MODEL, role: "assistant", content: { type: "text" } })
    // The stand-in echoes what reached it: the system prompt first, every message as text, the limits.
    expect(JSON.parse(answer.content.text)).toEqual({
      model: DEFAULT_AI_MODEL,
      inputs: {
        messages: [
          { role: "system", content: "Be brief." },
          { role: "user", content: "Summarize the incident of zanzibar-42" },
          { role: "assistant", content: "Which one?" },
          { role: "user", content: "The outage" }
        ],
        max_tokens: 64,
        temperature: 0.2
      }
    })

    const events = await runEvents(slug)
    const [span] = aiSpans(events)
    expect(span.status).toEqual({ code: "ok" })
    expect(span.attributes).toMatchObject({ "berth.orbit.ai_source": "workers-ai", "berth.orbit.ai_model": DEFAULT_AI_MODEL })
    expect(JSON.stringify(events)).not.toContain("zanzibar-42")
  })

  it("comes before the agent's own sampling: an agent that answers sampling is not asked", async () => {
    const { slug, key } = await codeWorkspace()
    const agent = await mcpClient(slug, key, "legacy", ANSWERING)
    let asked = 0
    agent.setRequestHandler("sampling/createMessage", async () => {
      asked++
      return { model: "agent-model", role: "assistant", content: { type: "text", text: "from the agent" } }
    })
    const out = structured(
      await agent.callTool({ name: "run_code", arguments: { code: ASK, input: { messages: [{ role: "user", content: "hello" }] } } })
    )
    await agent.close()
    expect(out).toMatchObject({ status: "ok", result: { answer: { model: DEFAULT_AI_MODEL, role: "assistant" } } })
    expect(JSON.parse(out.result.answer.content.text).inputs).toEqual({ messages: [{ role: "user", content: "hello" }], max_tokens: 1024 })
    expect(asked).toBe(0)
  })

  it("gives typed errors the script catches: a block the model cannot take, a failing model; an object answer comes back as text", async () => {
    const { slug } = await codeWorkspace()
    const run = async (input: unknown) => (await ok({ _tag: "RunCode", workspace: slug, agent: "bot", code: ASK, input })).result

    const image = await run({ messages: [{ role: "user", content: { type: "image", data: "AAAA", mimeType: "image/png" } }] })
    expect(image).toEqual({ tag: "InvalidArguments", message: "orbit.ai.generate: messages[0] is a 'image' block, and the plane's Workers AI model takes text only" })

    const failed = await run({ messages: [{ role: "user", content: "fail" }] })
    expect(failed.tag).toBe("AiFailed")
    expect(failed.message).toContain(`Workers AI model ${DEFAULT_AI_MODEL} failed`)
    expect(failed.message).toContain("Capacity temporarily exceeded")

    const json = await run({ messages: [{ role: "user", content: "json" }] })
    expect(json.answer.content).toEqual({ type: "text", text: '{"answer":42}' })

    const tooMany = await run({ messages: [{ role: "user", content: "x" }], maxTokens: 100_000 })
    expect(tooMany).toMatchObject({ tag: "InvalidArguments", message: expect.stringContaining("maxTokens") })

    // Each call is a span; the refusals name their error, and only the model's own failure was asked of it.
    expect(aiSpans(await runEvents(slug)).map((s) => [s.attributes["berth.orbit.error"] ?? "ok", s.attributes["berth.orbit.ai_source"]])).toEqual([
      ["InvalidArguments", undefined],
      ["AiFailed", "workers-ai"],
      ["ok", "workers-ai"],
      ["InvalidArguments", undefined]
    ])
  })

  it("runs BERTH_AI_MODEL when the deployment names one, and the binding's absence means no Workers AI source", () => {
    expect(workersAi({ AI: env.AI, BERTH_AI_MODEL: " @cf/qwen/qwen3-30b-a3b-fp8 " })?.model).toBe("@cf/qwen/qwen3-30b-a3b-fp8")
    expect(workersAi({ AI: env.AI })?.model).toBe(DEFAULT_AI_MODEL)
    expect(workersAi({ BERTH_AI_MODEL: "@cf/qwen/qwen3-30b-a3b-fp8" })).toBeUndefined()
  })
})
