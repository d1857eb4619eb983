// One tool call's trip upstream, which may outlive the agent request that started it. While it
// runs, what the upstream sends (logs, progress, sampling and elicitation requests) goes to the
// agent request serving the call now:
// - on the 2025 protocol, a request goes out on that request's SSE response and the agent answers
//   in a POST of its own (agent-requests.ts);
// - on MCP 2026-07-28, which has no server-to-client requests, the call answers the agent with
//   `input_required` and waits, parked in the workspace (parked-calls.ts), until the agent retries
//   with its answers; the retry then serves the call.
import {
  CLIENT_CAPABILITIES_META_KEY,
  type CallToolResult,
  type InputRequests,
  PROTOCOL_VERSION_META_KEY,
  ProtocolError,
  ProtocolErrorCode,
  type ServerContext
} from "@modelcontextprotocol/server"
import type { Span } from "../../events/index.ts"
import type { OutgoingRequest } from "./agent-requests.ts"
import type { AgentCall, LogMessage, UpstreamRequest } from "./call-scope.ts"
import type { WorkspaceHost } from "./host.ts"
import { startSpan } from "./trace.ts"

/** Sends a request to the agent on the stream of the agent's request `relatedTo`. */
export type SendToAgent = (message: OutgoingRequest, relatedTo: string | number) => Promise<void>

/** The agent request serving a call: the first one, or a retry that carries the agent's answers. */
export interface AgentRequest {
  readonly ctx: ServerContext
  readonly send: SendToAgent
  readonly progressToken: string | number | undefined
}

/** How the upstream call ended. */
export type Settled = { readonly kind: "done"; readonly result: CallToolResult } | { readonly kind: "failed"; readonly error: unknown }

/** How a call stands when the agent request serving it must answer. */
export type Outcome = Settled | { readonly kind: "input"; readonly requests: InputRequests }

/** What the upstream call is given: where its messages go, its abort signal, and its progress relay. */
export interface UpstreamRun {
  readonly call: AgentCall
  readonly signal: AbortSignal
  readonly progress: (progress: { progress: number; total?: number; message?: string }) => void
}

interface Asked {
  readonly request: UpstreamRequest
  readonly resolve: (result: unknown) => void
  readonly reject: (error: unknown) => void
  sent: boolean
}

/** The capability a 2026-07-28 agent must declare for each request it can be asked. */
const requiredCapability = (request: UpstreamRequest): string =>
  request.method === "sampling/createMessage"
    ? "sampling"
    : request.params?.mode === "url"
      ? "elicitation.url"
      : "elicitation.form"

const declares = (capabilities: Record<string, unknown> | undefined, path: string): boolean => {
  const [top, mode] = path.split(".") as [string, string | undefined]
  const declared = capabilities?.[top] as Record<string, unknown> | undefined
  if (declared === undefined) return false
  // An elicitation capability without modes means form only (MCP 2025-11-25).
  if (mode === "form") return declared.form !== undefined || (declared.url === undefined && declared.form === undefined)
  return mode === undefined || declared[mode] !== undefined
}

const isModern = (ctx: ServerContext) => (ctx.mcpReq.envelope as Record<string, unknown> | undefined)?.[PROTOCOL_VERSION_META_KEY] !== undefined

export class UpstreamCall {
  readonly #host: WorkspaceHost
  readonly #agent: string
  readonly #trace: { readonly traceId: string; readonly parentSpanId: string }
  readonly #controller = new AbortController()
  readonly #spans: Array<Span> = []
  readonly #asked = new Map<string, Asked>()
  #asks = 0
  #serving: AgentRequest
  #unlink: () => void = () => undefined
  #outcome: Settled | undefined
  #wake: () => void = () => undefined
  readonly #finished = Promise.withResolvers<Settled>()

