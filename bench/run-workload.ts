// The workload the append benchmark feeds the log: the run-shaped events one MCP tool call leaves
// (RunStarted, two SpanRecorded, RunFinished), and SetPayloadCapture commands for the command pipeline.
import type { DomainEvent } from "../events/index.ts"
import { event } from "../events/index.ts"

/** Runs open at once. Each step finishes the run started this many steps before, so every
 * transaction of 100 events (25 steps) both inserts and deletes `openRuns` rows. */
export const OPEN_RUNS = 50
export const EVENTS_PER_STEP = 4

const hex = (n: number, width: number) => n.toString(16).padStart(width, "0").slice(-width)
const START = "2026-11-20T10:00:00.000Z"
const END = "2026-11-20T10:00:00.015Z"

const runStarted = (i: number): DomainEvent =>
  event("RunStarted", {
    run: `run-${i}`,
    traceId: hex(i, 32),
    agent: "bot",
    tool: "github__create_issue",
    argsHash: hex(i * 7919, 64),
    argsSize: 412
  })

const spanRecorded = (i: number, child: boolean): DomainEvent =>
  event("SpanRecorded", {
    run: `run-${i}`,
    span: {
      traceId: hex(i, 32),
      spanId: hex(i * 2 + (child ? 1 : 0), 16),
      ...(child ? { parentSpanId: hex(i * 2, 16) } : {}),
      name: child ? "upstream tools/call create_issue" : "tools/call github__create_issue",
      start: START,
      end: END,
      status: { code: "ok" },
      attributes: {
        "mcp.plugin": "github",
        "mcp.tool": "create_issue",
        "berth.decision": "allow",
        "rpc.duration_ms": child ? 11 : 15,
        "berth.payload_captured": false
      }
    }
  })

const runFinished = (i: number): DomainEvent =>
  event("RunFinished", { run: `run-${i}`, status: "ok", durationMs: 15, resultHash: hex(i * 104729, 64), resultSize: 1024 })

/** An endless stream of run events; `take(n)` returns the next n (a multiple of EVENTS_PER_STEP).
 * It starts at step `openRuns` so run numbers stay non-negative; the first finishes (of runs never
 * started) change nothing and fall in the warm-up. */
export class RunStream {
  readonly #openRuns: number
  #step: number

  constructor(openRuns = OPEN_RUNS) {
    this.#openRuns = openRuns
    this.#step = openRuns
  }

  take(count: number): Array<DomainEvent> {
    const out: Array<DomainEvent> = []
    for (let n = 0; n < count; n += EVENTS_PER_STEP) {
      const i = this.#step++
      const finishing = i - this.#openRuns
      out.push(runStarted(i), spanRecorded(finishing, false), spanRecorded(finishing, true), runFinished(finishing))
    }
    return out
  }
}

/**
 * `count` SetPayloadCapture commands alternating on and off, so each appends one PayloadCaptureSet.
 * (SetPolicy would measure Cedar's validation, which is in policy.bench.ts, not the pipeline.)
 */
export const captureCommands = (count: number): Array<{ _tag: "SetPayloadCapture"; enabled: boolean }> =>
  Array.from({ length: count }, (_, i) => ({ _tag: "SetPayloadCapture", enabled: i % 2 === 0 }))

const span = (i: number, n: number, name: string) => ({
  traceId: hex(i, 32),
  spanId: hex(i * 8 + n, 16),
  ...(n === 0 ? {} : { parentSpanId: hex(i * 8, 16) }),
  name,
  start: START,
  end: END,
  status: { code: "ok" as const },
  attributes: { "berth.plugin": "github", "berth.upstream.tool": "create_issue" }
})

/**
 * The commands one allowed tool call records, as call-tool.ts issues them: StartRun, then FinishRun
 * with the root, authorize, validate and upstream spans (2 transactions, 6 events per call).
 */
export const runRecordingCommands = (calls: number, agent: string): Array<Record<string, unknown>> =>
  Array.from({ length: calls }, (_, i) => {
    const run = `rec-${i}-${hex(i * 7919, 8)}`
    return [
      { _tag: "StartRun", run, traceId: hex(i, 32), agent, tool: "github__create_issue", argsHash: hex(i * 31, 64), argsSize: 412 },
      {
        _tag: "FinishRun",
        run,
        status: "ok",
        durationMs: 15,
        resultHash: hex(i * 104729, 64),
        resultSize: 1024,
        spans: [span(i, 0, "tools/call"), span(i, 1, "authorize"), span(i, 2, "validate arguments"), span(i, 3, "upstream github")]
      }
    ]
  }).flat()
