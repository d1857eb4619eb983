// tools/call, the pipeline every agent call takes: start the run → authorize → rate limit → validate
// the arguments → dispatch through the pool → return the upstream's result unchanged → finish the run with its spans. Allowed, denied or
// failed, the call leaves a run (DESIGN invariant 5); arguments and results appear only as size and
// hash, unless the workspace captures payloads (then redacted, runs/redact.ts).
import type { CallToolResult } from "@modelcontextprotocol/server"
import { LOG_LEVEL_META_KEY, ProtocolError, ProtocolErrorCode, type ServerContext } from "@modelcontextprotocol/server"
import canonicalize from "canonicalize"
import type { Span } from "../../events/index.ts"
import { redact } from "../runs/redact.ts"
import { sha256Hex } from "../workspace/sha256-hex.ts"
import { authorizeToolCall } from "./authorize.ts"
import { asMcpTool } from "./discover.ts"
import { callRelay, type SendToAgent } from "./agent-call.ts"
import { withinCall } from "./call-scope.ts"
import { validateArguments } from "./validate-args.ts"
import type { WorkspaceHost } from "./host.ts"
import { newTraceId, startSpan } from "./trace.ts"

const measure = (value: unknown) => {
  const json = canonicalize(value ?? null) ?? "null"
  return { hash: sha256Hex(json), size: new TextEncoder().encode(json).byteLength }
}

export interface ToolCallParams {
  readonly name: string
  readonly arguments?: Record<string, unknown> | undefined
  readonly _meta?: { readonly progressToken?: string | number } | undefined
}

/** Records a run that was refused before it could start (e.g. a suspended agent at the HTTP edge). */
export const recordRefusedCall = (host: WorkspaceHost, agent: string, params: ToolCallParams, rule: string, reason: string) => {
  const traced = beginRun(host, agent, params)
  const authorize = startSpan(traced.traceId, "authorize", traced.root.spanId)
  traced.finish("denied", [authorize.end({ code: "error", message: reason }, { "berth.decision": "deny", "berth.rule": rule })])
}

const beginRun = (host: WorkspaceHost, agent: string, params: ToolCallParams) => {
  const run = host.newId()
  const traceId = newTraceId()
  const root = startSpan(traceId, "tools/call")
  const args = measure(params.arguments ?? {})
  const actor = { type: "agent" as const, id: agent }
  const capture = host.state().workspace?.payloadCapture === true
  const started = host.execute(
    {
      _tag: "StartRun",
      run,
      traceId,
      agent,
      tool: params.name,
      argsHash: args.hash,
      argsSize: args.size,
      ...(capture ? { args: redact(params.arguments ?? {}) } : {})
    },
    { actor, correlationId: run }
  )
  if (!started.ok) throw new ProtocolError(ProtocolErrorCode.InternalError, `could not record the run: ${started.error.message}`)
  const startedAt = Date.now()
  const finish = (status: "ok" | "error" | "denied", spans: ReadonlyArray<Span>, extra: Record<string, unknown> = {}) => {
    const rootSpan = root.end(status === "ok" ? { code: "ok" } : { code: "error", message: status }, {
      "berth.agent": agent,
      "berth.tool": params.name,
      "berth.run": run
    })
    const finished = host.execute(
      { _tag: "FinishRun", run, status, durationMs: Date.now() - startedAt, spans: [rootSpan, ...spans], ...extra },
      { actor, correlationId: run }
    )
    if (!finished.ok) throw new ProtocolError(ProtocolErrorCode.InternalError, `could not record the run: ${finished.error.message}`)
  }
  return { run, traceId, root, finish, capture }
}

