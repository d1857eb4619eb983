// The test upstream: a real MCP server Worker (SDK v2 createMcpHandler, stateless, both the
// 2026-07-28 and the 2025-11-25 protocol) that test/global-setup.ts starts on loopback, so Berth's
// Durable Object can reach it by URL the way it reaches a real plugin.
//
// Every route exists at the root (`/mcp`, `/calls`, ...) and under a namespace (`/ns/<name>/mcp`,
// `/ns/<name>/calls`, ...) with its own counters and definitions, so test files running in
// parallel against this one upstream do not see each other's calls. Control routes:
// - GET /calls: `{ tool: n }`, the tools/call requests that reached the upstream;
// - GET /lists: `{ "tools/list": n }`, the tools/list requests that reached the upstream;
// - GET /aborts: `{ tool: n }`, the handlers whose cancellation signal fired;
// - GET /authorizations: every Authorization header the MCP route received, in order (null: none);
// - POST /mutate `{ tool, description, announce? }`: a rug-pull, the next tools/list shows the new
//   description (`tool` may also be "prompt:greet" or "resource:readme", for their lists); with `announce: true` the namespace's open `subscriptions/listen` streams hear
//   `notifications/tools/list_changed`, without it the change is silent;
// - POST /require `{ header, value }`: from now on the MCP route answers 401 unless the request
//   carries exactly that header value (a static bearer token or API key, as Berth's vault sends it);
// - POST /reset: zero the counters and restore the definitions (and drop the requirement).
// State lives in module memory: wrangler dev runs this Worker as one isolate.
import {
  acceptedContent,
  type CallToolResult,
  type CreateMessageResult,
  createMcpHandler,
  fromJsonSchema,
  inputRequired,
  type McpHttpHandler,
  McpServer,
  ProtocolError,
  ProtocolErrorCode,
  type ServerContext
} from "@modelcontextprotocol/server"
import { DESCRIPTIONS } from "./tools.ts"


type Namespace = {
  calls: Map<string, number>
  lists: Map<string, number>
  aborts: Map<string, number>
  descriptions: Map<string, string>
  authorizations: Array<string | null>
  /** A credential the MCP route requires: a header and its exact value. */
  required?: { header: string; value: string } | undefined
  /**
   * An outage the MCP route answers with a status and a body, for requests of these methods.
   * `{authorization}` in the body is replaced with the request's Authorization header, as an
   * upstream that quotes the token it refused would.
   */
  broken?: { status: number; body: string; methods: ReadonlyArray<string> } | undefined
}

const namespaces = new Map<string, Namespace>()
const namespaceNamed = (name: string): Namespace => {
  let ns = namespaces.get(name)
  if (!ns) namespaces.set(name, (ns = { calls: new Map(), lists: new Map(), aborts: new Map(), descriptions: new Map(), authorizations: [] }))
  return ns
}

const ROUTE = /^(?:\/ns\/([\w.-]+))?\/(mcp|calls|lists|aborts|authorizations|mutate|require|break|reset)$/
const route = (url: string) => {
  const match = ROUTE.exec(new URL(url).pathname)
  return match ? { namespace: namespaceNamed(match[1] ?? ""), path: match[2]! } : undefined
}

const bump = (counts: Map<string, number>, tool: string) => counts.set(tool, (counts.get(tool) ?? 0) + 1)

