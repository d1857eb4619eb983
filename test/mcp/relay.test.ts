// Upstream sampling and elicitation, relayed to the agent whose call asked for them: the pooled
// client answers the upstream (here over the 2026-07-28 multi-round-trip) with what the agent
// answers on the 2025 protocol, where the request rides the call's SSE response and the answer
// comes back in a POST of its own; and on MCP 2026-07-28, where the call answers input_required and
// the agent retries with its answers.
import { ProtocolError } from "@modelcontextprotocol/client"
import { SELF } from "cloudflare:test"
import { describe, expect, inject, it } from "vitest"
import { ok } from "../admin/rpc-client.ts"
import { eventCount } from "../workspace/workspace-client.ts"
import { ANSWERING, dockedWorkspace, endpoint, type Era, mcpClient } from "./berth-client.ts"

const runSpans = async (slug: string) => {
  const { runs } = await ok({ _tag: "ListRuns", workspace: slug })
  const run = await ok({ _tag: "GetRun", workspace: slug, run: runs[0].run })
  return { status: run.finished.data.status as string, spans: run.spans as Array<{ name: string; parentSpanId?: string; spanId: string; status: { code: string } }> }
}

/** The call failed with `message`, its run ended as error, and its relayed sampling request is an error span. */
const expectRelayFailed = async (slug: string, call: Promise<unknown>, message: string) => {
  expect(String(await call.catch((e: unknown) => e))).toContain(message)
  const { status, spans } = await runSpans(slug)
  expect(status).toBe("error")
  expect(spans.find((s) => s.name === "agent sampling/createMessage")?.status).toMatchObject({ code: "error" })
}

describe("relaying upstream requests to the agent", () => {
  it("the agent's error reaches the upstream, and the run records the call as failed", async () => {
    const { slug, key } = await dockedWorkspace()
    const client = await mcpClient(slug, key, "legacy", ANSWERING)
    client.setRequestHandler("sampling/createMessage", async () => {
      throw new ProtocolError(-32600, "the user refused to share the model")
    })
    await expectRelayFailed(slug, client.callTool({ name: "up__sample", arguments: { prompt: "x" } }), "the user refused to share the model")
    await client.close()
  })

  it("only the agent that was asked can answer: another agent's response with the same id is not taken", async () => {
    const { slug, key } = await dockedWorkspace()
    const { key: otherKey } = await ok({ _tag: "RegisterAgent", workspace: slug, agent: "other" })
    const client = await mcpClient(slug, key, "legacy", ANSWERING)
    const forged: Array<number> = []
    client.setRequestHandler("sampling/createMessage", async (_request, ctx) => {
      // Before the agent answers, another agent in the workspace answers the same id.
      const response = await SELF.fetch(endpoint(slug), {
        method: "POST",
        headers: { authorization: `Bearer ${otherKey}`, "content-type": "application/json", accept: "application/json, text/event-stream" },
        body: JSON.stringify({ jsonrpc: "2.0", id: ctx.mcpReq.id, result: { model: "forged", role: "assistant", content: { type: "text", text: "forged" } } })
      })
      forged.push(response.status)
      return { model: "agent-model", role: "assistant", content: { type: "text", text: "genuine" } }
    })
    const result = await client.callTool({ name: "up__sample", arguments: { prompt: "x" } })
    expect(result.content).toEqual([{ type: "text", text: "agent-model said: genuine" }])
    // The forged answer was accepted as a POST (202) and went nowhere.
    expect(forged).toEqual([202])
    await client.close()
  })
})

