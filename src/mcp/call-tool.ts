// tools/call, the pipeline every agent call takes: authorize → rate limit → validate the arguments →
// start the run → dispatch through the pool → return the upstream's result unchanged → finish the
// run with its spans. Allowed, denied or failed, the call leaves a run (DESIGN invariant 5): a call
// refused before dispatch records its whole run in one append. Arguments and results appear only
// as size and hash, unless the workspace captures payloads (then redacted, runs/redact.ts).
import type { CallToolResult } from "@modelcontextprotocol/server"
import {
  CLIENT_CAPABILITIES_META_KEY,
  inputRequired,
  LOG_LEVEL_META_KEY,
  ProtocolError,
  ProtocolErrorCode,
  type ServerContext
} from "@modelcontextprotocol/server"
import canonicalize from "canonicalize"
import type { Span } from "../../events/index.ts"
import { MAX_UNKNOWN_NAME, recordedText, redact, type Scrubber, SHAPES_ONLY } from "../runs/redact.ts"
import { wasmSha256Hex } from "../workspace/sha256-wasm.ts"
import { throttleAttributes } from "../policy/rate-limiter.ts"
import { authorizeToolCall, decisionAttributes } from "./authorize.ts"
import { asMcpTool } from "./discover.ts"
import { withinCall } from "./call-scope.ts"
import { callOwner } from "./in-flight.ts"
import { MAX_PARKED_PER_AGENT } from "./parked-calls.ts"
import { agentEra, relayableCapabilities, type SendToAgent, type Settled, UpstreamCall } from "./upstream-call.ts"
import { validateArguments } from "./validate-args.ts"
import { codeSpan } from "../admin/shell-word.ts"
import { credentialForCall, needsCredential } from "../vault/grants.ts"
import { needsReconnect } from "../vault/oauth/session.ts"
import type { WorkspaceHost } from "./host.ts"
import { newTraceId, startSpan } from "./trace.ts"

const utf8 = new TextEncoder()

export const measure = (value: unknown) => {
  const json = canonicalize(value ?? null) ?? "null"
  return { hash: wasmSha256Hex(json), size: utf8.encode(json).byteLength }
}

/** A call dispatched upstream, and how to end its run once the upstream call has settled. */
export interface PendingCall {
  readonly call: UpstreamCall
  readonly conclude: (settled: Settled) => CallToolResult
  /** The run it belongs to and the plugin it calls, which its requestState names (request-state.ts). */
  readonly run?: string
  readonly plugin?: string
}

export interface ToolCallParams {
  readonly name: string
  readonly arguments?: Record<string, unknown> | undefined
  readonly _meta?: { readonly progressToken?: string | number } | undefined
}

/** Records a run that was refused before it could start (e.g. a suspended agent at the HTTP edge). */
export const recordRefusedCall = async (host: WorkspaceHost, agent: string, params: ToolCallParams, rule: string, reason: string) => {
  const traced = beginRun(host, agent, params, await host.vault.scrubber())
  const authorize = startSpan(traced.traceId, "authorize", traced.root.spanId)
  traced.finish("denied", [authorize.end({ code: "error", message: reason }, { "berth.decision": "deny", "berth.rule": rule })])
}

/**
 * How a run relates to the one that caused it: a tool or memory call made by submitted code
 * (src/sandbox) is a run of its own, caused by the code's run, and the code's run learns how it ended.
 */
export interface RunLink {
  readonly causationId: string
  readonly finished?: (run: string, status: RunStatus) => void
}

export type RunStatus = "ok" | "error" | "denied" | "timeout"

/** What a run's RunStarted says beyond the call itself (a code run's kind, code hash and limits). */
export interface RunOpening {
  readonly rootSpan?: string
  readonly fields?: Record<string, unknown>
}

/**
 * A call's run. `start` records RunStarted before the call leaves for the upstream; `finish` records
 * its spans and RunFinished, or, for a call refused before it left, the whole run in one append.
 */
