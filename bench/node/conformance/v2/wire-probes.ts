// Tools that exist so the 2026-07-28 wire rules have something to act on. The server-stateless scenario
// (SEP-2575) and http-custom-header-server-validation (SEP-2243) look them up by name; the SDK enforces
// the rules themselves, around these handlers.
import { fromJsonSchema, inputRequired, type McpServer, type ServerEventBus } from "@modelcontextprotocol/server"
import { type JsonSchema, NO_ARGUMENTS } from "../catalog.ts"

/** SEP-2243: `region` is mirrored into the Mcp-Param-Region header, which must match the body. */
const REGION_INPUT: JsonSchema = {
  type: "object",
  properties: {
    region: { type: "string", description: "Sent as Mcp-Param-Region too", "x-mcp-header": "Region" },
    level: { type: "integer", description: "Sent only in the body" }
  }
}

const text = (value: string) => ({ content: [{ type: "text" as const, text: value }] })

export const registerWireProbes = (server: McpServer, bus: ServerEventBus) => {
  server.registerTool(
    "test_x_mcp_header",
    {
      description: "Takes a region that the client also sends as the Mcp-Param-Region header",
      inputSchema: fromJsonSchema<{ region?: string; level?: number }>(REGION_INPUT)
    },
    async (args) => text(`Region ${args.region ?? "(none)"}`)
  )
  // Asks the client's model, so a request that did not declare `sampling` is refused with -32021.
  server.registerTool(
    "test_missing_capability",
    { description: "Needs the sampling capability: it asks the client's model a question", inputSchema: fromJsonSchema(NO_ARGUMENTS) },
    async (_args, ctx) => {
      if (ctx.mcpReq.inputResponses?.answer !== undefined) return text("The model answered")
      return inputRequired({
        inputRequests: {
          answer: inputRequired.createMessage({ messages: [{ role: "user", content: { type: "text", text: "Say pong" } }], maxTokens: 16 })
        }
      })
    }
  )
  // Its response stream must hold the result and nothing the client did not ask for.
  server.registerTool(
    "test_streaming_elicitation",
    { description: "Answers on its response stream without sending the client any request", inputSchema: fromJsonSchema(NO_ARGUMENTS) },
    async () => text("Answered without asking the client anything")
  )
  // The SDK delivers the message only to a request whose `_meta` sets a log level.
  server.registerTool(
    "test_logging_tool",
    { description: "Logs one info message, which only a request with a log level receives", inputSchema: fromJsonSchema(NO_ARGUMENTS) },
    async (_args, ctx) => {
      await ctx.mcpReq.log("info", "test_logging_tool ran")
      return text("Logged at info")
    }
  )
  // Each 2026 request has a fresh server, so there is no list to change: the event is what a listener sees.
  server.registerTool(
    "test_trigger_tool_change",
    { description: "Announces a tools/list_changed to every subscriptions/listen stream", inputSchema: fromJsonSchema(NO_ARGUMENTS) },
    async () => {
      bus.publish({ kind: "tools_list_changed" })
      return text("Announced tools/list_changed")
    }
  )
  server.registerTool(
    "test_trigger_prompt_change",
    { description: "Announces a prompts/list_changed to every subscriptions/listen stream", inputSchema: fromJsonSchema(NO_ARGUMENTS) },
    async () => {
      bus.publish({ kind: "prompts_list_changed" })
      return text("Announced prompts/list_changed")
    }
  )
}
