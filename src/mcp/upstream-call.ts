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
  LOG_LEVEL_META_KEY,
  MissingRequiredClientCapabilityError,
  type InputRequests,
  PROTOCOL_VERSION_META_KEY,
  ProtocolError,
  ProtocolErrorCode,
  type ServerContext
} from "@modelcontextprotocol/server"
import type { Span } from "../../events/index.ts"
import type { OutgoingMessage } from "./agent-requests.ts"
import type { AgentCall, LogMessage, UpstreamRequest } from "./call-scope.ts"
import type { WorkspaceHost } from "./host.ts"
import type { UpstreamRef } from "./upstream-pool.ts"
import { clipText, MAX_RECORDED_TEXT } from "../runs/redact.ts"
import { positiveInteger } from "../settings.ts"
import { startSpan } from "./trace.ts"

/** Seconds Berth waits, by default, for an agent to answer a relayed request or to retry a parked call. */
const DEFAULT_ANSWER_SECONDS = 300
/**
 * How long the asks of one moment are gathered before a 2026-07-28 agent hears them. A 2026-07-28
 * upstream's come in one result, but a 2025 upstream's are SSE events of their own, and three asked
 * at once can land in separate reads of its stream.
 */
const ASKS_GATHER_MS = 10

/** The answer limit from the Worker's vars (`BERTH_MCP_ANSWER_SECONDS`), in ms. */
export const answerLimitMs = (env: { readonly BERTH_MCP_ANSWER_SECONDS?: string }): number =>
  1000 * positiveInteger(env.BERTH_MCP_ANSWER_SECONDS, DEFAULT_ANSWER_SECONDS)

/** Sends a message to the agent on the stream of the agent's request `relatedTo`. */
export type SendToAgent = (message: OutgoingMessage, relatedTo: string | number) => Promise<void>

/** The agent request serving a call: the first one, or a retry that carries the agent's answers. */
export interface AgentRequest {
  readonly ctx: ServerContext
  readonly send: SendToAgent
  readonly progressToken: string | number | undefined
}

/** How the upstream call ended. */
export type Settled = { readonly kind: "done"; readonly result: CallToolResult } | { readonly kind: "failed"; readonly error: unknown }

/** How a call stands when the agent request serving it must answer. */
export type Outcome =
  | Settled
  | { readonly kind: "input"; readonly requests: InputRequests }
  /** Everything the upstream asked in one moment needs a capability the agent did not declare. */
  | { readonly kind: "unanswerable"; readonly error: MissingRequiredClientCapabilityError }

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

/** The capability a 2026-07-28 agent must have declared to be asked `request`, as a path into its capabilities. */
const requiredCapability = (request: UpstreamRequest): readonly [string, string?] => {
  if (request.method === "sampling/createMessage") {
    // Sampling that offers the model tools needs the client's `sampling.tools` too.
    return request.params?.tools !== undefined || request.params?.toolChoice !== undefined ? ["sampling", "tools"] : ["sampling"]
  }
  if (request.method === "roots/list") return ["roots"]
  return ["elicitation", request.params?.mode === "url" ? "url" : "form"]
}

/** The key a 2026-07-28 agent is asked under, when the upstream gave none of its own. */
const askPrefix = (method: string) => (method === "sampling/createMessage" ? "sampling" : method === "roots/list" ? "roots" : "elicitation")

const declares = (capabilities: Record<string, unknown> | undefined, [top, sub]: readonly [string, string?]): boolean => {
  const declared = capabilities?.[top] as Record<string, unknown> | undefined
  if (declared === undefined) return false
  if (sub === undefined) return true
  // An elicitation capability without modes means form only (MCP 2025-11-25).
  if (top === "elicitation" && sub === "form") return declared.form !== undefined || declared.url === undefined
  return declared[sub] !== undefined
}

/** RFC 5424 severities, as MCP orders log levels; an unknown level counts as the most severe. */
const LEVELS = ["debug", "info", "notice", "warning", "error", "critical", "alert", "emergency"]
const severity = (level: string) => {
  const at = LEVELS.indexOf(level)
  return at === -1 ? LEVELS.length : at
}

const isModern = (ctx: ServerContext) => (ctx.mcpReq.envelope as Record<string, unknown> | undefined)?.[PROTOCOL_VERSION_META_KEY] !== undefined

