// Berth against @modelcontextprotocol/server-everything, a real Node process on loopback (started by
// test/global-setup.ts): the same calls made directly and through Berth return the same content,
// apart from the namespacing.
import { describe, expect, it } from "vitest"
import { ok } from "../admin/rpc-client.ts"
import { dockedEverything, directEverything as direct } from "./everything-client.ts"
import { workspace } from "../workspace/workspace-client.ts"
import { ANSWERING, mcpClient } from "./berth-client.ts"
import { isMemoryTool } from "../../src/memory/tools.ts"


const CALLS = [
  { name: "echo", arguments: { message: "hello through berth" } },
  { name: "get-sum", arguments: { a: 19, b: 23 } },
  { name: "get-structured-content", arguments: { location: "Chicago" } },
  { name: "get-annotated-message", arguments: { messageType: "error", includeImage: false } }
]

describe("server-everything", () => {
  it("answers the same directly and through Berth, in both eras", async () => {
    const { slug, key } = await dockedEverything("everything")

    const upstream = await direct()
    const directTools = (await upstream.listTools()).tools
    for (const era of ["modern", "legacy"] as const) {
      const berth = await mcpClient(slug, key, era)
      const viaBerth = (await berth.listTools()).tools.filter((t) => !isMemoryTool(t.name))
      expect(viaBerth.map((t) => t.name).sort()).toEqual(directTools.map((t) => `everything__${t.name}`).sort())
      expect(viaBerth.find((t) => t.name === "everything__echo")?.inputSchema).toEqual(directTools.find((t) => t.name === "echo")?.inputSchema)
      for (const call of CALLS) {
        const expected = await upstream.callTool(call)
        const actual = await berth.callTool({ ...call, name: `everything__${call.name}` })
        expect({ call: call.name, content: actual.content, structured: actual.structuredContent, isError: actual.isError }).toEqual({
          call: call.name,
          content: expected.content,
          structured: expected.structuredContent,
          isError: expected.isError
        })
      }
      const progress: Array<number> = []
      await berth.callTool(
        { name: "everything__trigger-long-running-operation", arguments: { duration: 0.3, steps: 3 } },
        { onprogress: (p) => void progress.push(p.progress) }
      )
      expect(progress).toEqual([1, 2, 3])
      await berth.close()
    }
    await upstream.close()
    expect(await workspace(slug).upstreamConnects()).toBe(1)
    const { runs } = await ok({ _tag: "ListRuns", workspace: slug, limit: 100 })
    expect(runs).toHaveLength(2 * (CALLS.length + 1))
    expect(runs.every((r: { status: string }) => r.status === "ok")).toBe(true)
  })
})

describe("server-everything asks the agent", () => {
  // server-everything speaks the 2025 protocol and sends its requests on the call's SSE stream;
  // a 2025-era agent gets them the same way, a 2026-07-28 agent as input_required round trips.
  it.each(["legacy", "modern"] as const)("relays its sampling and elicitation requests to a %s agent", async (era) => {
    const { slug, key } = await dockedEverything(`everything-relay-${era}`)
    const berth = await mcpClient(slug, key, era, ANSWERING)
    const prompts: Array<unknown> = []
    berth.setRequestHandler("sampling/createMessage", async (request) => {
      prompts.push(request.params.messages[0]?.content)
      return { model: "agent-model", role: "assistant", content: { type: "text", text: "sampled by the agent" } }
    })
    berth.setRequestHandler("elicitation/create", async () => ({ action: "accept", content: { name: "Ada Lovelace" } }))

    const sampled = await berth.callTool({ name: "everything__trigger-sampling-request", arguments: { prompt: "say hi", maxTokens: 5 } })
    expect(prompts).toEqual([{ type: "text", text: "Resource trigger-sampling-request context: say hi" }])
    expect(JSON.stringify(sampled.content)).toContain("sampled by the agent")

    const elicited = await berth.callTool({ name: "everything__trigger-elicitation-request", arguments: {} })
    expect(elicited.content).toContainEqual({ type: "text", text: "User inputs:\n- Name: Ada Lovelace" })
    const { runs } = await ok({ _tag: "ListRuns", workspace: slug })
    expect(runs.map((r: { status: string }) => r.status)).toEqual(["ok", "ok"])
    await berth.close()
  })
})
