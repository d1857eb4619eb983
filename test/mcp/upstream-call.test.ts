// A request the upstream sends after its call has returned (the SDK gave up on the call, but the
// upstream's stream still relays) is refused at once: nothing would send it to the agent or wait
// for the answer, and it would otherwise hang until the answer limit.
import { expect, it } from "vitest"
import type { AgentCall } from "../../src/mcp/call-scope.ts"
import { UpstreamCall } from "../../src/mcp/upstream-call.ts"

it("refuses a request to the agent that arrives after the upstream call settled", async () => {
  let call: AgentCall | undefined
  const agentRequest = { ctx: { mcpReq: { signal: new AbortController().signal, envelope: {} } }, send: async () => undefined, progressToken: undefined }
  const upstream = new UpstreamCall(
    {} as never,
    "bot",
    { traceId: "0".repeat(32), parentSpanId: "0".repeat(16) },
    agentRequest as never,
    async (run) => {
      call = run.call
      return { content: [{ type: "text", text: "done" }] }
    },
    60_000
  )
  expect(await upstream.finished).toMatchObject({ kind: "done" })
  const late = call!.ask({ method: "elicitation/create", params: { mode: "form", message: "late?", requestedSchema: { type: "object", properties: {} } } } as never, new AbortController().signal)
  await expect(late).rejects.toThrow("the upstream call ended")
  expect(upstream.spans).toEqual([])
})