export const beginRun = (
  host: WorkspaceHost,
  agent: string,
  params: ToolCallParams,
  scrubber: Scrubber = SHAPES_ONLY,
  link?: RunLink,
  opened: RunOpening = {}
) => {
  const run = host.newId()
  // A name the workspace has no tool by is the agent's own text (it is refused): kept short and scrubbed.
  const tool = host.state().tools[params.name] ? params.name : recordedText(scrubber, params.name, MAX_UNKNOWN_NAME)
  const traceId = newTraceId()
  const root = startSpan(traceId, opened.rootSpan ?? "tools/call")
  const args = measure(params.arguments ?? {})
  const actor = { type: "agent" as const, id: agent }
  const capture = host.state().workspace?.payloadCapture === true
  const startedAt = Date.now()
  const opening = {
    run,
    traceId,
    agent,
    tool,
    argsHash: args.hash,
    argsSize: args.size,
    ...(capture ? { args: redact(params.arguments ?? {}, scrubber) } : {}),
    ...opened.fields
  }
  const record = (command: Record<string, unknown>) => {
    const outcome = host.execute(command, { actor, correlationId: run, ...(link ? { causationId: link.causationId } : {}) })
    if (!outcome.ok) throw new ProtocolError(ProtocolErrorCode.InternalError, `could not record the run: ${outcome.error.message}`)
  }
  let started = false
  const start = () => {
    record({ _tag: "StartRun", ...opening })
    started = true
  }
  const finish = (status: RunStatus, spans: ReadonlyArray<Span>, extra: Record<string, unknown> = {}, rootAttributes: Record<string, string | number> = {}) => {
    const rootSpan = root.end(status === "ok" ? { code: "ok" } : { code: "error", message: status }, {
      "berth.agent": agent,
      "berth.tool": tool,
      "berth.run": run,
      ...(link ? { "berth.caused_by": link.causationId } : {}),
      ...rootAttributes
    })
    const closing = { run, status, durationMs: Date.now() - startedAt, spans: [rootSpan, ...spans], ...extra }
    record(started ? { _tag: "FinishRun", ...closing } : { _tag: "RecordRun", ...opening, ...closing })
    link?.finished?.(run, status)
  }
  return { run, traceId, root, start, finish, capture, scrubber }
}

