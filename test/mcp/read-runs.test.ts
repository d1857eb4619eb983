// resources/read and prompts/get reach an upstream, so each is a run, like a tool call: authorized by
// the plugin-read policy, rate-limited, and recorded with the upstream span and the result's size and
// hash (the URI and the prompt's arguments by hash only). A refusal is a denied run and reaches no upstream.
import { expect, it } from "vitest"
import { ok } from "../admin/rpc-client.ts"
import { ANSWERING, dockedWorkspace, type Era, mcpClient } from "./berth-client.ts"

const README = "berth://up/test%3A%2F%2Freadme"

it("a resource read and a prompt get are runs with their spans; the URI and arguments are kept by hash only", async () => {
  const { slug, key } = await dockedWorkspace()
  const client = await mcpClient(slug, key, "modern")
  expect((await client.readResource({ uri: README })).contents).toMatchObject([{ text: "hello from test://readme" }])
  expect((await client.getPrompt({ name: "up__greet", arguments: { name: "Zanzibar" } })).messages).toHaveLength(1)
  await client.close()

  const { runs } = await ok({ _tag: "ListRuns", workspace: slug })
  expect(runs.map((r: any) => [r.tool, r.status]).sort()).toEqual([["up__greet", "ok"], ["up__resources/read", "ok"]])
  for (const { run: id } of runs) {
    const run = await ok({ _tag: "GetRun", workspace: slug, run: id })
    expect(run.started.data).toMatchObject({ kind: expect.stringMatching(/^(resource|prompt)$/), argsHash: expect.any(String) })
    expect(run.spans.map((s: any) => s.name)).toEqual([run.started.data.kind === "prompt" ? "prompts/get" : "resources/read", "authorize", "upstream up"])
    expect(run.finished.data).toMatchObject({ status: "ok", resultHash: expect.any(String), resultSize: expect.any(Number) })
  }
  // The runs' events (the install's discovery lists the resource, as it should).
  const { events } = await ok({ _tag: "ListEvents", workspace: slug, limit: 1000 })
  const recorded = JSON.stringify(events.filter((e: any) => e.type.startsWith("Run") || e.type === "SpanRecorded"))
  expect(recorded).not.toContain("Zanzibar")
  expect(recorded).not.toContain("test://readme")
})

it("a read the policies refuse, or one over the rate limit, is a denied run, and the agent is told why", async () => {
  const { slug, key, upstream } = await dockedWorkspace()
  await ok({ _tag: "SetRateLimit", workspace: slug, scope: "agent", target: "bot", perMinute: 1 })
  const client = await mcpClient(slug, key, "legacy")
  await client.readResource({ uri: README })
  await expect(client.readResource({ uri: README })).rejects.toThrow(/rate limit 'agent:bot' \(1 per minute\) reached/)
  await ok({ _tag: "RemovePolicy", workspace: slug, policy: "starter" })
  await expect(client.getPrompt({ name: "up__greet", arguments: { name: "Ada" } })).rejects.toThrow(/Berth refused this request/)
  await client.close()
  const { runs } = await ok({ _tag: "ListRuns", workspace: slug, status: "denied" })
  expect(runs.map((r: any) => r.tool).sort()).toEqual(["up__greet", "up__resources/read"])
  // Neither refused request reached the upstream (its counter counts tool calls only; none were made).
  expect(await upstream.calls()).toEqual({})
})

it.each<Era>(["legacy", "modern"])("a prompt whose upstream asks the user first (%s protocol): the agent is asked, and the read stays one run", async (era) => {
  // 2025 era: the elicitation rides the prompts/get request's own stream. 2026-07-28: prompts/get
  // answers input_required with Berth's requestState, and the agent's retry of it finishes the read.
  const { slug, key } = await dockedWorkspace()
  const client = await mcpClient(slug, key, era, ANSWERING)
  let asked = 0
  client.setRequestHandler("elicitation/create", async (request) => {
    asked++
    expect(request.params).toMatchObject({ message: "Which topic?" })
    return { action: "accept", content: { topic: "harbours" } }
  })
  const prompt = await client.getPrompt({ name: "up__interview" })
  expect(prompt.messages).toEqual([{ role: "user", content: { type: "text", text: "Write about harbours" } }])
  expect(asked).toBe(1)
  const { runs } = await ok({ _tag: "ListRuns", workspace: slug })
  expect(runs.map((r: any) => [r.tool, r.status])).toEqual([["up__interview", "ok"]])
  const run = await ok({ _tag: "GetRun", workspace: slug, run: runs[0].run })
  expect(run.spans.find((s: any) => s.name === "agent elicitation/create")).toMatchObject({ status: { code: "ok" } })
  await client.close()
})
