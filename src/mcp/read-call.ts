// resources/read, prompts/get and completion/complete of a plugin, each a run like a tool call:
// authorized (the plugin-read policy), rate-limited (the agent's and the workspace's limits), recorded
// (RunStarted before the request leaves, the upstream span, RunFinished with the result's size and
// sha256), so every MCP request that reaches an upstream is in the log. The run's `kind` is
// "resource", "prompt" or "completion"; its `tool` names the plugin's prompt (`{plugin}__{prompt}`) or
// the method (`{plugin}__resources/read`, `{plugin}__completion/complete`): a resource URI or a partial
// argument may carry what an agent composed, so it is recorded, like arguments, by hash.
import { ProtocolError, ProtocolErrorCode, type ServerContext } from "@modelcontextprotocol/server"
import { recordedText, redact } from "../runs/redact.ts"
import { throttleAttributes } from "../policy/rate-limiter.ts"
import { authorizePluginRead, decisionAttributes } from "./authorize.ts"
import { beginRun, measure, respond, resumeParked } from "./call-tool.ts"
import { withinCall } from "./call-scope.ts"
import { type SendToAgent, type Settled, UpstreamCall } from "./upstream-call.ts"
import type { WorkspaceHost } from "./host.ts"
import { namespaced } from "./namespacing.ts"
import { startSpan } from "./trace.ts"
import type { WorkspaceState } from "../../projections/state.ts"

/** The MCP method each kind of read is. */
const METHODS = { resource: "resources/read", prompt: "prompts/get", completion: "completion/complete" } as const

export interface PluginRead {
  readonly kind: "resource" | "prompt" | "completion"
  readonly plugin: string
  /** The prompt's upstream name; undefined for a resource or a completion. */
  readonly prompt?: string
  /** What the plugin-read policy is asked; by default `get_prompt` for a prompt, `read_resource` otherwise. */
  readonly action?: "get_prompt" | "read_resource"
  /** What the request asked for: `{uri}`, or `{name, arguments}` (recorded as size and hash). */
  readonly args: Record<string, unknown>
  /** Why the pinned definition refuses the read (quarantined, never pinned; pinned-reads.ts), if it does. */
  readonly unpinned?: (state: WorkspaceState) => string | undefined
}

/** The agent request a read answers, so what the upstream asks during it reaches the agent (upstream-call.ts). */
export interface ReadRelay {
  readonly ctx: ServerContext
  readonly send: SendToAgent
}

/**
 * A read as a run. Like a tool call it is carried by an UpstreamCall, so an upstream that asks the
 * agent something while serving it (elicitation, sampling) is answered in either era: on the 2025
 * protocol on the read's own stream, on MCP 2026-07-28 by `input_required` and the agent's retry of
 * the same read with its answers and the requestState.
 */
export const recordedRead = async <R>(
  host: WorkspaceHost,
  agent: string,
  read: PluginRead,
  relay: ReadRelay,
  perform: (signal: AbortSignal) => Promise<R>
): Promise<R> => {
  const method = METHODS[read.kind]
  const tool = read.kind === "prompt" ? namespaced(read.plugin, read.prompt!) : namespaced(read.plugin, method)
  // What a parked read is filed under, apart from any tool of the same name.
  const parkedAs = `${method} ${tool}`
  const action = read.action ?? (read.kind === "prompt" ? "get_prompt" : "read_resource")
  const resumed = await resumeParked(host, agent, { name: parkedAs }, relay.ctx, relay.send)
  if (resumed) return (await respond(host, agent, parkedAs, resumed)) as R
  const traced = beginRun(host, agent, { name: tool, arguments: read.args }, await host.vault.scrubber(), undefined, {
    rootSpan: method,
    fields: { kind: read.kind }
  })
  const state = host.state()
  const authorizing = startSpan(traced.traceId, "authorize", traced.root.spanId)
  const decision = authorizePluginRead(state, host.policies(), agent, action, read.plugin)
  const authorizeSpan = authorizing.end(decision.allow ? { code: "ok" } : { code: "error", message: decision.reason }, decisionAttributes(decision))
  if (!decision.allow) {
    traced.finish("denied", [authorizeSpan], { error: decision.reason })
    throw new ProtocolError(ProtocolErrorCode.InvalidRequest, `Berth refused this request: ${decision.reason}`)
  }
  // As a quarantined tool is refused, before it takes a token: nothing of it reaches the upstream.
  const refused = read.unpinned?.(state)
  // It can quote the agent's own text (a prompt name it made up): kept as any outside text is.
  const unpinned = refused === undefined ? undefined : recordedText(traced.scrubber, refused)
  if (unpinned !== undefined) {
    const span = startSpan(traced.traceId, "pinned definition", traced.root.spanId).end({ code: "error", message: unpinned }, { "berth.plugin": read.plugin })
    traced.finish("denied", [authorizeSpan, span], { error: unpinned })
    throw new ProtocolError(ProtocolErrorCode.InvalidRequest, `Berth refused this request: ${unpinned}`)
  }
  const throttling = startSpan(traced.traceId, "rate limit", traced.root.spanId)
  const throttle = host.limiter.take(state, agent, tool)
  if (!throttle.ok) {
    const span = throttling.end({ code: "error", message: throttle.reason }, throttleAttributes(throttle))
    traced.finish("denied", [authorizeSpan, span], { error: throttle.reason })
    throw new ProtocolError(ProtocolErrorCode.InvalidRequest, `Berth refused this request: ${throttle.reason}`)
  }
  traced.start()
  const upstream = startSpan(traced.traceId, `upstream ${read.plugin}`, traced.root.spanId)
  const attributes = { "berth.plugin": read.plugin }
  const first = { ctx: relay.ctx, send: relay.send, progressToken: undefined }
  const call = new UpstreamCall(host, agent, { traceId: traced.traceId, parentSpanId: upstream.spanId }, first, ({ call, signal }) =>
    withinCall(call, () => perform(signal)) as Promise<never>, host.answerLimitMs)
  const conclude = (settled: Settled) => {
    if (settled.kind === "done") {
      const result = settled.result as unknown as R
      const measured = measure(result)
      traced.finish("ok", [authorizeSpan, upstream.end({ code: "ok" }, attributes), ...call.spans], {
        resultHash: measured.hash,
        resultSize: measured.size,
        ...(traced.capture ? { result: redact(result, traced.scrubber) } : {})
      })
      return settled.result
    }
    const error = call.abortReason ?? settled.error
    const message = recordedText(traced.scrubber, error instanceof Error ? error.message : String(error))
    traced.finish("error", [authorizeSpan, upstream.end({ code: "error", message }, attributes), ...call.spans], { error: message })
    throw error
  }
  return (await respond(host, agent, parkedAs, { call, conclude, run: traced.run, plugin: read.plugin })) as R
}