export const callTool = async (
  host: WorkspaceHost,
  agent: string,
  params: ToolCallParams,
  ctx: ServerContext,
  send: SendToAgent,
  link?: RunLink
): Promise<CallToolResult> => {
  const resumed = await resumeParked(host, agent, params, ctx, send)
  if (resumed) return respond(host, agent, params.name, resumed)
  // Captured payloads and recorded error texts are scrubbed of the vault's values too (cached until a credential changes).
  const traced = beginRun(host, agent, params, await host.vault.scrubber(), link)
  const state = host.state()

  const authorizing = startSpan(traced.traceId, "authorize", traced.root.spanId)
  const decision = authorizeToolCall(state, host.policies(), agent, params.name, params.arguments ?? {})
  // The reason can quote the agent's own text (a tool name it made up): kept as any outside text is.
  const refusal = decision.allow ? undefined : recordedText(traced.scrubber, decision.reason)
  const authorizeSpan = authorizing.end(refusal === undefined ? { code: "ok" } : { code: "error", message: refusal }, decisionAttributes(decision))
  if (refusal !== undefined) {
    traced.finish("denied", [authorizeSpan], { error: refusal })
    return { content: [{ type: "text", text: `Berth refused this call: ${refusal}` }], isError: true }
  }

  const tool = state.tools[params.name]!
  const plugin = state.plugins[tool.plugin]!

  // Every authorized attempt takes a token, whether or not its arguments then pass.
  const throttling = startSpan(traced.traceId, "rate limit", traced.root.spanId)
  const throttle = host.limiter.take(state, agent, params.name)
  if (!throttle.ok) {
    const span = throttling.end({ code: "error", message: throttle.reason }, throttleAttributes(throttle))
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

  // The most specific grant names the credential the call carries; a plugin that needs one and has none is refused here.
  const granted = credentialForCall(state, tool.plugin, tool.name, agent)
  const expired = granted?.status === "expired"
  if (expired || (!granted && needsCredential(state, tool.plugin))) {
    const reason = expired
      ? `credential '${granted.credential}' for ${codeSpan(params.name)} expired (its authorization server refused to refresh it); ` +
        `reconnect with \`berth credential connect ${granted.credential} --plugin ${granted.plugin}\``
      : `no credential is granted for ${codeSpan(params.name)}; connect one with ` +
        `\`berth credential set <name> --plugin ${tool.plugin} --bearer-stdin\` (or \`berth credential connect <name> --plugin ${tool.plugin}\` for OAuth) ` +
        `and \`berth credential grant <name> --plugin ${tool.plugin}\``
    const span = startSpan(traced.traceId, "credential", traced.root.spanId).end(
      { code: "error", message: reason },
      { "berth.plugin": tool.plugin, ...(expired ? { "berth.credential": granted.credential } : {}) }
    )
    traced.finish("denied", [authorizeSpan, validateSpan, span], { error: reason })
    return { content: [{ type: "text", text: `Berth refused this call: ${reason}` }], isError: true }
  }
  const credential = granted && host.vault.upstream(granted)
  // Which credential the call carried, never its value.
  const carried: Record<string, string> = granted ? { "berth.credential": granted.credential, "berth.credential.fingerprint": granted.fingerprint } : {}

  // The call leaves for the upstream: its run is on the log before it does.
  traced.start()
  const upstream = startSpan(traced.traceId, `upstream ${tool.plugin}`, traced.root.spanId)
  // A modern request gets the upstream's logs only if it names a level; the agent's level is passed on:
  // the request's own (2026-07-28), or the one a 2025-era agent set with logging/setLevel.
  const envelope = ctx.mcpReq.envelope as Record<string, unknown> | undefined
  const logLevel = envelope?.[LOG_LEVEL_META_KEY] ?? host.logLevels.get(agent)
  // A 2026-07-28 agent's own capabilities, as far as Berth can relay them, so the upstream asks only what the agent can answer.
  const capabilities = relayableCapabilities(envelope?.[CLIENT_CAPABILITIES_META_KEY])
  const meta = {
    ...(logLevel === undefined ? {} : { [LOG_LEVEL_META_KEY]: logLevel }),
    ...(capabilities === undefined ? {} : { [CLIENT_CAPABILITIES_META_KEY]: capabilities })
  }
  const first = { ctx, send, progressToken: params._meta?.progressToken }
  // Answers a 2026-07-28 agent sent with a first call, unasked (SEP-2322): the upstream takes what it
  // recognises, as it would directly. A retry carrying Berth's requestState was resumed above instead.
  const unasked = ctx.mcpReq.inputResponses
  const offered = (client: { getNegotiatedProtocolVersion(): string | undefined }) =>
    unasked !== undefined && (client.getNegotiatedProtocolVersion() ?? "") >= "2026-07-28" ? { inputResponses: unasked } : {}
  // Logs, progress, sampling and elicitation the upstream sends during the call go to the agent (upstream-call.ts).
  const call = new UpstreamCall(host, agent, { traceId: traced.traceId, parentSpanId: upstream.spanId }, first, ({ call, signal, progress }) =>
    withinCall(call, () =>
      host.pool.use({ plugin: tool.plugin, url: plugin.url, transport: plugin.transport, credential, ...agentEra(ctx, agent, host) }, (client) =>
        client.callTool(
          { name: tool.name, arguments: params.arguments ?? {}, ...offered(client), ...(Object.keys(meta).length === 0 ? {} : { _meta: meta }) },
          {
            signal,
            // The pinned definition: without it the client consults (and may refetch) its tools/list
            // cache on every call to check structuredContent and build Mcp-Param-* headers.
            toolDefinition: asMcpTool(tool.definition),
            // Progress goes to whichever agent request serves the call then, if it asked for progress.
            onprogress: progress,
            ...(first.progressToken === undefined ? {} : { resetTimeoutOnProgress: true })
          }
        ) as Promise<CallToolResult>
      )
    ),
    host.answerLimitMs
  )

  const conclude = (settled: Settled): CallToolResult => {
    const attributes = { "berth.plugin": tool.plugin, "berth.upstream.tool": tool.name, ...carried }
    if (settled.kind === "done") {
      const { result } = settled
      const measured = measure(result)
      const upstreamSpan = upstream.end(result.isError ? { code: "error", message: "the tool returned isError" } : { code: "ok" }, attributes)
      traced.finish(result.isError ? "error" : "ok", [authorizeSpan, validateSpan, upstreamSpan, ...call.spans], {
        resultHash: measured.hash,
        resultSize: measured.size,
        ...(traced.capture ? { result: redact(result, traced.scrubber) } : {})
      })
      return result
    }
    // Aborted by Berth (the agent cancelled, or never came back): the reason, not the client's echo of it.
    const aborted = call.abortReason
    const error = aborted ?? settled.error
    const message = recordedText(traced.scrubber, error instanceof Error ? error.message : String(error))
    traced.finish("error", [authorizeSpan, validateSpan, upstream.end({ code: "error", message }, attributes), ...call.spans], { error: message })
    if (aborted !== undefined) throw new ProtocolError(ProtocolErrorCode.InternalError, `the call was aborted: ${message}`)
    // The credential's authorization server refused to refresh it: the agent is told how it comes back.
    if (needsReconnect(error)) return { content: [{ type: "text", text: `Berth refused this call: ${message}` }], isError: true }
    // An upstream JSON-RPC error reaches the agent as the same error; anything else is the upstream being unavailable.
    if (error instanceof ProtocolError) throw error
    throw new ProtocolError(ProtocolErrorCode.InternalError, `plugin '${tool.plugin}' is unavailable: ${message}`)
  }

  // A 2025-era cancellation arrives in a request of its own; it finds the call by this request's id.
  const inFlight = host.inFlight.start(callOwner(agent, ctx.sessionId), ctx.mcpReq.id)
  inFlight.signal.addEventListener("abort", () => call.abort(inFlight.signal.reason), { once: true })
  try {
    return await respond(host, agent, params.name, { call, conclude, run: traced.run, plugin: tool.plugin })
  } finally {
    inFlight.end()
  }
}

/**
 * A retry of a call that answered `input_required` (MCP 2026-07-28): it carries the agent's answers
 * and the `requestState` naming the parked call, and serves that call from here on.
 */
export const resumeParked = async (host: WorkspaceHost, agent: string, params: ToolCallParams, ctx: ServerContext, send: SendToAgent) => {
  const echoed = ctx.mcpReq.requestState()
  if (echoed === undefined) return undefined
  if (typeof echoed !== "string") throw new ProtocolError(ProtocolErrorCode.InvalidParams, "this retry's requestState is not a string")
  const state = await host.requestStates.verify(echoed, agent, params.name)
  const pending = host.parked.take(state.t, agent, params.name)
  if (!pending || pending.run !== state.r || pending.plugin !== state.p) {
    throw new ProtocolError(
      ProtocolErrorCode.InvalidParams,
      `this retry's requestState names no call waiting for ${agent}'s answers to ${params.name}: it was used already, the call waited past the answer limit, or the workspace restarted since`
    )
  }
  pending.call.resume({ ctx, send, progressToken: params._meta?.progressToken })
  return pending
}

/**
 * Answers the agent request serving a call: the upstream's result or error, or, when the upstream
 * asks an agent on MCP 2026-07-28 something, `input_required` with the call parked for the retry.
 */
export const respond = async (host: WorkspaceHost, agent: string, tool: string, pending: PendingCall): Promise<CallToolResult> => {
  const { call } = pending
  let outcome = await call.next()
  // Submitted code asked (orbit.ai): the code hears the refusal and decides, as it would of any error.
  while (outcome.kind === "unanswerable" && pending.plugin === undefined) outcome = await call.next()
  if (outcome.kind === "unanswerable") {
    // An upstream asked only what the agent cannot answer: the run ends as the aborted call it is,
    // and the agent hears why, as MCP's -32021.
    call.abort(outcome.error)
    try {
      pending.conclude(await call.finished)
    } catch {
      // Recorded in the run.
    }
    throw outcome.error
  }
  if (outcome.kind !== "input") return pending.conclude(outcome)
  if (host.parked.countFor(agent) >= MAX_PARKED_PER_AGENT) {
    call.abort(new Error(`${agent} already has ${MAX_PARKED_PER_AGENT} calls waiting for its answers`))
    return pending.conclude(await call.finished)
  }
  call.detach()
  const token = host.parked.park(
    agent,
    tool,
    pending,
    (p) => p.call.abort(new Error(`the agent did not come back with its answers within ${host.answerLimitMs / 1000} s`)),
    host.answerLimitMs
  )
  const requestState = await host.requestStates.mint({
    t: token,
    a: agent,
    n: tool,
    ...(pending.run === undefined ? {} : { r: pending.run }),
    ...(pending.plugin === undefined ? {} : { p: pending.plugin })
  })
  // Settled while parked (failed, expired, or finished without the answers): the run ends here.
  void call.finished.then((settled) => {
    if (!host.parked.drop(pending)) return
    try {
      pending.conclude(settled)
    } catch {
      // Recorded in the run; there is no agent request left to tell.
    }
  })
  return inputRequired({ inputRequests: outcome.requests, requestState }) as unknown as CallToolResult
}