const echoInput = fromJsonSchema<{ text: string }>({
  type: "object",
  properties: { text: { type: "string" } },
  required: ["text"],
  additionalProperties: false
})
const cityInput = fromJsonSchema<{ city: string }>({
  type: "object",
  properties: { city: { type: "string" } },
  required: ["city"]
})
const weatherOutput = fromJsonSchema<{ city: string; temperature: number; conditions: string }>({
  type: "object",
  properties: { city: { type: "string" }, temperature: { type: "number" }, conditions: { type: "string" } },
  required: ["city", "temperature", "conditions"]
})
const progressInput = fromJsonSchema<{ steps: number; delayMs?: number }>({
  type: "object",
  properties: { steps: { type: "integer", minimum: 0 }, delayMs: { type: "integer", minimum: 0 } },
  required: ["steps"]
})
const promptInput = fromJsonSchema<{ prompt: string }>({
  type: "object",
  properties: { prompt: { type: "string" } },
  required: ["prompt"]
})
// `x-mcp-header` (SEP-2243) is an extension keyword the JSON Schema type does not know.
const regionSchema = {
  type: "object",
  properties: { region: { type: "string", "x-mcp-header": "Region" }, text: { type: "string" } },
  required: ["region", "text"]
}
const regionInput = fromJsonSchema<{ region: string; text: string }>(regionSchema as Parameters<typeof fromJsonSchema>[0])
const greetArgs = fromJsonSchema<{ name: string }>({
  type: "object",
  properties: { name: { type: "string" } },
  required: ["name"]
})

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason)
    const timer = setTimeout(resolve, ms)
    signal.addEventListener("abort", () => {
      clearTimeout(timer)
      reject(signal.reason)
    })
  })

const progress = (ns: Namespace) => async ({ steps, delayMs = 10 }: { steps: number; delayMs?: number }, ctx: ServerContext) => {
  const token = ctx.mcpReq._meta?.progressToken
  try {
    for (let step = 1; step <= steps; step++) {
      await sleep(delayMs, ctx.mcpReq.signal)
      if (token !== undefined) {
        await ctx.mcpReq.notify({
          method: "notifications/progress",
          params: { progressToken: token, progress: step, total: steps, message: `step ${step}` }
        })
      }
    }
  } catch (error) {
    if (ctx.mcpReq.signal.aborted) bump(ns.aborts, "progress")
    throw error
  }
  return { content: [{ type: "text" as const, text: `done after ${steps} steps` }] }
}

type ToolsCallHandler = (request: unknown, ctx: ServerContext) => Promise<CallToolResult>