export const callTool = async (
  host: WorkspaceHost,
  agent: string,
  params: ToolCallParams,
  ctx: ServerContext,
  send: SendToAgent
): Promise<CallToolResult> => {
  const traced = beginRun(host, agent, params)
  const state = host.state()

  const authorizing = startSpan(traced.traceId, "authorize", traced.root.spanId)
  const decision = authorizeToolCall(state, host.policies(), agent, params.name, params.arguments ?? {})
  const authorizeSpan = authorizing.end(decision.allow ? { code: "ok" } : { code: "error", message: decision.reason }, {
    "berth.decision": decision.allow ? "allow" : "deny",
    "berth.rule": decision.rule,
    // The ids of the policies that determined it (never their text); none for a hard guard.
    ...(decision.policies.length > 0 ? { "berth.policies": decision.policies.join(",") } : {})
  })
  if (!decision.allow) {
    traced.finish("denied", [authorizeSpan], { error: decision.reason })
    return { content: [{ type: "text", text: `Berth refused this call: ${decision.reason}` }], isError: true }
  }

  const tool = state.tools[params.name]!
  const plugin = state.plugins[tool.plugin]!

  // Every authorized attempt takes a token, whether or not its arguments then pass.
  const throttling = startSpan(traced.traceId, "rate limit", traced.root.spanId)
  const throttle = host.limiter.take(state, agent, params.name)
  if (!throttle.ok) {
    const span = throttling.end({ code: "error", message: throttle.reason }, {
      "berth.limit": throttle.limit,
      "berth.retry_after_ms": throttle.retryAfterMs
    })
    traced.finish("denied", [authorizeSpan, span], { error: throttle.reason })
    return { content: [{ type: "text", text: `Berth refused this call: ${throttle.reason}` }], isError: true }
  }

  // The pinned definition's inputSchema, checked here so a malformed call never reaches the upstream.
  const validating = startSpan(traced.traceId, "validate arguments", traced.root.spanId)
  const check = validateArguments(params.name, tool.definition.inputSchema, params.arguments)
  if (!check.ok) {
    const span = validating.end({ code: "error", message: check.message }, { "berth.pointer": check.pointer })
    traced.finish("denied", [authorizeSpan, span], { error: check.message })
    return { content: [{ type: "text", text: `Berth refused this call: ${check.message}` }], isError: true }
  }
  const validateSpan = validating.end({ code: "ok" })

  const upstream = startSpan(traced.traceId, `upstream ${tool.plugin}`, traced.root.spanId)
  const progressToken = params._meta?.progressToken
  // A modern request gets the upstream's logs only if it names a level; the agent's level is passed on.
  const logLevel = (ctx.mcpReq.envelope as Record<string, unknown> | undefined)?.[LOG_LEVEL_META_KEY]
  // Aborted by the agent's own request ending (modern), or by a cancellation in a later request (2025 era).
  const inFlight = host.inFlight.start(agent, ctx.mcpReq.id)
  const signal = AbortSignal.any([ctx.mcpReq.signal, inFlight.signal])
  // Logs, sampling and elicitation the upstream sends during the call go to this agent (call-scope.ts).
  const relay = callRelay(host, agent, ctx, send, { traceId: traced.traceId, parentSpanId: upstream.spanId }, signal)
  try {
    const result = (await withinCall(relay.call, () => host.pool.use({ plugin: tool.plugin, url: plugin.url, transport: plugin.transport }, (client) =>
      client.callTool(
        { name: tool.name, arguments: params.arguments ?? {}, ...(logLevel === undefined ? {} : { _meta: { [LOG_LEVEL_META_KEY]: logLevel } }) },
        {
          signal,
          // The pinned definition: without it the client consults (and may refetch) its tools/list
          // cache on every call to check structuredContent and build Mcp-Param-* headers.
          toolDefinition: asMcpTool(tool.definition),
          ...(progressToken === undefined
            ? {}
            : {
                resetTimeoutOnProgress: true,
                onprogress: (progress) => void ctx.mcpReq.notify({ method: "notifications/progress", params: { ...progress, progressToken } })
              })
        }
      )
    ))) as CallToolResult
    const measured = measure(result)
    const status = result.isError ? "error" : "ok"
    traced.finish(
      status,
      [authorizeSpan, validateSpan, upstream.end(result.isError ? { code: "error", message: "the tool returned isError" } : { code: "ok" }, {
        "berth.plugin": tool.plugin,
        "berth.upstream.tool": tool.name
      }), ...relay.spans],
      { resultHash: measured.hash, resultSize: measured.size, ...(traced.capture ? { result: redact(result) } : {}) }
    )
    return result
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    traced.finish(
      "error",
      [authorizeSpan, validateSpan, upstream.end({ code: "error", message }, { "berth.plugin": tool.plugin, "berth.upstream.tool": tool.name }), ...relay.spans],
      { error: message }
    )
    // An upstream JSON-RPC error reaches the agent as the same error; anything else is the upstream being unavailable.
    if (error instanceof ProtocolError) throw error
    throw new ProtocolError(ProtocolErrorCode.InternalError, `plugin '${tool.plugin}' is unavailable: ${message}`)
  } finally {
    inFlight.end()
  }
}
