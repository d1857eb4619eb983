// The orbit a script sees, on the plane's side: one RpcTarget per code run, created by the
// workspace's object and handed to the script's isolate as its only way out. It is bound to this
// workspace, this run and the acting agent by construction, so nothing a script sends can name
// another. Each primitive call goes through Berth's own pipeline as the agent (a tool call through
// callTool, a memory operation through the memory tools: authorize, validate, rate limit, record),
// becomes a run of its own caused by the code's run; storage (R2) and cache (KV) calls act under the
// workspace's own prefix (./primitives), and db calls go to the workspace's own SQLite object (./db). Every call is a span of the code's run that records the
// primitive, sizes, hashes, outcome and duration, never the values.
import type { CallToolResult, ServerContext } from "@modelcontextprotocol/server"
import { ProtocolError, ProtocolErrorCode } from "@modelcontextprotocol/server"
import { RpcTarget } from "cloudflare:workers"
import type { Span } from "../../events/index.ts"
import { callTool, measure, type RunLink, type RunStatus } from "../mcp/call-tool.ts"
import type { WorkspaceHost } from "../mcp/host.ts"
import { callMemoryTool } from "../mcp/memory-call.ts"
import { startSpan } from "../mcp/trace.ts"
import { MAX_UNKNOWN_NAME, recordedText } from "../runs/redact.ts"
import { wasmSha256Hex } from "../workspace/sha256-wasm.ts"
import type { SendToAgent } from "../mcp/upstream-call.ts"
import type { Jobs } from "../jobs/jobs.ts"
import type { MemoryToolName } from "../memory/tools.ts"
import type { WorkspaceCache } from "./primitives/cache.ts"
import type { DbResult, SqlParam } from "./db/workspace-db.ts"
import { type AgentChannel, generate, type WorkersAiModel } from "./primitives/ai.ts"
import type { PrimitiveResult, WorkspaceStorage } from "./primitives/storage.ts"

/** What a primitive call answers the script: its value, or a typed error it can catch by `_tag`. */
export type OrbitAnswer =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly error: { readonly _tag: string; readonly message: string; readonly details?: Record<string, unknown> } }

const MEMORY_PRIMITIVES: Readonly<Record<string, MemoryToolName>> = {
  "memory.get": "memory_get",
  "memory.put": "memory_put",
  "memory.delete": "memory_delete",
  "memory.list": "memory_list",
  "memory.search": "memory_search"
}

const STORE_PRIMITIVES = ["storage.get", "storage.put", "storage.delete", "storage.list", "cache.get", "cache.put", "cache.delete", "db.exec", "db.query", "ai.generate"] as const
const JOB_PRIMITIVES = ["jobs.schedule", "jobs.list", "jobs.cancel"] as const
const JOB_ID = /^job_[0-9A-HJKMNP-TV-Z]{26}$/

export const PRIMITIVES = ["tools.call", ...Object.keys(MEMORY_PRIMITIVES), ...STORE_PRIMITIVES, ...JOB_PRIMITIVES] as const

/** The workspace's own storage (R2) and cache (KV), under its prefix, its own SQL database, and its jobs. */
export interface OrbitStores {
  /** The workspace's scheduled jobs (src/jobs). */
  readonly jobs: () => Pick<Jobs, "schedule" | "list" | "cancel">
  readonly storage: WorkspaceStorage
  readonly cache: WorkspaceCache
  /** The workspace's WorkspaceDb object (src/sandbox/db). */
  readonly db: () => {
    exec(sql: string, params: ReadonlyArray<SqlParam>): Promise<DbResult<unknown>>
    query(sql: string, params: ReadonlyArray<SqlParam>): Promise<DbResult<unknown>>
  }
  /** orbit.ai's first source: the deployment's Workers AI model, when it configures one. */
  readonly ai: WorkersAiModel | undefined
}

const hex = (buffer: ArrayBuffer) => Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, "0")).join("")

const utf8 = new TextEncoder()

/** A value's size and sha256 for a span: bytes and text as stored, anything else as its canonical JSON. */
const described = async (value: unknown) =>
  value instanceof Uint8Array || value instanceof ArrayBuffer
    ? { size: value.byteLength, hash: hex(await crypto.subtle.digest("SHA-256", value)) }
    : typeof value === "string"
      ? { size: utf8.encode(value).byteLength, hash: wasmSha256Hex(value) }
      : measure(value ?? null)

const refusal = (_tag: string, message: string, details?: Record<string, unknown>): OrbitAnswer => ({
  ok: false,
  error: { _tag, message, ...(details ? { details } : {}) }
})

