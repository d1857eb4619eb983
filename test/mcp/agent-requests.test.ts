// Requests relayed to a 2025-era agent, waiting for the answer that arrives in a POST of its own:
// only the agent that was asked can answer; an error answer is the agent's JSON-RPC error; a
// request given up on is withdrawn and the agent told.
import { ProtocolError } from "@modelcontextprotocol/client"
import { describe, expect, it } from "vitest"
import { AgentRequests, isResponse, type OutgoingMessage } from "../../src/mcp/agent-requests.ts"

const sampling = { method: "sampling/createMessage", params: { messages: [], maxTokens: 5 } }

describe("agent requests", () => {
  it("takes an answer only from the agent that was asked, and only once", async () => {
    const requests = new AgentRequests()
    const sent: Array<OutgoingMessage> = []
    const asking = requests.ask("bot", "berth-1", sampling, async (m) => void sent.push(m), new AbortController().signal)
    await Promise.resolve()
    expect(sent).toEqual([{ jsonrpc: "2.0", id: "berth-1", ...sampling }])
    expect([requests.waitingOn("bot"), requests.waitingOn("other")]).toEqual([true, false])
    expect(requests.answer("other", { id: "berth-1", result: { forged: true } })).toBe(false)
    expect(requests.answer("bot", { id: "berth-2", result: {} })).toBe(false)
    expect(requests.answer("bot", { id: "berth-1", result: { genuine: true } })).toBe(true)
    await expect(asking).resolves.toEqual({ genuine: true })
    expect(requests.waitingOn("bot")).toBe(false)
    expect(requests.answer("bot", { id: "berth-1", result: {} })).toBe(false)
  })

  it("an error answer rejects with the agent's code and message", async () => {
    const requests = new AgentRequests()
    const asking = requests.ask("bot", "berth-1", sampling, async () => undefined, new AbortController().signal)
    await Promise.resolve()
    requests.answer("bot", { id: "berth-1", error: { code: -32600, message: "the user refused" } })
    const error = await asking.catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ProtocolError)
    expect(error).toMatchObject({ code: -32600, message: expect.stringContaining("the user refused") })
  })

  it("a request given up on is withdrawn, and the agent is told to stop", async () => {
    const requests = new AgentRequests()
    const sent: Array<OutgoingMessage> = []
    const controller = new AbortController()
    const asking = requests.ask("bot", "berth-1", sampling, async (m) => void sent.push(m), controller.signal)
    await Promise.resolve()
    controller.abort(new Error("the upstream call ended"))
    await expect(asking).rejects.toThrow("the upstream call ended")
    expect(sent.at(-1)).toEqual({ jsonrpc: "2.0", method: "notifications/cancelled", params: { requestId: "berth-1", reason: "the upstream call ended" } })
    expect(requests.waitingOn("bot")).toBe(false)
  })

  it("recognises a JSON-RPC response, and nothing else, as an answer", () => {
    expect(isResponse({ jsonrpc: "2.0", id: 1, result: {} })).toBe(true)
    expect(isResponse({ jsonrpc: "2.0", id: "a", error: { code: 1, message: "m" } })).toBe(true)
    expect(isResponse({ jsonrpc: "2.0", id: 1, method: "tools/call", result: {} })).toBe(false)
    expect(isResponse({ jsonrpc: "2.0", id: null, result: {} })).toBe(false)
    expect(isResponse({ jsonrpc: "2.0", id: 1 })).toBe(false)
    expect(isResponse(null)).toBe(false)
  })
})