/** What Berth relays to an agent (upstream-pool.ts declares the same): an agent's capabilities cut to those. */
const RELAYED_CAPABILITIES = ["sampling", "elicitation", "roots"] as const
export const relayableCapabilities = (declared: unknown): Record<string, unknown> | undefined => {
  if (typeof declared !== "object" || declared === null) return undefined
  const own = declared as Record<string, unknown>
  return Object.fromEntries(RELAYED_CAPABILITIES.filter((key) => own[key] !== undefined).map((key) => [key, own[key]]))
}

/**
 * What a request's pool reference says of the agent: a 2025-era agent's goes on a 2025 session where
 * there is one. An agent that declared roots (a 2026-07-28 request's own capabilities, or what a 2025
 * session's client declared at its `initialize`, found through `host`) goes, where the upstream's
 * connection is 2025, on a session of its own that declares them (upstream-pool.ts). Lists pass no
 * `agent`: they ask nothing.
 */
export const agentEra = (ctx: ServerContext, agent?: string, host?: Pick<WorkspaceHost, "sessionCapabilities">): Pick<UpstreamRef, "era" | "rootsOf"> => {
  const modern = isModern(ctx)
  const declared = modern
    ? relayableCapabilities((ctx.mcpReq.envelope as Record<string, unknown> | undefined)?.[CLIENT_CAPABILITIES_META_KEY])
    : ctx.sessionId === undefined
      ? undefined
      : host?.sessionCapabilities(ctx.sessionId)
  const roots = agent !== undefined && declared?.roots !== undefined ? { rootsOf: agent } : {}
  return { ...(modern ? {} : { era: "legacy" as const }), ...roots }
}

const CALL_ENDED = new Error("the upstream call ended")

export class UpstreamCall {
  readonly #host: WorkspaceHost
  readonly #agent: string
  /** Where the spans of relayed requests go; none when the caller records the asks itself (run_code's orbit.ai span). */
  readonly #trace: { readonly traceId: string; readonly parentSpanId: string } | undefined
  readonly #controller = new AbortController()
  readonly #spans: Array<Span> = []
  readonly #asked = new Map<string, Asked>()
  /** Asks of this moment that need a capability the agent did not declare (see #askModern). */
  #unanswerable: Array<MissingRequiredClientCapabilityError> = []
  #askCount = 0
  /** The agent request serving the call; undefined while the call is parked, waiting for a retry. */
  #serving: AgentRequest | undefined
  /** The last agent request that served it: what a request asked while parked is asked of. */
  #lastServed: AgentRequest
  /** Requests to the agent not yet answered, refused or withdrawn. */
  readonly #asking = new Set<Promise<unknown>>()
  readonly #answerLimitMs: number
  #unlink: () => void = () => undefined
  #outcome: Settled | undefined
  /** The upstream call has finished; its outcome follows once the asks still open have ended. */
  #settling = false
  #abortReason: unknown
  #wake: () => void = () => undefined
  readonly #finished = Promise.withResolvers<Settled>()

