// Run events: every tool call is a run with OpenTelemetry-shaped spans, whether allowed, denied or
// failed. Arguments and results appear only as size and sha256 unless payload capture is on. A run of
// submitted code (kind `code`) names the code by its sha256 (kept in R2 as `code/<sha256>`) and the
// limits it ran under; each primitive it called is a span.
import { Schema } from "effect"
import { defineEvent } from "./define.ts"
import { AgentName, Sha256Hex } from "./names.ts"

/** `timeout`: a code run that reached its wall-time limit (the script was cancelled). */
export const RunStatus = Schema.Literals(["ok", "error", "denied", "timeout"])

/** What a code run may use: wall and CPU time, the result's size, and how many primitive calls. */
export const CodeLimits = Schema.Struct({
  wallMs: Schema.Number,
  cpuMs: Schema.Number,
  resultBytes: Schema.Number,
  primitiveCalls: Schema.Number
})

export const Span = Schema.Struct({
  traceId: Schema.String,
  spanId: Schema.String,
  parentSpanId: Schema.optional(Schema.String),
  name: Schema.String,
  start: Schema.String,
  end: Schema.String,
  status: Schema.Struct({ code: Schema.Literals(["unset", "ok", "error"]), message: Schema.optional(Schema.String) }),
  attributes: Schema.Record(Schema.String, Schema.Union([Schema.String, Schema.Number, Schema.Boolean]))
})

export type Span = typeof Span.Type

export const RunStarted = defineEvent("RunStarted", {
  run: Schema.String,
  traceId: Schema.String,
  agent: AgentName,
  tool: Schema.String,
  argsHash: Sha256Hex,
  argsSize: Schema.Number,
  args: Schema.optional(Schema.Unknown),
  /** Absent on a tool call's run (every run before code runs existed); a plugin's resources/read, prompts/get or completion/complete is "resource", "prompt" or "completion". */
  kind: Schema.optional(Schema.Literals(["tool", "code", "resource", "prompt", "completion"])),
  /** A code run: the submitted source's sha256 and size in bytes, and its limits. */
  codeHash: Schema.optional(Sha256Hex),
  codeSize: Schema.optional(Schema.Number),
  limits: Schema.optional(CodeLimits),
  /** A code run a job's firing made: the job's id. */
  job: Schema.optional(Schema.String)
})
export const SpanRecorded = defineEvent("SpanRecorded", { run: Schema.String, span: Span })
export const RunFinished = defineEvent("RunFinished", {
  run: Schema.String,
  status: RunStatus,
  durationMs: Schema.Number,
  resultHash: Schema.optional(Sha256Hex),
  resultSize: Schema.optional(Schema.Number),
  /** The result itself, redacted, only when the workspace captures payloads. */
  result: Schema.optional(Schema.Unknown),
  error: Schema.optional(Schema.String)
})

/** The workspace's limits for code runs, replacing the defaults (src/sandbox/limits.ts); recorded whole. */
export const CodeLimitsSet = defineEvent("CodeLimitsSet", CodeLimits.fields)

export const RunEvents = [RunStarted, SpanRecorded, RunFinished, CodeLimitsSet] as const
export type RunEvent = Schema.Schema.Type<(typeof RunEvents)[number]>