/** A tool call made by code has no agent request to relay through: the upstream's questions are refused. */
const noAgentChannel: SendToAgent = async () => {
  throw new ProtocolError(ProtocolErrorCode.InternalError, "this call was made by submitted code; there is no agent connection to ask")
}

/** The request context of a call made by code: its own id, no envelope, nothing to resume or notify. */
const codeCallContext = (id: string, signal: AbortSignal): ServerContext =>
  ({
    mcpReq: {
      id,
      envelope: undefined,
      signal,
      requestState: () => undefined,
      notify: async () => undefined,
      inputResponses: undefined,
      droppedInputResponseKeys: undefined
    }
  }) as unknown as ServerContext

const textOf = (result: CallToolResult) => {
  const first = result.content[0]
  return first?.type === "text" ? first.text : "refused"
}

export interface OrbitRun {
  readonly run: string
  readonly agent: string
  readonly traceId: string
  readonly rootSpanId: string
  readonly primitiveCalls: number
}

export class Orbit extends RpcTarget {
  readonly #host: WorkspaceHost
  readonly #stores: OrbitStores
  readonly #channel: AgentChannel | undefined
  readonly #run: OrbitRun
  readonly #spans: Array<Span> = []
  readonly #aborted = new AbortController()
  #calls = 0
  #refusedOverLimit = 0
  #closed = false

  constructor(host: WorkspaceHost, stores: OrbitStores, channel: AgentChannel | undefined, run: OrbitRun) {
    super()
    this.#host = host
    this.#stores = stores
    this.#channel = channel
    this.#run = run
  }

  /** The spans recorded so far, and how many calls were refused past the limit (not each a span). */
  get spans(): ReadonlyArray<Span> {
    return this.#spans
  }

  get calls(): number {
    return this.#calls
  }

  get refusedOverLimit(): number {
    return this.#refusedOverLimit
  }

  /** The run has ended: later calls are refused, and calls still upstream are aborted. */
  close(reason: string): void {
    this.#closed = true
    this.#aborted.abort(new Error(reason))
  }

