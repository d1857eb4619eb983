// The 2026-07-28 wire probes (../catalog/probes.ts) on the SDK v2, which enforces the wire rules around
// them: the Mcp-Param header check, -32021 for an undeclared capability, log levels from `_meta`.
import { fromJsonSchema, inputRequired, type McpServer, type ServerEventBus } from "@modelcontextprotocol/server"
import { text } from "../catalog/content.ts"
import { inputRequest } from "./input-required.ts"
import { LIST_TRIGGERS, LOG_PROBE, QUIET_TOOL, REGION_TOOL, SAMPLING_PROBE } from "../catalog/probes.ts"

const answered = (value: string) => ({ content: [text(value)] })

/** `bus` reaches every open subscriptions/listen stream. */
export const registerWireProbes = (server: McpServer, bus: ServerEventBus) => {
  const { name, description, inputSchema } = REGION_TOOL
  server.registerTool(name, { description, inputSchema: fromJsonSchema<{ region?: string }>(inputSchema) }, async (args) =>
    answered(REGION_TOOL.answer(args.region))
  )
  server.registerTool(
    SAMPLING_PROBE.name,
    { description: SAMPLING_PROBE.description, inputSchema: fromJsonSchema(SAMPLING_PROBE.inputSchema) },
    async (_args, ctx) => {
      if (ctx.mcpReq.inputResponses?.[SAMPLING_PROBE.key] !== undefined) return answered(SAMPLING_PROBE.answer)
      return inputRequired({ inputRequests: { [SAMPLING_PROBE.key]: inputRequest(SAMPLING_PROBE.question) } })
    }
  )
  server.registerTool(QUIET_TOOL.name, { description: QUIET_TOOL.description, inputSchema: fromJsonSchema(QUIET_TOOL.inputSchema) }, async () =>
    answered(QUIET_TOOL.answer)
  )
  server.registerTool(
    LOG_PROBE.name,
    { description: LOG_PROBE.description, inputSchema: fromJsonSchema(LOG_PROBE.inputSchema) },
    async (_args, ctx) => {
      await ctx.mcpReq.log("info", LOG_PROBE.message)
      return answered(LOG_PROBE.answer)
    }
  )
  // Each 2026 request has a fresh server, so there is no list to change: the event is what a listener sees.
  for (const trigger of LIST_TRIGGERS) {
    server.registerTool(trigger.name, { description: trigger.description, inputSchema: fromJsonSchema(trigger.inputSchema) }, async () => {
      bus.publish({ kind: trigger.list === "tools" ? "tools_list_changed" : "prompts_list_changed" })
      return answered(`Announced ${trigger.list}/list_changed`)
    })
  }
}