  constructor(
    host: WorkspaceHost,
    agent: string,
    trace: { readonly traceId: string; readonly parentSpanId: string },
    first: AgentRequest,
    run: (upstream: UpstreamRun) => Promise<CallToolResult>
  ) {
    this.#host = host
    this.#agent = agent
    this.#trace = trace
    this.#serving = first
    this.#attach(first)
    const call: AgentCall = { log: (message) => this.#log(message), ask: (request) => this.#ask(request) }
    run({ call, signal: this.#controller.signal, progress: (progress) => this.#progress(progress) }).then(
      (result) => this.#settle({ kind: "done", result }),
      (error: unknown) => this.#settle({ kind: "failed", error })
    )
  }

  /** The spans of the requests relayed to the agent so far. */
  get spans(): ReadonlyArray<Span> {
    return this.#spans
  }

  /** Resolves when the upstream call has finished, one way or the other. */
  get finished(): Promise<Settled> {
    return this.#finished.promise
  }

  /**
   * Waits until the upstream call finishes or, on MCP 2026-07-28, asks the agent something; the
   * requests asked in the same moment go out together.
   */
  async next(): Promise<Outcome> {
    for (;;) {
      if (this.#outcome) return this.#outcome
      const unsent = [...this.#asked].filter(([, a]) => !a.sent)
      if (unsent.length > 0) {
        // An upstream may ask several things at once: let the rest of this moment's asks arrive.
        await scheduler.wait(0)
        if (this.#outcome) return this.#outcome
        const requests: InputRequests = {}
        for (const [key, asked] of this.#asked) {
          if (asked.sent) continue
          asked.sent = true
          requests[key] = asked.request as InputRequests[string]
        }
        return { kind: "input", requests }
      }
      await new Promise<void>((resolve) => (this.#wake = resolve))
    }
  }

  /** Stops serving the agent request that has answered (its end must not abort the call). */
  detach(): void {
    this.#unlink()
    this.#unlink = () => undefined
  }

  /** Serves the call from the agent's retry, handing its answers to the requests waiting for them. */
  resume(retry: AgentRequest): void {
    this.#serving = retry
    this.#attach(retry)
    const responses = retry.ctx.mcpReq.inputResponses ?? {}
    for (const [key, asked] of this.#asked) {
      if (!asked.sent) continue
      if (key in responses) asked.resolve(responses[key])
      else asked.reject(new ProtocolError(ProtocolErrorCode.InvalidParams, `the agent's retry did not answer '${key}' (${asked.request.method})`))
    }
  }

  /** Aborts the upstream call (the agent cancelled, or never came back); it settles as failed. */
  abort(reason: unknown): void {
    this.#controller.abort(reason)
  }

  /** Relays upstream progress to the agent request serving the call, under its own token. */
  #progress(progress: { progress: number; total?: number; message?: string }): void {
    const { ctx, progressToken } = this.#serving
    if (progressToken !== undefined) void ctx.mcpReq.notify({ method: "notifications/progress", params: { ...progress, progressToken } })
  }

  #attach(request: AgentRequest): void {
    this.detach()
    const signal = request.ctx.mcpReq.signal
    const abort = () => this.#controller.abort(signal.reason)
    if (signal.aborted) return abort()
    signal.addEventListener("abort", abort, { once: true })
    this.#unlink = () => signal.removeEventListener("abort", abort)
  }

  #settle(outcome: Settled): void {
    this.#outcome = outcome
    this.#finished.resolve(outcome)
    this.detach()
    for (const asked of this.#asked.values()) asked.reject(new Error("the upstream call ended"))
    this.#wake()
  }

  #log(message: LogMessage): void {
    void this.#serving.ctx.mcpReq.notify({ method: "notifications/message", params: message } as never)
  }

  async #ask(request: UpstreamRequest): Promise<unknown> {
    const span = startSpan(this.#trace.traceId, `agent ${request.method}`, this.#trace.parentSpanId)
    const attributes = { "mcp.method": request.method }
    const end = (status: Span["status"]) => this.#spans.push(span.end(status, attributes))
    try {
      const result = await (isModern(this.#serving.ctx) ? this.#askModern(request) : this.#askLegacy(request))
      end({ code: "ok" })
      return result
    } catch (error) {
      end({ code: "error", message: error instanceof Error ? error.message : String(error) })
      throw error
    }
  }

  /** 2025 era: on the serving request's SSE response; the answer comes back in a POST of its own. */
  #askLegacy(request: UpstreamRequest): Promise<unknown> {
    const { ctx, send } = this.#serving
    const id = `berth-${this.#host.newId()}`
    return this.#host.agentRequests.ask(this.#agent, id, request, (message) => send(message, ctx.mcpReq.id), this.#controller.signal)
  }

  /** 2026-07-28: queued for the serving request's `input_required` answer; resolved by the retry. */
  #askModern(request: UpstreamRequest): Promise<unknown> {
    const capabilities = (this.#serving.ctx.mcpReq.envelope as Record<string, unknown> | undefined)?.[CLIENT_CAPABILITIES_META_KEY] as
      | Record<string, unknown>
      | undefined
    const needed = requiredCapability(request)
    if (!declares(capabilities, needed)) {
      return Promise.reject(
        new ProtocolError(ProtocolErrorCode.MethodNotFound, `the agent cannot answer ${request.method}: it did not declare the '${needed}' capability`)
      )
    }
    const key = `${request.method === "sampling/createMessage" ? "sampling" : "elicitation"}-${++this.#asks}`
    // The 2026-07-28 URL elicitation has no elicitationId: the retry, not the id, correlates it.
    const params =
      request.params?.mode === "url" ? Object.fromEntries(Object.entries(request.params).filter(([k]) => k !== "elicitationId")) : request.params
    const { promise, resolve, reject } = Promise.withResolvers<unknown>()
    this.#asked.set(key, { request: { method: request.method, params }, resolve, reject, sent: false })
    this.#wake()
    return promise.finally(() => this.#asked.delete(key))
  }
}