describe("relaying to an agent on MCP 2026-07-28 (input_required round trips)", () => {
  it("an agent that did not declare sampling is not asked: the upstream sees the agent's own capabilities and refuses; the run ends as error", async () => {
    const { slug, key } = await dockedWorkspace()
    const client = await mcpClient(slug, key, "modern")
    // Berth passes the agent's capabilities (cut to what it relays) upstream, so the upstream, not Berth, finds sampling missing.
    const refused = await client.callTool({ name: "up__sample", arguments: { prompt: "x" } }).catch((e: unknown) => e)
    expect(String(refused)).toContain("Cannot request input 'llm' (sampling/createMessage): the request's client capabilities do not declare the required capability")
    const { status, spans } = await runSpans(slug)
    expect(status).toBe("error")
    expect(spans.some((s) => s.name.startsWith("agent "))).toBe(false)
    await client.close()
  })

  it("an upstream that asks anyway, only for what the agent did not declare, gets the agent's request refused with MCP's -32021 naming the capability", async () => {
    // server-everything speaks the 2025 protocol: it sees only Berth's pooled client's capabilities, so it asks.
    const { slug, key } = await dockedWorkspace()
    await ok({ _tag: "InstallPlugin", workspace: slug, plugin: "everything", url: inject("everythingUrl"), transport: "streamable-http", auth: "none" })
    const client = await mcpClient(slug, key, "modern")
    const refused = await client.callTool({ name: "everything__trigger-sampling-request", arguments: { prompt: "hi", maxTokens: 5 } }).catch((e: unknown) => e)
    // As a 2026-07-28 server refuses a request that needs a capability its client lacks (SEP-2575).
    expect(refused).toMatchObject({ code: -32021, data: { requiredCapabilities: { sampling: {} } } })
    expect(String(refused)).toContain("the agent cannot answer sampling/createMessage: it did not declare the 'sampling' capability")
    // The run ends as error, with the ask's span, and the upstream call is aborted.
    const { status, spans } = await runSpans(slug)
    expect(status).toBe("error")
    expect(spans.find((s) => s.name === "agent sampling/createMessage")?.status).toMatchObject({ code: "error" })
    await client.close()
  })

  it("only the agent that was asked can resume the call, and only for that tool; a stale state is refused by name", async () => {
    const { slug, key } = await dockedWorkspace()
    const { key: otherKey } = await ok({ _tag: "RegisterAgent", workspace: slug, agent: "other" })
    const manual = (k: string) => mcpClient(slug, k, "modern", ANSWERING, { inputRequired: { autoFulfill: false } })
    const [client, other] = await Promise.all([manual(key), manual(otherKey)])
    const first = (await client.callTool({ name: "up__sample", arguments: { prompt: "x" } }, { allowInputRequired: true })) as unknown as {
      resultType: string
      inputRequests: Record<string, { method: string }>
      requestState: string
    }
    expect(first.resultType).toBe("input_required")
    // The upstream's own key for its input request travels unchanged.
    expect(Object.keys(first.inputRequests)).toEqual(["llm"])
    const [askKey] = Object.keys(first.inputRequests)
    expect(first.inputRequests[askKey!]!.method).toBe("sampling/createMessage")
    const inputResponses = { [askKey!]: { model: "m", role: "assistant", content: { type: "text", text: "answered" } } }
    const retry = (c: typeof client, name: string, requestState: string) =>
      c.callTool({ name, arguments: { prompt: "x" }, inputResponses, requestState } as never, { allowInputRequired: true }).catch((e: unknown) => e)

    // None of the refused retries below writes anything.
    const before = await eventCount(slug)
    // Another agent, and the same agent naming another tool, cannot take the parked call: the state is bound to both.
    expect(String(await retry(other, "up__sample", first.requestState))).toContain("was issued for another agent or tool, not other's call of up__sample")
    expect(String(await retry(client, "up__echo", first.requestState))).toContain("was issued for another agent or tool, not bot's call of up__echo")
    // A state altered by the client, or one made up, is refused before it can touch a parked call.
    const [body, mac] = first.requestState.split(".").slice(1)
    const payload = JSON.parse(Buffer.from(body!, "base64url").toString())
    const altered = `v1.${Buffer.from(JSON.stringify({ ...payload, p: { ...payload.p, p: "other-plugin" } })).toString("base64url")}.${mac}`
    expect(String(await retry(client, "up__sample", altered))).toContain("this retry's requestState was not issued by this workspace, or was altered")
    expect(String(await retry(client, "up__sample", "forged"))).toContain("this retry's requestState is not a requestState this workspace issued")
    expect(await eventCount(slug)).toBe(before)
    // The state names the run and the plugin; the asked agent can redeem it, once.
    expect(payload.p).toMatchObject({ a: "bot", n: "up__sample", p: "up", r: expect.any(String) })
    const done = (await retry(client, "up__sample", first.requestState)) as { content: unknown }
    expect(done.content).toEqual([{ type: "text", text: "m said: answered" }])
    expect(String(await retry(client, "up__sample", first.requestState))).toContain("names no call waiting for bot's answers to up__sample: it was used already")
    const { runs } = await ok({ _tag: "ListRuns", workspace: slug })
    expect(runs.map((r: { status: string }) => r.status)).toEqual(["ok"])
    await Promise.all([client.close(), other.close()])
  })
})