const buildServer = (ns: Namespace) => {
  const description = (tool: string) => ns.descriptions.get(tool) ?? DESCRIPTIONS[tool]
  const server = new McpServer(
    { name: "berth-test-upstream", version: "1.0.0" },
    { capabilities: { logging: {} }, instructions: "A test upstream for Berth." }
  )

  server.registerTool("echo", { description: description("echo"), inputSchema: echoInput }, async ({ text }) => ({
    content: [{ type: "text", text: `echo: ${text}` }]
  }))

  server.registerTool(
    "structured",
    { description: description("structured"), inputSchema: cityInput, outputSchema: weatherOutput },
    async ({ city }) => {
      const weather = { city, temperature: 21, conditions: "sunny" }
      return {
        content: [{ type: "text", text: `${city}: 21°C, sunny` }],
        structuredContent: weather
      }
    }
  )

  server.registerTool("fail", { description: description("fail") }, async () => ({
    content: [{ type: "text", text: "the upstream tool failed" }],
    isError: true
  }))

  server.registerTool("progress", { description: description("progress"), inputSchema: progressInput }, progress(ns))

  // ctx.mcpReq.log is deprecated in 2026-07-28 but still sent: on a modern request only when its
  // `_meta` names a level (LOG_LEVEL_META_KEY), on a legacy one always (a stateless server never
  // remembers logging/setLevel).
  server.registerTool("log", { description: description("log") }, async (ctx) => {
    await ctx.mcpReq.log("info", { message: "hello from the upstream" }, "berth-test-upstream")
    return { content: [{ type: "text", text: "logged" }] }
  })

  // Requests to the client ride the 2026-07-28 multi-round-trip: the first round returns
  // input_required, the client answers and retries with inputResponses (Berth's pool is the client).
  server.registerTool("sample", { description: description("sample"), inputSchema: promptInput }, async ({ prompt }, ctx) => {
    const answer = ctx.mcpReq.inputResponses?.llm as CreateMessageResult | undefined
    if (!answer) {
      return inputRequired({
        inputRequests: { llm: inputRequired.createMessage({ messages: [{ role: "user", content: { type: "text", text: prompt } }], maxTokens: 100 }) }
      })
    }
    const said = answer.content.type === "text" ? answer.content.text : `(${answer.content.type})`
    return { content: [{ type: "text", text: `${answer.model} said: ${said}` }] }
  })

  server.registerTool("elicit", { description: description("elicit") }, async (ctx) => {
    const responses = ctx.mcpReq.inputResponses
    if (!responses?.city) {
      return inputRequired({
        inputRequests: {
          city: inputRequired.elicit({
            message: "Which city?",
            requestedSchema: { type: "object", properties: { city: { type: "string" } }, required: ["city"] }
          })
        }
      })
    }
    const content = acceptedContent(responses, "city")
    return { content: [{ type: "text", text: content ? `the user chose ${String(content.city)}` : "the user declined" }] }
  })

  server.registerTool("region", { description: description("region"), inputSchema: regionInput }, async ({ region, text }) => ({
    content: [{ type: "text", text: `${region}: ${text}` }]
  }))

  server.registerTool("roots", { description: description("roots") }, async (ctx) => {
    const listed = ctx.mcpReq.inputResponses?.roots as { roots: Array<{ uri: string; name?: string }> } | undefined
    if (!listed) return inputRequired({ inputRequests: { roots: inputRequired.listRoots() } })
    return { content: [{ type: "text", text: `roots: ${listed.roots.map((r) => r.uri).join(", ") || "(none)"}` }] }
  })

  // Listed like any tool, but its call is answered by the wrapper below.
  server.registerTool("protocol-error", { description: description("protocol-error") }, async () => ({
    content: [{ type: "text", text: "unreachable" }]
  }))

  // McpServer turns everything a tool handler throws (ProtocolError included, except -32042) into an
  // isError result, so a JSON-RPC error must come from the request handler itself: wrap the
  // tools/call handler McpServer installed. `_getRequestHandler` is protected, hence the index access.
  const dispatch = server.server["_getRequestHandler"]("tools/call") as ToolsCallHandler
  server.server.setRequestHandler("tools/call", (request, ctx) => {
    if (request.params.name === "protocol-error") {
      throw new ProtocolError(ProtocolErrorCode.InvalidParams, "protocol-error: the upstream rejected the call")
    }
    return dispatch(request, ctx)
  })

  server.registerResource(
    "readme",
    "test://readme",
    { title: "Readme", mimeType: "text/plain", description: ns.descriptions.get("resource:readme") ?? "A static text resource" },
    async (uri) => ({ contents: [{ uri: uri.href, mimeType: "text/plain", text: "hello from test://readme" }] })
  )

  server.registerPrompt("greet", { description: ns.descriptions.get("prompt:greet") ?? "Greets someone", argsSchema: greetArgs }, ({ name }) => ({
    messages: [{ role: "user", content: { type: "text", text: `Say hello to ${name}` } }]
  }))

  // A prompt that asks the client's user first (SEP-2322: input requests outside tool calls).
  server.registerPrompt("interview", { description: "Asks the client's user for a topic, then writes the prompt" }, async (ctx) => {
    const answer = ctx.mcpReq.inputResponses?.topic
    if (!answer) {
      return inputRequired({
        inputRequests: {
          topic: inputRequired.elicit({ message: "Which topic?", requestedSchema: { type: "object", properties: { topic: { type: "string" } }, required: ["topic"] } })
        }
      })
    }
    const content = acceptedContent(ctx.mcpReq.inputResponses, "topic")
    return { messages: [{ role: "user", content: { type: "text", text: content ? `Write about ${String(content.topic)}` : "Write about anything" } }] }
  })

  return server
}

// A handler per namespace, so a namespace's list_changed reaches only the listen streams opened on it.
// Its factory runs once per HTTP request.
const handlers = new Map<Namespace, McpHttpHandler>()
const handlerFor = (ns: Namespace): McpHttpHandler => {
  let handler = handlers.get(ns)
  if (!handler) handlers.set(ns, (handler = createMcpHandler(() => buildServer(ns), { onerror: (e) => console.warn("[test upstream]", e.message) })))
  return handler
}

