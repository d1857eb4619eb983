// Server-side execution as a capability of the Workspace object (STYLE §4a): a code run from its
// submission to its record. Authorize `run_code` → validate → compile (a syntax error is reported
// with its line and column, and nothing runs) → keep the code in R2 by hash → start the run → run it
// in an isolate through SandboxRunner, with an Orbit bound to this run → finish the run with every
// primitive call as a span. The run's events name the code by its sha256, never hold it.
import type { CallToolResult } from "@modelcontextprotocol/server"
import type { Span } from "../../events/index.ts"
import { authorizeRunCode, decisionAttributes } from "../mcp/authorize.ts"
import { throttleAttributes } from "../policy/rate-limiter.ts"
import { beginRun, measure, type RunStatus } from "../mcp/call-tool.ts"
import type { WorkspaceHost } from "../mcp/host.ts"
import { startSpan } from "../mcp/trace.ts"
import { redact } from "../runs/redact.ts"
import { wasmSha256Hex } from "../workspace/sha256-wasm.ts"
import { compileScript, startupSyntaxError } from "./compile.ts"
import { ScriptSyntaxError, ScriptTooLarge } from "./errors.ts"
import { SCRIPT_MODULE } from "./host-module.ts"
import { type CodeLimits, limitsFor, LOG_BYTES, MAX_INPUT_BYTES, timeoutRule, workspaceLimits } from "./limits.ts"
import { Orbit, type OrbitStores } from "./orbit.ts"
import { checkedOutcome } from "./outcome.ts"
import type { AgentChannel } from "./primitives/ai.ts"
import { WorkspaceCache } from "./primitives/cache.ts"
import { WorkspaceStorage } from "./primitives/storage.ts"
import type { ScriptJob, ScriptLog, ScriptOutcome } from "./runner.ts"

export interface CodeRunInput {
  readonly code: string
  /** The file name errors name (`script.ts` by default; `.js` is parsed the same way). */
  readonly file?: string | undefined
  readonly input?: unknown
  readonly timeoutMs?: number | undefined
}

export interface CodeRunError {
  readonly _tag: string
  readonly message: string
  readonly line?: number
  readonly column?: number
}

export interface CodeRunResult {
  readonly run: string
  readonly status: RunStatus
  readonly codeHash?: string
  /** The script's return value (status ok). */
  readonly result?: unknown
  readonly error?: CodeRunError
  readonly logs: ReadonlyArray<ScriptLog>
  readonly logsTruncated: boolean
  readonly durationMs: number
}

/** How one run is started, beyond its code and input. */
export interface RunOptions {
  /** The limits (default: the workspace's, SetCodeLimits); the run may ask for a shorter wall time. */
  readonly limits?: CodeLimits
  /**
   * Hears the run's id once RunStarted is appended (not for a run refused before it could start). It
   * answers `false` when what started the run has gone meanwhile (a job cancelled while its code was
   * read): the run then ends `denied` without running anything.
   */
  readonly started?: (run: string) => boolean | void
  /** The submitting agent's MCP connection, for orbit.ai's sampling. */
  readonly channel?: AgentChannel | undefined
  /** The run that caused this one (a job's run: the run that scheduled it). */
  readonly causationId?: string | undefined
  /** The job whose firing this run is. */
  readonly job?: string | undefined
}

/** A run submitted without waiting: its id, once RunStarted is on the log. */
export interface CodeRunStarted {
  readonly run: string
  readonly status: "running"
}

export interface SandboxHost extends WorkspaceHost {
  /** The stateless entrypoint that runs one script (ctx.exports.SandboxRunner). */
  runner(): { run(job: ScriptJob, orbit: Orbit): Promise<ScriptOutcome> }
  /** Where code is kept by hash: `code/<sha256>` in the audit bucket. */
  readonly codeBucket: R2Bucket
  /** orbit.storage's bucket and orbit.cache's namespace, each under the workspace's prefix. */
  readonly storageBucket: R2Bucket
  readonly cacheKv: KVNamespace
  /** The workspace's slug as its log records it: storage, cache, db and isolates are named by it. */
  workspace(): string
  /** orbit.db: the workspace's own SQLite Durable Object. */
  readonly database: OrbitStores["db"]
  /** orbit.jobs: the workspace's scheduled jobs. */
  readonly jobs: OrbitStores["jobs"]
  /** orbit.ai: the deployment's Workers AI model, when it configures one. */
  readonly ai: OrbitStores["ai"]
}

