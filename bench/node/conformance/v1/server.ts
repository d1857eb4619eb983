// The fixture's MCP server on the SDK v1 (@modelcontextprotocol/sdk), which speaks up to 2025-11-25: the
// shared catalog through the low-level Server, whose handlers take the catalog's JSON Schemas as they
// are (v1's McpServer wants zod). One server per 2025 session.
import { Server } from "@modelcontextprotocol/sdk/server/index.js"
import type { RequestHandlerExtra } from "@modelcontextprotocol/sdk/shared/protocol.js"
import { UriTemplate } from "@modelcontextprotocol/sdk/shared/uriTemplate.js"
import {
  CallToolRequestSchema,
  type CallToolResult,
  CompleteRequestSchema,
  CreateMessageResultSchema,
  ElicitResultSchema,
  ErrorCode,
  GetPromptRequestSchema,
  ListPromptsRequestSchema,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  ListToolsRequestSchema,
  type LoggingLevel,
  McpError,
  ReadResourceRequestSchema,
  type ServerNotification,
  type ServerRequest,
  SetLevelRequestSchema,
  SubscribeRequestSchema,
  UnsubscribeRequestSchema
} from "@modelcontextprotocol/sdk/types.js"
import {
  ASKING_TOOLS,
  complete,
  ERROR_TOOL,
  FIXED_TOOLS,
  LOGGING_TOOL,
  PROGRESS_TOOL,
  PROMPTS,
  RECONNECTION_TOOL,
  RESOURCE_NOT_FOUND,
  SCHEMA_TOOL,
  STATIC_RESOURCES,
  staticContents,
  TEMPLATE,
  type Tool
} from "../catalog.ts"

type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>
type Run = (args: Record<string, unknown>, extra: Extra) => Promise<string | CallToolResult>

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** RFC 5424 severities, least severe first, as logging/setLevel names them. */
const LEVELS: ReadonlyArray<LoggingLevel> = ["debug", "info", "notice", "warning", "error", "critical", "alert", "emergency"]
const RESULT_SCHEMAS = { "sampling/createMessage": CreateMessageResultSchema, "elicitation/create": ElicitResultSchema }