it.each<Era>(["legacy", "modern"])("elicitation (%s protocol): the agent's user answers, or declines", async (era) => {
  const { slug, key } = await dockedWorkspace()
  const client = await mcpClient(slug, key, era, ANSWERING)
  let answer: { action: "accept"; content: { city: string } } | { action: "decline" } = { action: "accept", content: { city: "Oslo" } }
  client.setRequestHandler("elicitation/create", async (request) => {
    expect(request.params).toMatchObject({ message: "Which city?", requestedSchema: { required: ["city"] } })
    return answer
  })
  expect((await client.callTool({ name: "up__elicit", arguments: {} })).content).toEqual([{ type: "text", text: "the user chose Oslo" }])
  answer = { action: "decline" }
  expect((await client.callTool({ name: "up__elicit", arguments: {} })).content).toEqual([{ type: "text", text: "the user declined" }])
  await client.close()
})

describe("an agent that never answers", () => {
  // The workers tests run with BERTH_MCP_ANSWER_SECONDS=3 (vitest.config.ts).
  it("2025 era: after the answer limit the agent is told to stop, the upstream hears why, and the run ends as error", async () => {
    const { slug, key } = await dockedWorkspace()
    const client = await mcpClient(slug, key, "legacy", ANSWERING)
    const asked: Array<string | number> = []
    const cancelled: Array<unknown> = []
    client.setRequestHandler("sampling/createMessage", (_request, ctx) => {
      asked.push(ctx.mcpReq.id)
      return new Promise(() => undefined)
    })
    client.setNotificationHandler("notifications/cancelled", (n) => void cancelled.push(n.params))
    const failed = await client.callTool({ name: "up__sample", arguments: { prompt: "x" } }).catch((e: unknown) => e)
    expect(String(failed)).toContain("the agent did not answer sampling/createMessage within 3 s")
    expect(cancelled).toEqual([{ requestId: asked[0], reason: expect.stringContaining("did not answer") }])
    const { status, spans } = await runSpans(slug)
    expect(status).toBe("error")
    expect(spans.find((s) => s.name === "agent sampling/createMessage")?.status).toMatchObject({ code: "error" })
    await client.close()
  }, 15_000)

  it("2026-07-28: a parked call the agent never comes back to is aborted, its run ends as error, and a late retry is refused", async () => {
    const { slug, key } = await dockedWorkspace()
    const client = await mcpClient(slug, key, "modern", ANSWERING, { inputRequired: { autoFulfill: false } })
    const first = (await client.callTool({ name: "up__sample", arguments: { prompt: "x" } }, { allowInputRequired: true })) as unknown as {
      inputRequests: Record<string, unknown>
      requestState: string
    }
    await expect.poll(async () => (await ok({ _tag: "ListRuns", workspace: slug })).runs[0]?.status, { timeout: 8_000, interval: 250 }).toBe("error")
    const { runs } = await ok({ _tag: "ListRuns", workspace: slug })
    const run = await ok({ _tag: "GetRun", workspace: slug, run: runs[0].run })
    expect(run.finished.data.error).toContain("within 3 s")
    const [askKey] = Object.keys(first.inputRequests)
    const late = await client
      .callTool(
        { name: "up__sample", arguments: { prompt: "x" }, inputResponses: { [askKey!]: { model: "m", role: "assistant", content: { type: "text", text: "late" } } }, requestState: first.requestState } as never,
        { allowInputRequired: true }
      )
      .catch((e: unknown) => e)
    expect(String(late)).toContain("names no call waiting")
    await client.close()
  }, 15_000)
})