const utf8 = new TextEncoder()
/** How workerd words a request whose code awaits something that can never settle. */
const HUNG = /code had hung and would never generate a response/

export const codeKey = (hash: string) => `code/${hash}`

/** A run's answer to MCP: the result as structured content (and text), or the error; the run id either way. */
export const asToolResult = (outcome: CodeRunResult): CallToolResult => {
  const structured = {
    run: outcome.run,
    status: outcome.status,
    ...(outcome.status === "ok" ? { result: outcome.result ?? null } : {}),
    ...(outcome.error ? { error: outcome.error } : {}),
    ...(outcome.logs.length > 0 ? { logs: outcome.logs } : {}),
    ...(outcome.logsTruncated ? { logsTruncated: true } : {})
  }
  const text =
    outcome.status === "ok"
      ? JSON.stringify(outcome.result ?? null)
      : `${outcome.status}: ${outcome.error ? `${outcome.error._tag}: ${outcome.error.message}` : "the run did not finish"}`
  return { content: [{ type: "text", text }], structuredContent: structured, ...(outcome.status === "ok" ? {} : { isError: true }) }
}

export class Sandbox {
  readonly #host: SandboxHost
  /** Hashes already in R2, so a warm code hash costs no R2 request. */
  readonly #kept = new Set<string>()

  constructor(host: SandboxHost) {
    this.#host = host
  }

  /** Runs the code to its end, recording it as a run of `agent`. */
  async run(agent: string, input: CodeRunInput, options: RunOptions = {}): Promise<CodeRunResult> {
    const host = this.#host
    const { limits = workspaceLimits(host.state().workspace), started, channel, causationId, job } = options
    const file = input.file ?? "script.ts"
    const source = typeof input.code === "string" ? input.code : ""
    const codeHash = wasmSha256Hex(source)
    const runInput = input.input ?? null
    const scrubber = await host.vault.scrubber()
    // What RunStarted says of a code run, whether it runs or is refused.
    const runLimits = limitsFor(timeoutRule(input.timeoutMs, limits) === undefined ? input.timeoutMs : undefined, limits)
    const link = causationId === undefined ? undefined : { causationId }
    const traced = beginRun(host, agent, { name: "run_code", arguments: { codeHash, input: runInput } }, scrubber, link, {
      rootSpan: "berth.code.run",
      fields: { kind: "code", codeHash, codeSize: utf8.encode(source).byteLength, limits: runLimits, ...(job === undefined ? {} : { job }) }
    })
    const span = (name: string) => startSpan(traced.traceId, name, traced.root.spanId)
    const startedAt = Date.now()
    const spans: Array<Span> = []
    const ended = (status: RunStatus, error: CodeRunError | undefined, extra: Partial<CodeRunResult> = {}): CodeRunResult => ({
      run: traced.run,
      status,
      codeHash,
      ...(error ? { error } : {}),
      logs: [],
      logsTruncated: false,
      durationMs: Date.now() - startedAt,
      ...extra
    })
    const refuse = (status: "denied" | "error", error: CodeRunError, failed: Span) => {
      traced.finish(status, [...spans, failed], { error: scrubber.text(`${error._tag}: ${error.message}`) })
      return ended(status, error)
    }

    const state = host.state()
    const authorizing = span("authorize")
    const decision = authorizeRunCode(state, host.policies(), agent, { codeHash, input: runInput })
    if (!decision.allow)
      return refuse("denied", { _tag: "Denied", message: `run_code: ${decision.reason}` }, authorizing.end({ code: "error", message: decision.reason }, { "berth.decision": "deny", "berth.rule": decision.rule }))
    spans.push(authorizing.end({ code: "ok" }, decisionAttributes(decision)))

    const throttling = span("rate limit")
    const throttle = host.limiter.take(state, agent, "run_code")
    if (!throttle.ok)
      return refuse("denied", { _tag: "RateLimited", message: throttle.reason }, throttling.end({ code: "error", message: throttle.reason }, throttleAttributes(throttle)))

    spans.push(throttling.end({ code: "ok" }))

    const validating = span("validate arguments")
    const problem =
      typeof input.code !== "string" || input.code.trim() === ""
        ? "code is the module's source text: `export default async function (input, orbit) { … }`"
        : (timeoutRule(input.timeoutMs, limits) ??
          (measure(runInput).size > MAX_INPUT_BYTES ? `input is ${measure(runInput).size} bytes as JSON; at most ${MAX_INPUT_BYTES}` : undefined))
    if (problem !== undefined) return refuse("denied", { _tag: "InvalidArguments", message: problem }, validating.end({ code: "error", message: problem }))
    spans.push(validating.end({ code: "ok" }))

    const compiling = span("berth.code.compile")
    const compiled = compileScript(source, file)
    if (compiled instanceof ScriptSyntaxError || compiled instanceof ScriptTooLarge) {
      const error = { _tag: compiled._tag, message: compiled.message, ...(compiled instanceof ScriptSyntaxError ? { line: compiled.line, column: compiled.column } : {}) }
      return refuse("error", error, compiling.end({ code: "error", message: compiled._tag }, { "berth.code.hash": codeHash }))
    }
    spans.push(compiling.end({ code: "ok" }, { "berth.code.hash": codeHash, "berth.code.bytes": compiled.bytes }))

    // Kept before it runs, so the record never names code that cannot be read back.
    // R2 failing is recorded as the run's error: the code does not run unkept.
    if (!this.#kept.has(codeHash)) {
      const keeping = span("berth.code.store")
      try {
        await this.keep(codeHash, source)
      } catch (error) {
        const message = `${error instanceof Error ? error.message : String(error)}; nothing ran`
        return refuse("error", { _tag: "CodeStoreFailed", message }, keeping.end({ code: "error", message: "CodeStoreFailed" }, { "berth.code.key": codeKey(codeHash) }))
      }
      spans.push(keeping.end({ code: "ok" }, { "berth.code.key": codeKey(codeHash) }))
    }

    traced.start()
    if (started?.(traced.run) === false) {
      const reason = "what started this run was withdrawn before it ran (its job was cancelled)"
      traced.finish("denied", [...spans, span("berth.code.start").end({ code: "error", message: reason })], { error: `Withdrawn: ${reason}` })
      return ended("denied", { _tag: "Withdrawn", message: reason })
    }
    return this.#execute(agent, channel, { codeHash, codeBytes: compiled.bytes, js: compiled.js, file, input: runInput, limits: runLimits }, traced, spans, startedAt, scrubber)
  }