export const makeServer = () => {
  const server = new Server(
    { name: "berth-conformance-v1", version: "1.0.0" },
    {
      capabilities: {
        tools: { listChanged: true },
        resources: { subscribe: true, listChanged: true },
        prompts: { listChanged: true },
        completions: {},
        logging: {}
      }
    }
  )
  // The session's log level (logging/setLevel); until the client sets one, every message goes out.
  let threshold: LoggingLevel = "debug"
  server.setRequestHandler(SetLevelRequestSchema, async (request) => {
    threshold = request.params.level
    return {}
  })
  const log = async (extra: Extra, level: LoggingLevel, data: string) => {
    if (LEVELS.indexOf(level) >= LEVELS.indexOf(threshold)) await extra.sendNotification({ method: "notifications/message", params: { level, data } })
  }

  const runs = new Map<string, { readonly tool: Tool; readonly run: Run }>()
  const add = (tool: Tool, run: Run) => runs.set(tool.name, { tool, run })
  for (const tool of FIXED_TOOLS) add(tool, async () => ({ content: [...tool.content] }))
  add(ERROR_TOOL, async () => {
    throw new Error(ERROR_TOOL.message)
  })
  add(LOGGING_TOOL, async (_args, extra) => {
    for (const [i, message] of LOGGING_TOOL.messages.entries()) {
      if (i > 0) await pause(LOGGING_TOOL.pauseMs)
      await log(extra, "info", message)
    }
    return LOGGING_TOOL.answer
  })
  add(PROGRESS_TOOL, async (_args, extra) => {
    const token = extra._meta?.progressToken
    for (const [i, progress] of PROGRESS_TOOL.steps.entries()) {
      if (i > 0) await pause(PROGRESS_TOOL.pauseMs)
      if (token !== undefined) {
        await extra.sendNotification({ method: "notifications/progress", params: { progressToken: token, progress, total: PROGRESS_TOOL.total } })
      }
    }
    return PROGRESS_TOOL.answer(token)
  })
  add(RECONNECTION_TOOL, async (_args, extra) => {
    extra.closeSSEStream?.()
    await pause(RECONNECTION_TOOL.pauseMs)
    return RECONNECTION_TOOL.answer
  })
  add(SCHEMA_TOOL, async (args) => `Accepted ${JSON.stringify(args)}`)
  for (const tool of ASKING_TOOLS) {
    add(tool, async (args, extra) => {
      const request = { method: tool.method, params: tool.params(args) } as ServerRequest
      return tool.answer(await extra.sendRequest(request, RESULT_SCHEMAS[tool.method]))
    })
  }

  server.setRequestHandler(ListToolsRequestSchema, async () => ({
    tools: [...runs.values()].map(({ tool }) => ({ name: tool.name, description: tool.description, inputSchema: tool.inputSchema }))
  }))
  server.setRequestHandler(CallToolRequestSchema, async (request, extra): Promise<CallToolResult> => {
    const entry = runs.get(request.params.name)
    if (entry === undefined) throw new McpError(ErrorCode.InvalidParams, `No tool named ${request.params.name}`)
    // As v2's McpServer does, a tool that throws answers a tool error, not a protocol error.
    try {
      const answer = await entry.run(request.params.arguments ?? {}, extra)
      return typeof answer === "string" ? { content: [{ type: "text", text: answer }] } : answer
    } catch (error) {
      return { isError: true, content: [{ type: "text", text: error instanceof Error ? error.message : String(error) }] }
    }
  })

  const template = new UriTemplate(TEMPLATE.uriTemplate)
  server.setRequestHandler(ListResourcesRequestSchema, async () => ({
    resources: STATIC_RESOURCES.map(({ name, uri, title, description, mimeType }) => ({ name, uri, title, description, mimeType }))
  }))
  server.setRequestHandler(ListResourceTemplatesRequestSchema, async () => ({
    resourceTemplates: [
      {
        name: TEMPLATE.name,
        uriTemplate: TEMPLATE.uriTemplate,
        title: TEMPLATE.title,
        description: TEMPLATE.description,
        mimeType: TEMPLATE.mimeType
      }
    ]
  }))
  server.setRequestHandler(ReadResourceRequestSchema, async (request) => {
    const { uri } = request.params
    const resource = STATIC_RESOURCES.find((r) => r.uri === uri)
    if (resource !== undefined) return { contents: staticContents(resource) }
    const id = template.match(uri)?.id
    if (typeof id === "string") return { contents: TEMPLATE.read(uri, id) }
    throw new McpError(RESOURCE_NOT_FOUND.code, RESOURCE_NOT_FOUND.message(uri), { uri })
  })
  // Subscriptions are per session; nothing here changes, so no update is ever sent.
  const subscribed = new Set<string>()
  server.setRequestHandler(SubscribeRequestSchema, async (request) => {
    subscribed.add(request.params.uri)
    return {}
  })
  server.setRequestHandler(UnsubscribeRequestSchema, async (request) => {
    subscribed.delete(request.params.uri)
    return {}
  })

  server.setRequestHandler(ListPromptsRequestSchema, async () => ({
    prompts: PROMPTS.map(({ name, title, description, arguments: args }) => ({
      name,
      title,
      description,
      arguments: args.map((a) => ({ ...a, required: true }))
    }))
  }))
  server.setRequestHandler(GetPromptRequestSchema, async (request) => {
    const prompt = PROMPTS.find((p) => p.name === request.params.name)
    if (prompt === undefined) throw new McpError(ErrorCode.InvalidParams, `No prompt named ${request.params.name}`)
    const args = request.params.arguments ?? {}
    const missing = prompt.arguments.filter((a) => args[a.name] === undefined).map((a) => a.name)
    if (missing.length > 0) throw new McpError(ErrorCode.InvalidParams, `${prompt.name} needs ${missing.join(", ")}`)
    return { messages: [...prompt.messages(args)] }
  })
  // Template ids complete from the known ones; prompt arguments have nothing to suggest, as on v2.
  server.setRequestHandler(CompleteRequestSchema, async (request) => {
    const { ref, argument } = request.params
    const known = ref.type === "ref/resource" && ref.uri === TEMPLATE.uriTemplate && argument.name === "id" ? TEMPLATE.knownIds : []
    return { completion: complete(known, argument.value) }
  })
  return server
}
