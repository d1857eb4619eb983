// Run events: every tool call is a run with OpenTelemetry-shaped spans, whether allowed, denied or
// failed. Arguments and results appear only as size and sha256 unless payload capture is on.
import { Schema } from "effect"
import { defineEvent } from "./define.ts"
import { AgentName, Sha256Hex } from "./names.ts"

export const RunStatus = Schema.Literals(["ok", "error", "denied"])

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
  args: Schema.optional(Schema.Unknown)
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

export const RunEvents = [RunStarted, SpanRecorded, RunFinished] as const
export type RunEvent = Schema.Schema.Type<(typeof RunEvents)[number]>