  /** Keeps `source` in R2 as `code/<hash>` unless it is there already; throws naming the key if R2 fails. */
  async keep(codeHash: string, source: string): Promise<void> {
    if (this.#kept.has(codeHash)) return
    try {
      if (!(await this.#host.codeBucket.head(codeKey(codeHash))))
        await this.#host.codeBucket.put(codeKey(codeHash), source, { httpMetadata: { contentType: "text/plain; charset=utf-8" }, sha256: codeHash })
    } catch (error) {
      throw new Error(`the code could not be kept in R2 (${codeKey(codeHash)}): ${error instanceof Error ? error.message : String(error)}`)
    }
    this.#kept.add(codeHash)
  }

  /** The source kept as `code/<hash>`, checked against its hash; undefined when R2 has none that matches. */
  async read(codeHash: string): Promise<string | undefined> {
    const object = await this.#host.codeBucket.get(codeKey(codeHash))
    const source = object ? await object.text() : undefined
    return source !== undefined && wasmSha256Hex(source) === codeHash ? source : undefined
  }

  async #execute(
    agent: string,
    channel: AgentChannel | undefined,
    job: { codeHash: string; codeBytes: number; js: string; file: string; input: unknown; limits: CodeLimits },
    traced: ReturnType<typeof beginRun>,
    spans: Array<Span>,
    startedAt: number,
    scrubber: Awaited<ReturnType<WorkspaceHost["vault"]["scrubber"]>>
  ): Promise<CodeRunResult> {
    const stores = {
      storage: new WorkspaceStorage(this.#host.storageBucket, this.#host.workspace()),
      cache: new WorkspaceCache(this.#host.cacheKv, this.#host.workspace()),
      db: this.#host.database,
      jobs: this.#host.jobs,
      ai: this.#host.ai
    }
    const orbit = new Orbit(this.#host, stores, channel, {
      run: traced.run,
      agent,
      traceId: traced.traceId,
      rootSpanId: traced.root.spanId,
      primitiveCalls: job.limits.primitiveCalls
    })
    const executing = startSpan(traced.traceId, "berth.code.execute", traced.root.spanId)
    const outcome = await Promise.resolve()
      .then(() => this.#host.runner().run(
        {
          // Per workspace and agent: module state a run leaves behind is seen only by the same agent's runs.
          isolate: `${job.codeHash}:${this.#host.workspace()}:${agent}`,
          js: job.js,
          input: job.input,
          wallMs: job.limits.wallMs,
          cpuMs: job.limits.cpuMs,
          logBytes: LOG_BYTES
        },
        orbit
      ))
      // The isolate's answer is the script's to forge: checked here before anything is recorded.
      .then((raw): ScriptOutcome => checkedOutcome(raw, LOG_BYTES))
      .catch((error: unknown): ScriptOutcome => ({ kind: "failed", message: error instanceof Error ? error.message : String(error) }))
    orbit.close(outcome.kind === "timeout" ? `the run reached its wall time of ${job.limits.wallMs} ms` : "the run ended")

    const logs = "logs" in outcome ? outcome.logs : []
    const logsTruncated = "logsTruncated" in outcome ? outcome.logsTruncated : false
    const logText = logs.map((l) => `${l.level} ${l.text}`).join("\n")
    const base = {
      run: traced.run,
      codeHash: job.codeHash,
      logs,
      logsTruncated
    }
    let status: RunStatus
    let error: CodeRunError | undefined
    let result: unknown
    let resultJson: string | undefined
    switch (outcome.kind) {
      case "done": {
        const bytes = utf8.encode(outcome.json).byteLength
        if (bytes > job.limits.resultBytes) {
          status = "error"
          error = { _tag: "ResultTooLarge", message: `the result is ${bytes} bytes as JSON; a run may return at most ${job.limits.resultBytes}` }
          break
        }
        try {
          result = JSON.parse(outcome.json)
          resultJson = outcome.json
          status = "ok"
        } catch {
          status = "error"
          error = { _tag: "ScriptResultInvalid", message: "the script's isolate answered a result that is not JSON" }
        }
        break
      }
      case "threw":
        status = "error"
        error = {
          _tag: scrubber.text(outcome.tag ?? outcome.name),
          message: outcome.message,
          ...(outcome.at ? { line: outcome.at.line, column: outcome.at.column } : {})
        }
        break
      case "timeout":
        status = "timeout"
        error = { _tag: "Timeout", message: `the run reached its wall time of ${job.limits.wallMs} ms and was stopped` }
        break
      case "failed": {
        const syntax = startupSyntaxError(new Error(outcome.message), job.file, SCRIPT_MODULE)
        status = "error"
        error = syntax
          ? { _tag: syntax._tag, message: syntax.message, line: syntax.line, column: syntax.column }
          : HUNG.test(outcome.message)
            ? { _tag: "ScriptHung", message: "the script awaited something that can never settle (no timer, call or I/O was pending), so the runtime ended it" }
            : { _tag: "ScriptFailed", message: scrubber.text(outcome.message) }
        break
      }
      default:
        status = "error"
        error = { _tag: "ScriptResultInvalid", message: "the script's isolate answered something the plane does not understand" }
    }
    const measured = resultJson === undefined ? undefined : { hash: wasmSha256Hex(resultJson), size: utf8.encode(resultJson).byteLength }
    const executeSpan = executing.end(status === "ok" ? { code: "ok" } : { code: "error", message: scrubber.text(error!._tag) }, {
      "berth.code.outcome": outcome.kind,
      ...(error?.line === undefined ? {} : { "berth.code.line": error.line, "berth.code.column": error.column! }),
      "berth.code.log_lines": logs.length,
      "berth.code.log_bytes": utf8.encode(logText).byteLength,
      "berth.code.log_hash": wasmSha256Hex(logText),
      ...(logsTruncated ? { "berth.code.logs_truncated": 1 } : {})
    })
    traced.finish(
      status,
      [...spans, executeSpan, ...orbit.spans],
      {
        ...(measured ? { resultHash: measured.hash, resultSize: measured.size } : {}),
        ...(error ? { error: scrubber.text(`${error._tag}: ${error.message}`) } : {}),
        ...(traced.capture ? { result: redact({ result: result ?? null, logs }, scrubber) } : {})
      },
      { "berth.code.hash": job.codeHash, "berth.orbit.calls": orbit.calls, ...(orbit.refusedOverLimit > 0 ? { "berth.orbit.refused_over_limit": orbit.refusedOverLimit } : {}) }
    )
    return { ...base, status, ...(status === "ok" ? { result } : {}), ...(error ? { error } : {}), durationMs: Date.now() - startedAt }
  }
}
