// The fixture's MCP server on the SDK v1 (@modelcontextprotocol/sdk), which speaks up to 2025-11-25: the
// shared catalog through the low-level Server, whose handlers take the catalog's JSON Schemas as they are
// (v1's McpServer wants zod). One server per 2025 session.
import { Server } from "@modelcontextprotocol/sdk/server/index.js"
import { UriTemplate } from "@modelcontextprotocol/sdk/shared/uriTemplate.js"
import {
  CallToolRequestSchema,
  type CallToolResult,
  CompleteRequestSchema,
  ErrorCode,
  GetPromptRequestSchema,
  ListPromptsRequestSchema,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  ListToolsRequestSchema,
  type LoggingLevel,
  McpError,
  ReadResourceRequestSchema,
  SetLevelRequestSchema,
  SubscribeRequestSchema,
  UnsubscribeRequestSchema
} from "@modelcontextprotocol/sdk/types.js"
import { ASKING_PROMPT } from "../catalog/interviews.ts"
import { PROMPTS } from "../catalog/prompts.ts"
import { complete, RESOURCE_NOT_FOUND, STATIC_RESOURCES, staticContents, TEMPLATE } from "../catalog/resources.ts"
import type { Log } from "./asking.ts"
import { interviewTools, renderAskingPrompt } from "./interviews.ts"
import { catalogTools } from "./tools.ts"

/** RFC 5424 severities, least severe first, as logging/setLevel names them. */
const LEVELS: ReadonlyArray<LoggingLevel> = ["debug", "info", "notice", "warning", "error", "critical", "alert", "emergency"]

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
  // The session's log level; until the client sets one, every message goes out.
  let threshold: LoggingLevel = "debug"
  server.setRequestHandler(SetLevelRequestSchema, async (request) => {
    threshold = request.params.level
    return {}
  })
  const log: Log = async (extra, level, data) => {
    if (LEVELS.indexOf(level) >= LEVELS.indexOf(threshold)) await extra.sendNotification({ method: "notifications/message", params: { level, data } })
  }

  const tools = new Map([...catalogTools(server, log), ...interviewTools(server)].map(([tool, run]) => [tool.name, { tool, run }]))
  server.setRequestHandler(ListToolsRequestSchema, async () => ({
    tools: [...tools.values()].map(({ tool }) => ({ name: tool.name, description: tool.description, inputSchema: tool.inputSchema }))
  }))
  server.setRequestHandler(CallToolRequestSchema, async (request, extra): Promise<CallToolResult> => {
    const entry = tools.get(request.params.name)
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
  server.setRequestHandler(ListResourceTemplatesRequestSchema, async () => {
    const { name, uriTemplate, title, description, mimeType } = TEMPLATE
    return { resourceTemplates: [{ name, uriTemplate, title, description, mimeType }] }
  })
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
    prompts: [
      ...PROMPTS.map(({ name, title, description, arguments: args }) => ({
        name,
        title,
        description,
        arguments: args.map((a) => ({ ...a, required: true }))
      })),
      { name: ASKING_PROMPT.name, title: ASKING_PROMPT.title, description: ASKING_PROMPT.description }
    ]
  }))
  server.setRequestHandler(GetPromptRequestSchema, async (request, extra) => {
    if (request.params.name === ASKING_PROMPT.name) return renderAskingPrompt(extra)
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
