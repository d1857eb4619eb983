// The fixture's MCP server on the SDK v2 (@modelcontextprotocol/server): the shared catalog plus what
// only the 2026-07-28 wire has. One factory serves both eras: a 2025 session and each 2026 request get
// a fresh McpServer from it.
import { fromJsonSchema, McpServer, ResourceTemplate, type ServerEventBus } from "@modelcontextprotocol/server"
import { PROMPTS, promptSchema } from "../catalog/prompts.ts"
import { complete, STATIC_RESOURCES, staticContents, TEMPLATE } from "../catalog/resources.ts"
import { ASKING_TOOLS, ERROR_TOOL, FIXED_TOOLS, LOGGING_TOOL, PROGRESS_TOOL, RECONNECTION_TOOL, SCHEMA_TOOL } from "../catalog/tools.ts"
import { registerInputRequired, requestStates } from "./input-required.ts"
import { registerWireProbes } from "./wire-probes.ts"

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Static resources never change, so any client may keep them for a minute. */
const STATIC_CACHE_HINT = { ttlMs: 60_000, cacheScope: "public" } as const

/** `bus` carries list-changed events to the 2026 `subscriptions/listen` streams. */
export const makeServer = (bus: ServerEventBus) => {
  const server = new McpServer(
    { name: "berth-conformance-v2", version: "1.0.0" },
    {
      capabilities: {
        tools: { listChanged: true },
        resources: { subscribe: true, listChanged: true },
        prompts: { listChanged: true },
        // Deprecated in 2026-07-28 (SEP-2577), still how a 2025 client sets its log level.
        logging: {}
      },
      // A 2026 request that echoes a requestState is verified before any handler runs (SEP-2322).
      requestState: { verify: requestStates.verify }
    }
  )
  registerCatalogTools(server)
  registerResources(server)
  registerPrompts(server)
  registerInputRequired(server)
  registerWireProbes(server, bus)
  return server
}

const registerCatalogTools = (server: McpServer) => {
  for (const tool of FIXED_TOOLS) {
    server.registerTool(tool.name, { description: tool.description, inputSchema: fromJsonSchema(tool.inputSchema) }, async () => ({
      content: [...tool.content]
    }))
  }
  server.registerTool(ERROR_TOOL.name, { description: ERROR_TOOL.description, inputSchema: fromJsonSchema(ERROR_TOOL.inputSchema) }, async () => {
    throw new Error(ERROR_TOOL.message)
  })
  server.registerTool(
    LOGGING_TOOL.name,
    { description: LOGGING_TOOL.description, inputSchema: fromJsonSchema(LOGGING_TOOL.inputSchema) },
    async (_args, ctx) => {
      for (const [i, message] of LOGGING_TOOL.messages.entries()) {
        if (i > 0) await pause(LOGGING_TOOL.pauseMs)
        // The SDK drops a message below the client's level: the session's on 2025, the request's `_meta` on 2026.
        await ctx.mcpReq.log("info", message)
      }
      return { content: [{ type: "text", text: LOGGING_TOOL.answer }] }
    }
  )
  server.registerTool(
    PROGRESS_TOOL.name,
    { description: PROGRESS_TOOL.description, inputSchema: fromJsonSchema(PROGRESS_TOOL.inputSchema) },
    async (_args, ctx) => {
      const token = ctx.mcpReq._meta?.progressToken
      for (const [i, progress] of PROGRESS_TOOL.steps.entries()) {
        if (i > 0) await pause(PROGRESS_TOOL.pauseMs)
        // Progress goes only to a caller that asked for it with a token.
        if (token !== undefined) {
          await ctx.mcpReq.notify({ method: "notifications/progress", params: { progressToken: token, progress, total: PROGRESS_TOOL.total } })
        }
      }
      return { content: [{ type: "text", text: PROGRESS_TOOL.answer(token) }] }
    }
  )
  server.registerTool(
    RECONNECTION_TOOL.name,
    { description: RECONNECTION_TOOL.description, inputSchema: fromJsonSchema(RECONNECTION_TOOL.inputSchema) },
    async (_args, ctx) => {
      // Only a 2025 session with an event log can close a stream the client may resume.
      ctx.http?.closeSSE?.()
      await pause(RECONNECTION_TOOL.pauseMs)
      return { content: [{ type: "text", text: RECONNECTION_TOOL.answer }] }
    }
  )
  server.registerTool(
    SCHEMA_TOOL.name,
    { description: SCHEMA_TOOL.description, inputSchema: fromJsonSchema(SCHEMA_TOOL.inputSchema) },
    async (args) => ({
      content: [{ type: "text", text: `Accepted ${JSON.stringify(args)}` }]
    })
  )
  for (const tool of ASKING_TOOLS) {
    server.registerTool(
      tool.name,
      { description: tool.description, inputSchema: fromJsonSchema<Record<string, unknown>>(tool.inputSchema) },
      async (args, ctx) => {
        // A 2025 push request; on the 2026 wire the SDK refuses it and the call ends as a tool error.
        const result = (await ctx.mcpReq.send({ method: tool.method, params: tool.params(args) })) as Record<string, unknown>
        return { content: [{ type: "text", text: tool.answer(result) }] }
      }
    )
  }
}

const registerResources = (server: McpServer) => {
  for (const resource of STATIC_RESOURCES) {
    const { name, uri, title, description, mimeType } = resource
    server.registerResource(name, uri, { title, description, mimeType, cacheHint: STATIC_CACHE_HINT }, async () => ({
      contents: staticContents(resource)
    }))
  }
  const template = new ResourceTemplate(TEMPLATE.uriTemplate, {
    list: undefined,
    complete: { id: (typed) => complete(TEMPLATE.knownIds, typed).values }
  })
  const { name, title, description, mimeType } = TEMPLATE
  server.registerResource(name, template, { title, description, mimeType }, async (uri, variables) => ({
    contents: TEMPLATE.read(uri.toString(), String(variables.id))
  }))
  // Subscriptions are per session; nothing here changes, so no update is ever sent.
  const subscribed = new Set<string>()
  server.server.setRequestHandler("resources/subscribe", async (request) => {
    subscribed.add(request.params.uri)
    return {}
  })
  server.server.setRequestHandler("resources/unsubscribe", async (request) => {
    subscribed.delete(request.params.uri)
    return {}
  })
}

const registerPrompts = (server: McpServer) => {
  for (const prompt of PROMPTS) {
    const { title, description } = prompt
    server.registerPrompt(
      prompt.name,
      { title, description, argsSchema: fromJsonSchema<Record<string, string>>(promptSchema(prompt)) },
      async (args) => ({
        messages: [...prompt.messages(args)]
      })
    )
  }
}