  /** orbit.jobs: schedule as this run's agent, caused by this run; list and cancel only the agent's own jobs. */
  async #job(primitive: string, args: { when?: unknown; job?: unknown }): Promise<OrbitAnswer> {
    const jobs = this.#stores.jobs()
    const { agent, run } = this.#run
    if (primitive === "jobs.schedule") return jobs.schedule(agent, run, args.when, args.job)
    if (primitive === "jobs.list") return { ok: true, value: jobs.list(agent) }
    return jobs.cancel(agent, args.job, { actor: { type: "agent", id: agent }, correlationId: run, causationId: run })
  }

  async call(primitive: string, args: unknown): Promise<OrbitAnswer> {
    if (this.#closed) return refusal("RunEnded", `run ${this.#run.run} has ended; its primitives no longer answer`)
    if (!(PRIMITIVES as ReadonlyArray<string>).includes(primitive)) return refusal("UnknownPrimitive", `orbit has no primitive '${primitive}'`)
    if (this.#calls >= this.#run.primitiveCalls) {
      this.#refusedOverLimit++
      const message = `this run may make at most ${this.#run.primitiveCalls} primitive calls`
      if (this.#refusedOverLimit === 1)
        this.#spans.push(startSpan(this.#run.traceId, `orbit.${primitive}`, this.#run.rootSpanId).end({ code: "error", message }, { "berth.orbit.limit": this.#run.primitiveCalls }))
      return refusal("PrimitiveLimitExceeded", message, { limit: this.#run.primitiveCalls })
    }
    this.#calls++
    const span = startSpan(this.#run.traceId, `orbit.${primitive}`, this.#run.rootSpanId)
    let sent: { size: number; hash: string } | undefined
    let child: { run: string; status: RunStatus } | undefined
    const link: RunLink = { causationId: this.#run.run, finished: (run, status) => void (child = { run, status }) }
    let answer: OrbitAnswer
    const extra: Record<string, string | number> = {}
    try {
      sent = await described(primitive === "storage.put" || primitive === "cache.put" ? (args as { value?: unknown } | undefined)?.value : (args ?? null))
      if (primitive === "tools.call") {
        const { name, arguments: toolArgs } = (args ?? {}) as { name?: unknown; arguments?: unknown }
        if (typeof name !== "string") answer = refusal("InvalidArguments", "orbit.tools.call(name, args): name is the tool's `{plugin}__{tool}` name")
        else if (!this.#host.state().tools[name]) {
          // Not a tool of this workspace: refused here, named in the span only as far as the vault allows.
          const shown = recordedText(await this.#host.vault.scrubber(), name, MAX_UNKNOWN_NAME)
          extra["berth.tool"] = shown
          answer = refusal("ToolDenied", `no tool '${shown}' is installed in this workspace`)
        } else {
          extra["berth.tool"] = name
          const params = { name, arguments: (toolArgs ?? {}) as Record<string, unknown> }
          const result = await callTool(this.#host, this.#run.agent, params, codeCallContext(`${this.#run.run}/${this.#calls}`, this.#aborted.signal), noAgentChannel, link)
          answer = child?.status === "denied" ? refusal("ToolDenied", textOf(result)) : { ok: true, value: result }
        }
      } else if (primitive === "ai.generate") {
        const done = await generate({ workersAi: this.#stores.ai, channel: this.#channel }, (args ?? {}) as object, this.#aborted.signal)
        // Which source was asked; the model only when the deployment named it (an agent's is its own claim).
        if (done.source) extra["berth.orbit.ai_source"] = done.source
        if (done.source === "workers-ai") extra["berth.orbit.ai_model"] = this.#stores.ai!.model
        answer = done.ok ? { ok: true, value: done.value } : refusal(done._tag, done.message)
      } else if (primitive.startsWith("jobs.")) {
        answer = await this.#job(primitive, (args ?? {}) as { when?: unknown; job?: unknown })
        // The id the plane made, or one the script named: recorded only when it has a job id's shape.
        const job = answer.ok ? (answer.value as { job?: unknown }).job : (args as { job?: unknown } | undefined)?.job
        if (typeof job === "string" && JOB_ID.test(job) && primitive !== "jobs.list") extra["berth.job"] = job
      } else if (primitive === "db.exec" || primitive === "db.query") {
        const { sql, params } = (args ?? {}) as { sql?: unknown; params?: unknown }
        if (typeof sql !== "string" || !Array.isArray(params)) answer = refusal("InvalidArguments", `orbit.${primitive}(sql, ...params): sql is a string`)
        else {
          const db = this.#stores.db()
          const done = await (primitive === "db.exec" ? db.exec(sql, params as Array<SqlParam>) : db.query(sql, params as Array<SqlParam>))
          answer = done.ok ? { ok: true, value: done.value } : refusal(done.error._tag, done.error.message, { ...(done.error.limit === undefined ? {} : { limit: done.error.limit, actual: done.error.actual }) })
          extra["berth.orbit.sql_bytes"] = utf8.encode(sql).byteLength
          extra["berth.orbit.sql_hash"] = wasmSha256Hex(sql)
        }
      } else if (primitive.startsWith("storage.") || primitive.startsWith("cache.")) {
        const [store, op] = primitive.split(".") as ["storage" | "cache", string]
        const target = this.#stores[store] as unknown as Record<string, (a: unknown) => Promise<PrimitiveResult>>
        const done = await target[op]!((args ?? {}) as object)
        answer = done.ok ? { ok: true, value: done.value } : refusal(done._tag, done.message)
        const key = (args as { key?: unknown } | undefined)?.key
        if (typeof key === "string") extra["berth.orbit.key_bytes"] = utf8.encode(key).byteLength
      } else {
        const tool = MEMORY_PRIMITIVES[primitive]!
        const result = await callMemoryTool(this.#host, this.#run.agent, tool, { name: tool, arguments: (args ?? {}) as Record<string, unknown> }, link)
        const failure = (result.structuredContent as { error?: { _tag: string; message: string } } | undefined)?.error
        if (child?.status === "denied") answer = refusal("MemoryDenied", textOf(result))
        else if (failure) {
          const { _tag, message, ...details } = failure as { _tag: string; message: string } & Record<string, unknown>
          answer = refusal(_tag, message, details)
        } else answer = { ok: true, value: result.structuredContent ?? null }
      }
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error)
      answer =
        sent === undefined
          ? refusal("InvalidArguments", `orbit.${primitive}: the arguments are not JSON or bytes (${message})`)
          : refusal(primitive === "tools.call" ? "ToolFailed" : "PrimitiveFailed", message)
    }
    const received = answer.ok ? await described(answer.value) : undefined

    this.#spans.push(
      span.end(answer.ok ? { code: "ok" } : { code: "error", message: answer.error._tag }, {
        "berth.orbit.primitive": primitive,
        ...(sent ? { "berth.orbit.args_bytes": sent.size, "berth.orbit.args_hash": sent.hash } : {}),
        ...(received ? { "berth.orbit.result_bytes": received.size, "berth.orbit.result_hash": received.hash } : {}),
        ...(answer.ok ? {} : { "berth.orbit.error": answer.error._tag }),
        ...(child ? { "berth.child_run": child.run, "berth.child_status": child.status } : {}),
        ...extra
      })
    )
    return answer
  }
}