type JsonRpcRequest = { method?: unknown; params?: { name?: unknown } }

// Counts what reached the wire (tools/list too), before the SDK validates anything: a call with bad arguments or for
// an unknown tool still counts, so "the upstream saw no call" means no tools/call at all.
const countToolCalls = (ns: Namespace, body: unknown) => {
  for (const message of Array.isArray(body) ? body : [body]) {
    const { method, params } = (message ?? {}) as JsonRpcRequest
    if (method === "tools/call" && typeof params?.name === "string") bump(ns.calls, params.name)
    if (method === "tools/list") bump(ns.lists, method)
  }
}

export default {
  async fetch(request: Request): Promise<Response> {
    const target = route(request.url)
    if (!target) return new Response("not found", { status: 404 })
    const { namespace: ns, path } = target
    if (path === "mcp") {
      ns.authorizations.push(request.headers.get("authorization"))
      if (ns.required && request.headers.get(ns.required.header) !== ns.required.value)
        return new Response("unauthorized", { status: 401, headers: { "www-authenticate": "Bearer" } })
      const body = request.method === "POST" ? await request.clone().json().catch(() => undefined) : undefined
      const method = (body as { method?: unknown } | undefined)?.method
      if (ns.broken && typeof method === "string" && ns.broken.methods.includes(method)) {
        const page = ns.broken.body.replaceAll("{authorization}", request.headers.get("authorization") ?? "")
        return new Response(page, { status: ns.broken.status, headers: { "content-type": "text/html" } })
      }
      if (request.method === "POST") countToolCalls(ns, body)
      return handlerFor(ns).fetch(request)
    }
    switch (`${request.method} ${path}`) {
      case "GET calls":
        return Response.json(Object.fromEntries(ns.calls))
      case "GET lists":
        return Response.json(Object.fromEntries(ns.lists))
      case "GET aborts":
        return Response.json(Object.fromEntries(ns.aborts))
      case "GET authorizations":
        return Response.json(ns.authorizations)
      case "POST mutate": {
        const { tool, description, announce } = (await request.json()) as { tool?: unknown; description?: unknown; announce?: unknown }
        // A tool by its name; the greet prompt and the readme resource as "prompt:greet" and "resource:readme".
        const known = typeof tool === "string" && (tool in DESCRIPTIONS || tool === "prompt:greet" || tool === "resource:readme")
        if (!known || typeof description !== "string") {
          return Response.json({ error: "expected { tool, description } for a known tool, 'prompt:greet' or 'resource:readme'" }, { status: 400 })
        }
        ns.descriptions.set(tool, description)
        if (announce === true) handlerFor(ns).notify.toolsChanged()
        return Response.json({ tool, description })
      }
      case "POST require": {
        const { header, value } = (await request.json()) as { header?: unknown; value?: unknown }
        if (typeof header !== "string" || typeof value !== "string") return Response.json({ error: "expected { header, value }" }, { status: 400 })
        ns.required = { header, value }
        return Response.json({ header })
      }
      case "POST break": {
        const { status, body, methods } = (await request.json()) as { status?: unknown; body?: unknown; methods?: unknown }
        const named = Array.isArray(methods) && methods.every((m) => typeof m === "string") ? (methods as Array<string>) : undefined
        if (typeof status !== "number" || typeof body !== "string" || !named) return Response.json({ error: "expected { status, body, methods }" }, { status: 400 })
        ns.broken = { status, body, methods: named }
        return Response.json({ status })
      }
      case "POST reset":
        ns.required = undefined
        ns.broken = undefined
        ns.calls.clear()
        ns.lists.clear()
        ns.aborts.clear()
        ns.descriptions.clear()
        ns.authorizations.length = 0
        return Response.json({ reset: true })
      default:
        return new Response("method not allowed", { status: 405 })
    }
  }
}
