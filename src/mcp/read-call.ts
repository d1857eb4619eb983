// resources/read and prompts/get of a plugin, each a run like a tool call: authorized (the plugin-read
// policy), rate-limited (the agent's and the workspace's limits), recorded (RunStarted before the
// request leaves, the upstream span, RunFinished with the result's size and sha256), so every MCP
// request that reaches an upstream is in the log. The run's `kind` is "resource" or "prompt"; its
// `tool` names the plugin's prompt (`{plugin}__{prompt}`) or, for a resource, `{plugin}__resources/read`:
// a resource URI may carry what an agent composed, so it is recorded, like arguments, by hash.
import { ProtocolError, ProtocolErrorCode } from "@modelcontextprotocol/server"
import { redact } from "../runs/redact.ts"
import { throttleAttributes } from "../policy/rate-limiter.ts"
import { authorizePluginRead, decisionAttributes } from "./authorize.ts"
import { beginRun, measure } from "./call-tool.ts"
import type { WorkspaceHost } from "./host.ts"
import { namespaced } from "./namespacing.ts"
import { startSpan } from "./trace.ts"

export interface PluginRead {
  readonly kind: "resource" | "prompt"
  readonly plugin: string
  /** The prompt's upstream name; undefined for a resource. */
  readonly prompt?: string
  /** What the request asked for: `{uri}`, or `{name, arguments}` (recorded as size and hash). */
  readonly args: Record<string, unknown>
}

export const recordedRead = async <R>(host: WorkspaceHost, agent: string, read: PluginRead, perform: () => Promise<R>): Promise<R> => {
  const tool = read.kind === "prompt" ? namespaced(read.plugin, read.prompt!) : namespaced(read.plugin, "resources/read")
  const traced = beginRun(host, agent, { name: tool, arguments: read.args }, await host.vault.scrubber(), undefined, {
    rootSpan: read.kind === "prompt" ? "prompts/get" : "resources/read",
    fields: { kind: read.kind }
  })
  const state = host.state()
  const authorizing = startSpan(traced.traceId, "authorize", traced.root.spanId)
  const decision = authorizePluginRead(state, host.policies(), agent, read.kind === "prompt" ? "get_prompt" : "read_resource", read.plugin)
  const authorizeSpan = authorizing.end(decision.allow ? { code: "ok" } : { code: "error", message: decision.reason }, decisionAttributes(decision))
  if (!decision.allow) {
    traced.finish("denied", [authorizeSpan], { error: decision.reason })
    throw new ProtocolError(ProtocolErrorCode.InvalidRequest, `Berth refused this request: ${decision.reason}`)
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
  try {
    const result = await perform()
    const measured = measure(result)
    traced.finish("ok", [authorizeSpan, upstream.end({ code: "ok" }, attributes)], {
      resultHash: measured.hash,
      resultSize: measured.size,
      ...(traced.capture ? { result: redact(result, traced.scrubber) } : {})
    })
    return result
  } catch (error) {
    const message = traced.scrubber.text(error instanceof Error ? error.message : String(error))
    traced.finish("error", [authorizeSpan, upstream.end({ code: "error", message }, attributes)], { error: message })
    throw error
  }
}