  constructor(
    host: WorkspaceHost,
    agent: string,
    trace: { readonly traceId: string; readonly parentSpanId: string } | undefined,
    first: AgentRequest,
    run: (upstream: UpstreamRun) => Promise<CallToolResult>,
    answerLimitMs: number
  ) {
    this.#host = host
    this.#agent = agent
    this.#trace = trace
    this.#answerLimitMs = answerLimitMs
    this.#serving = first
    this.#lastServed = first
    this.#attach(first)
    // However the call ends (cancelled, expired, settled), nothing keeps waiting on the agent for it.
    const { signal } = this.#controller
    signal.addEventListener("abort", () => this.#rejectAsked(signal.reason), { once: true })
    const call: AgentCall = { log: (message) => this.#log(message), ask: (request, signal) => this.#ask(request, signal) }
    run({ call, signal: this.#controller.signal, progress: (progress) => this.#progress(progress) }).then(
      (result) => this.#settle({ kind: "done", result }),
      (error: unknown) => this.#settle({ kind: "failed", error })
    )
  }

  /** The spans of the requests relayed to the agent so far. */
  get spans(): ReadonlyArray<Span> {
    return this.#spans
  }

  /** Why the call was aborted before it settled (the agent cancelled it, or never came back), if it was. */
  get abortReason(): unknown {
    return this.#abortReason
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
      if (unsent.length > 0 || this.#unanswerable.length > 0) {
        // An upstream may ask several things at once: let the rest of this moment's asks arrive.
        await scheduler.wait(ASKS_GATHER_MS)
        // Aborted meanwhile (the agent's request ended): the asks are withdrawn; wait for the call to settle.
        if (this.#outcome || this.#controller.signal.aborted) return this.finished
        const unanswerable = this.#unanswerable
        this.#unanswerable = []
        // Nothing of this moment is the agent's to answer: its request is refused with MCP's -32021, as
        // a 2026-07-28 server refuses a request that needs a capability its client lacks (SEP-2575).
        if (unanswerable.length > 0 && ![...this.#asked.values()].some((a) => !a.sent)) return { kind: "unanswerable", error: unanswerable[0]! }
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

  /** Parks the call: the agent request that served it has answered, and its end must not abort the call. */
  detach(): void {
    this.#unlink()
    this.#unlink = () => undefined
    this.#serving = undefined
  }

  /** Serves the call from the agent's retry, handing its answers to the requests waiting for them. */
  resume(retry: AgentRequest): void {
    this.#serving = retry
    this.#lastServed = retry
    this.#attach(retry)
    const responses = retry.ctx.mcpReq.inputResponses ?? {}
    // Answers the SDK set aside because they were not bare result objects (e.g. wrapped in {method, result}).
    const malformed = new Set(retry.ctx.mcpReq.droppedInputResponseKeys ?? [])
    for (const [key, asked] of this.#asked) {
      if (!asked.sent) continue
      if (key in responses) asked.resolve(responses[key])
      else {
        const why = malformed.has(key) ? "answered it in a shape other than the bare result" : "did not answer it"
        asked.reject(new ProtocolError(ProtocolErrorCode.InvalidParams, `the agent's retry ${why}: '${key}' (${asked.request.method})`))
      }
    }
  }

  /** Aborts the upstream call (the agent cancelled, or never came back); it settles as failed. */
  abort(reason: unknown): void {
    if (this.#settling || this.#controller.signal.aborted) return
    this.#abortReason = reason
    this.#controller.abort(reason)
  }

  /** Relays upstream progress to the agent request serving the call, under its own token; dropped while parked. */
  #progress(progress: { progress: number; total?: number; message?: string }): void {
    const serving = this.#serving
    if (serving?.progressToken === undefined) return
    serving.ctx.mcpReq.notify({ method: "notifications/progress", params: { ...progress, progressToken: serving.progressToken } }).catch(() => undefined)
  }

  #attach(request: AgentRequest): void {
    this.#unlink()
    const signal = request.ctx.mcpReq.signal
    const abort = () => this.abort(signal.reason)
    if (signal.aborted) return abort()
    signal.addEventListener("abort", abort, { once: true })
    this.#unlink = () => signal.removeEventListener("abort", abort)
  }

  #settle(outcome: Settled): void {
    this.#settling = true
    this.#unlink()
    // Requests still waiting on the agent are withdrawn, and the call counts as settled once they
    // have ended, so their spans are in the run. With none, there is nothing to abort (the SDK has
    // already let go of the signal), and an abort on every call was not free (CALL_ENDED).
    if (this.#asking.size > 0) this.#controller.abort(CALL_ENDED)
    void Promise.allSettled(this.#asking).then(() => {
      this.#outcome = outcome
      this.#finished.resolve(outcome)
      this.#wake()
    })
  }

  #rejectAsked(reason: unknown): void {
    for (const asked of this.#asked.values()) asked.reject(reason)
  }

  /** Relays an upstream log to the agent request serving the call, if at or above the agent's level; dropped while parked. */
  #log(message: LogMessage): void {
    const serving = this.#serving
    if (!serving) return
    const envelope = serving.ctx.mcpReq.envelope as Record<string, unknown> | undefined
    const modern = isModern(serving.ctx)
    const level = modern ? envelope?.[LOG_LEVEL_META_KEY] : this.#host.logLevels.get(this.#agent)
    // A 2026-07-28 request that names no level gets no logs (SEP-2575), whatever a 2025 upstream sends.
    if (modern && typeof level !== "string") return
    if (typeof level === "string" && severity(message.level) < severity(level)) return
    serving.ctx.mcpReq.notify({ method: "notifications/message", params: message } as never).catch(() => undefined)
  }

  /**
   * Asks the agent on the upstream's behalf. Gives up when the upstream withdraws the request
   * (`signal`), when the call ends, or after the answer limit.
   */
  #ask(request: UpstreamRequest, signal: AbortSignal): Promise<unknown> {
    // Late (the upstream call has returned, e.g. after the SDK's request timeout, while its stream
    // still relays): nothing would send it or wait for it.
    if (this.#settling) return Promise.reject(CALL_ENDED)
    const asking = this.#askOnce(request, signal)
    this.#asking.add(asking)
    const forget = () => void this.#asking.delete(asking)
    asking.then(forget, forget)
    return asking
  }

  async #askOnce(request: UpstreamRequest, signal: AbortSignal): Promise<unknown> {
    const trace = this.#trace
    const span = trace && startSpan(trace.traceId, `agent ${request.method}`, trace.parentSpanId)
    const attributes = { "mcp.method": request.method }
    const end = (status: Span["status"]) => void (span && this.#spans.push(span.end(status, attributes)))
    const late = `the agent did not answer ${request.method} within ${this.#answerLimitMs / 1000} s`
    const limit = new AbortController()
    const timer = setTimeout(() => limit.abort(new ProtocolError(ProtocolErrorCode.InternalError, late)), this.#answerLimitMs)
    const giveUp = AbortSignal.any([signal, this.#controller.signal, limit.signal])
    try {
      giveUp.throwIfAborted()
      // While parked (only a 2026-07-28 call parks), a new request waits for the retry's answer to go out.
      const serving = this.#serving ?? this.#lastServed
      const result = await (isModern(serving.ctx) ? this.#askModern(serving, request, giveUp) : this.#askLegacy(serving, request, giveUp))
      end({ code: "ok" })
      return result
    } catch (error) {
      // An agent's error answer says what it likes: the run keeps as much of it as of any outside text.
      end({ code: "error", message: clipText(error instanceof Error ? error.message : String(error), MAX_RECORDED_TEXT) })
      throw error
    } finally {
      clearTimeout(timer)
    }
  }

  /** 2025 era: on the serving request's SSE response; the answer comes back in a POST of its own. */
  #askLegacy({ ctx, send }: AgentRequest, request: UpstreamRequest, signal: AbortSignal): Promise<unknown> {
    const id = `berth-${this.#host.newId()}`
    return this.#host.agentRequests.ask(this.#agent, id, request, (message) => send(message, ctx.mcpReq.id), signal)
  }

  /** 2026-07-28: queued for the serving request's `input_required` answer; resolved by the retry. */
  #askModern({ ctx }: AgentRequest, request: UpstreamRequest, signal: AbortSignal): Promise<unknown> {
    const capabilities = (ctx.mcpReq.envelope as Record<string, unknown> | undefined)?.[CLIENT_CAPABILITIES_META_KEY] as Record<string, unknown> | undefined
    const needed = requiredCapability(request)
    if (!declares(capabilities, needed)) {
      // MCP's own error for it (-32021, SEP-2575), naming the capability, so the agent learns what to declare.
      const [top, sub] = needed
      const missing = new MissingRequiredClientCapabilityError(
        { requiredCapabilities: { [top]: sub === undefined ? {} : { [sub]: {} } } },
        `the agent cannot answer ${request.method}: it did not declare the '${needed.join(".")}' capability`
      )
      // Asked beside something the agent can answer, the upstream hears it and decides: a tool may go
      // on without the answer (SEP-2322's capability check expects that). It hears it once the asks of
      // this moment have gone to the agent, so a 2025 upstream that asks several things at once, and
      // ends the call on the first refusal, still gets the agent asked. Asked alone, the agent's
      // request is refused instead (next()), and the upstream call is aborted.
      this.#unanswerable.push(missing)
      this.#wake()
      return scheduler.wait(2 * ASKS_GATHER_MS).then(() => Promise.reject(missing))
    }
    // The upstream's own key when it has one (a 2026-07-28 upstream's input request), so the agent sees what the upstream asked under.
    const own = typeof request.id === "string" && !this.#asked.has(request.id) ? request.id : undefined
    const key = own ?? `${askPrefix(request.method)}-${++this.#askCount}`
    // The 2026-07-28 URL elicitation has no elicitationId: the retry, not the id, correlates it.
    const params =
      request.params?.mode === "url" ? Object.fromEntries(Object.entries(request.params).filter(([k]) => k !== "elicitationId")) : request.params
    const { promise, resolve, reject } = Promise.withResolvers<unknown>()
    this.#asked.set(key, { request: { method: request.method, params }, resolve, reject, sent: false })
    const withdraw = () => reject(signal.reason)
    signal.addEventListener("abort", withdraw, { once: true })
    this.#wake()
    return promise.finally(() => {
      signal.removeEventListener("abort", withdraw)
      this.#asked.delete(key)
    })
  }
}
