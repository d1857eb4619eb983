// The upstream of bench/node/sampling-hop.bench.ts, run as its own process so its CPU is not the
// client's: one tool, `sample`, that asks the client's model (sampling/createMessage) and returns the
// answer. It serves both eras on /mcp, as the conformance fixture does: 2026-07-28 requests statelessly
// (the tool answers input_required, the retry carries the answer), 2025 ones in sessions, where the
// SDK's legacy shim sends the same request on the call's SSE stream and waits for the client's POST.
//
//   node bench/node/sampling-upstream.ts   prints {"url":"http://127.0.0.1:<port>/mcp"} once listening
import {
  type CreateMessageResult,
  createMcpHandler,
  fromJsonSchema,
  inputRequired,
  isLegacyRequest,
  McpServer,
  WebStandardStreamableHTTPServerTransport
} from "@modelcontextprotocol/server"
import { serveOnLoopback } from "./conformance/serve.ts"
import { sessionTable } from "./conformance/sessions.ts"

const promptInput = fromJsonSchema<{ prompt: string }>({
  type: "object",
  properties: { prompt: { type: "string" } },
  required: ["prompt"]
})

const makeServer = () => {
  const server = new McpServer({ name: "berth-bench-sampler", version: "1.0.0" })
  server.registerTool("sample", { description: "Asks the client's model the prompt and returns its answer", inputSchema: promptInput }, async ({ prompt }, ctx) => {
    const answer = ctx.mcpReq.inputResponses?.llm as CreateMessageResult | undefined
    if (!answer) {
      return inputRequired({
        inputRequests: { llm: inputRequired.createMessage({ messages: [{ role: "user", content: { type: "text", text: prompt } }], maxTokens: 100 }) }
      })
    }
    const said = answer.content.type === "text" ? answer.content.text : `(${answer.content.type})`
    return { content: [{ type: "text", text: `${answer.model} said: ${said}` }] }
  })
  return server
}

const modern = createMcpHandler(makeServer, { legacy: "reject" })
const sessions = sessionTable(async (hooks) => {
  const transport = new WebStandardStreamableHTTPServerTransport(hooks)
  await makeServer().connect(transport)
  return transport
})
const upstream = await serveOnLoopback(
  async (request) => ((await isLegacyRequest(request)) ? sessions.route(request) : modern.fetch(request)),
  async () => {
    await sessions.closeAll()
    await modern.close()
  }
)
process.once("SIGTERM", () => void upstream.stop().then(() => process.exit(0)))
process.stdout.write(`${JSON.stringify({ url: upstream.url })}\n`)