it.each<Era>(["legacy", "modern"])("sampling (%s protocol): the agent's model answers the upstream; the call is one run, the relayed request a span", async (era) => {
  // 2025 era: the request rides the call's SSE response. 2026-07-28: the call answers input_required,
  // the agent's client answers and retries, and the retry finishes the same call.
  const { slug, key } = await dockedWorkspace()
  const client = await mcpClient(slug, key, era, ANSWERING)
  const asked: Array<unknown> = []
  client.setRequestHandler("sampling/createMessage", async (request) => {
    asked.push(request.params.messages)
    return { model: "agent-model", role: "assistant", content: { type: "text", text: "forty-two" } }
  })
  const before = await eventCount(slug)
  const result = await client.callTool({ name: "up__sample", arguments: { prompt: "the answer?" } })
  expect(result.content).toEqual([{ type: "text", text: "agent-model said: forty-two" }])
  expect(asked).toEqual([[{ role: "user", content: { type: "text", text: "the answer?" } }]])

  const { runs } = await ok({ _tag: "ListRuns", workspace: slug })
  expect(runs).toHaveLength(1)
  const { status, spans } = await runSpans(slug)
  expect(status).toBe("ok")
  const upstream = spans.find((s) => s.name === "upstream up")!
  expect(spans.find((s) => s.name === "agent sampling/createMessage")).toMatchObject({ parentSpanId: upstream.spanId, status: { code: "ok" } })
  // RunStarted, then RunFinished with 5 spans (root, authorize, validate, upstream, agent sampling).
  expect(await eventCount(slug)).toBe(before + 7)
  await client.close()
})

it.each<Era>(["legacy", "modern"])("roots (%s protocol): the agent's roots reach the upstream, asked within its call", async (era) => {
  // A 2026-07-28 upstream asks with input_required (roots/list), only because the agent declared
  // `roots`; the agent is asked on its stream (2025 era) or in its own input_required round trip.
  const { slug, key } = await dockedWorkspace()
  const client = await mcpClient(slug, key, era, { roots: {} })
  let asked = 0
  client.setRequestHandler("roots/list", async () => {
    asked++
    return { roots: [{ uri: "file:///home/agent/project", name: "project" }] }
  })
  const result = await client.callTool({ name: "up__roots", arguments: {} })
  expect(result.content).toEqual([{ type: "text", text: "roots: file:///home/agent/project" }])
  expect(asked).toBe(1)
  const { status, spans } = await runSpans(slug)
  expect(status).toBe("ok")
  expect(spans.find((s) => s.name === "agent roots/list")).toMatchObject({ status: { code: "ok" } })
  await client.close()
})

it("an agent that did not declare roots is not asked for them: a 2026-07-28 agent's call gets the upstream's own -32021", async () => {
  const { slug, key, upstream } = await dockedWorkspace()
  const client = await mcpClient(slug, key, "modern", ANSWERING)
  let asked = 0
  client.setRequestHandler("sampling/createMessage", async () => {
    asked++
    return { model: "m", role: "assistant", content: { type: "text", text: "x" } }
  })
  const refused = await client.callTool({ name: "up__roots", arguments: {} }).catch((e: unknown) => e)
  // The upstream's own -32021 (SEP-2575), passed through: it saw the agent's capabilities, which lack roots.
  expect(refused).toMatchObject({ code: -32021, data: { requiredCapabilities: { roots: {} } } })
  expect(String(refused)).toContain("Cannot request input 'roots' (roots/list)")
  expect(asked).toBe(0)
  expect(await upstream.calls()).toEqual({ roots: 1 })
  await client.close()
})

it("answers a 2026-07-28 agent sends unasked with its first call reach the upstream, which takes what it recognises (SEP-2322)", async () => {
  const { slug, key } = await dockedWorkspace()
  // No sampling capability: had the upstream asked, this client could not have answered.
  const client = await mcpClient(slug, key, "modern")
  const answer = { model: "pre-answered", role: "assistant", content: { type: "text", text: "42" } }
  const result = await client.callTool({ name: "up__sample", arguments: { prompt: "x" }, inputResponses: { llm: answer, unrelated: { action: "decline" } } } as never)
  expect(result.content).toEqual([{ type: "text", text: "pre-answered said: 42" }])
  const { status, spans } = await runSpans(slug)
  expect(status).toBe("ok")
  expect(spans.some((s) => s.name.startsWith("agent "))).toBe(false)
  await client.close()
})
