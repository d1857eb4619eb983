// Run commands: every tool call leaves a run with its spans, whether it was allowed, denied or
// failed (DESIGN invariant 5). A call that goes upstream starts its run before it leaves (StartRun)
// and finishes it after (FinishRun); a call refused before that records the whole run at once
// (RecordRun): the same events, in one transaction. A run of submitted code is the same run, with
// kind `code` (src/sandbox).
import { Effect, Schema } from "effect"
import { event, RunFinished, RunStarted, Span } from "../../events/index.ts"
import type { WorkspaceState } from "../../projections/state.ts"
import { AgentNotFound } from "../agent/errors.ts"
import { requireWorkspace } from "../workspace/decider.ts"
import { RunAlreadyStarted, RunNotFound } from "./errors.ts"

/** Carries exactly what RunStarted records. */
export class StartRun extends Schema.TaggedClass<StartRun>()("StartRun", RunStarted.fields.data.fields) {}

export const decideStartRun = Effect.fnUntraced(function* (state: WorkspaceState, command: StartRun, slug: string) {
  yield* requireWorkspace(state, slug)
  if (!state.agents[command.agent]) return yield* new AgentNotFound({ agent: command.agent })
  if (state.openRuns[command.run]) return yield* new RunAlreadyStarted({ run: command.run })
  return [event("RunStarted", openingOf(command))]
})

/** What RunStarted records of a StartRun or RecordRun: the call, and for a code run its kind, code hash, size, limits and job. */
const openingOf = (command: StartRun | RecordRun) => {
  const { run, traceId, agent, tool, argsHash, argsSize, args, kind, codeHash, codeSize, limits, job } = command
  return {
    run,
    traceId,
    agent,
    tool,
    argsHash,
    argsSize,
    ...(args === undefined ? {} : { args }),
    ...(kind === undefined ? {} : { kind }),
    ...(codeHash === undefined ? {} : { codeHash }),
    ...(codeSize === undefined ? {} : { codeSize }),
    ...(limits === undefined ? {} : { limits }),
    ...(job === undefined ? {} : { job })
  }
}

/** Finishes a run with the spans it produced, in one append. */
export class FinishRun extends Schema.TaggedClass<FinishRun>()("FinishRun", {
  ...RunFinished.fields.data.fields,
  spans: Schema.Array(Span)
}) {}

/** The events that finish a run: its spans, then RunFinished. */
const finishEvents = (command: FinishRun | RecordRun) => {
  const { run, status, durationMs, resultHash, resultSize, result, error } = command
  return [
    ...command.spans.map((span) => event("SpanRecorded", { run, span })),
    event("RunFinished", {
      run,
      status,
      durationMs,
      ...(resultHash === undefined ? {} : { resultHash }),
      ...(resultSize === undefined ? {} : { resultSize }),
      ...(result === undefined ? {} : { result }),
      ...(error === undefined ? {} : { error })
    })
  ]
}

export const decideFinishRun = Effect.fnUntraced(function* (state: WorkspaceState, command: FinishRun, slug: string) {
  yield* requireWorkspace(state, slug)
  if (!state.openRuns[command.run]) return yield* new RunNotFound({ run: command.run })
  return finishEvents(command)
})

/** A run recorded whole, for a call refused before it went upstream: StartRun and FinishRun in one append. */
export class RecordRun extends Schema.TaggedClass<RecordRun>()("RecordRun", {
  ...RunStarted.fields.data.fields,
  ...RunFinished.fields.data.fields,
  spans: Schema.Array(Span)
}) {}

export const decideRecordRun = Effect.fnUntraced(function* (state: WorkspaceState, command: RecordRun, slug: string) {
  const started = yield* decideStartRun(state, new StartRun(openingOf(command)), slug)
  return [...started, ...finishEvents(command)]
})
