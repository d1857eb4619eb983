// The run commands, given/when/then: a call that goes upstream starts its run (StartRun) and
// finishes it with its spans (FinishRun); a call refused before it left records the whole run at
// once (RecordRun), as the same events.
import { describe, expect, it } from "vitest"
import { event } from "../../events/index.ts"
import { AgentNotFound } from "../../src/agent/errors.ts"
import { FinishRun, RecordRun, StartRun } from "../../src/runs/commands.ts"
import { RunAlreadyStarted, RunNotFound } from "../../src/runs/errors.ts"
import { WorkspaceNotFound } from "../../src/workspace/errors.ts"
import { given, refusal } from "../workspace/decider-spec.ts"
import { agentRegistered, runFinished, runStarted, workspaceCreated } from "../workspace/events.ts"

const opening = { run: "r1", traceId: "trace-r1", agent: "bot", tool: "gh__search", argsHash: "c".repeat(64), argsSize: 17 }
const span = (name: string) => ({
  traceId: "a".repeat(32),
  spanId: "b".repeat(16),
  name,
  start: "2026-11-01T09:00:00.000Z",
  end: "2026-11-01T09:00:00.012Z",
  status: { code: "error" as const, message: "denied" },
  attributes: { "berth.decision": "deny" }
})
const spanRecorded = (run: string, name: string) => event("SpanRecorded", { run, span: span(name) })
const docked = [workspaceCreated(), agentRegistered("bot")]

describe("StartRun", () => {
  it("starts a run for a registered agent", () => given(...docked).when(new StartRun(opening)).then(runStarted("r1")))

  it("refuses an agent that is not registered", () =>
    given(workspaceCreated()).when(new StartRun(opening)).thenFails(AgentNotFound, { agent: "bot" }))

  it("refuses a run that is already open", () =>
    given(...docked, runStarted("r1")).when(new StartRun(opening)).thenFails(RunAlreadyStarted, { run: "r1" }))

  it("refuses before the workspace exists", () => given().when(new StartRun(opening)).thenFails(WorkspaceNotFound, { workspace: "acme" }))
})

describe("FinishRun", () => {
  it("finishes an open run with its spans, then RunFinished", () =>
    given(...docked, runStarted("r1"))
      .when(new FinishRun({ run: "r1", status: "denied", durationMs: 12, spans: [span("tools/call"), span("authorize")] }))
      .then(spanRecorded("r1", "tools/call"), spanRecorded("r1", "authorize"), runFinished("r1", "denied")))

  it("refuses a run that is not open, or already finished", () => {
    given(...docked).when(new FinishRun({ run: "r1", status: "ok", durationMs: 1, spans: [] })).thenFails(RunNotFound, { run: "r1" })
    given(...docked, runStarted("r1"), runFinished("r1"))
      .when(new FinishRun({ run: "r1", status: "ok", durationMs: 1, spans: [] }))
      .thenFails(RunNotFound, { run: "r1" })
  })
})

describe("RecordRun", () => {
  it("records a whole run in one append: the events StartRun and FinishRun would append", () =>
    given(...docked)
      .when(new RecordRun({ ...opening, status: "denied", durationMs: 12, spans: [span("tools/call"), span("authorize")] }))
      .then(runStarted("r1"), spanRecorded("r1", "tools/call"), spanRecorded("r1", "authorize"), runFinished("r1", "denied")))

  it("refuses what StartRun refuses: an unknown agent, an open run", () => {
    given(workspaceCreated())
      .when(new RecordRun({ ...opening, status: "denied", durationMs: 1, spans: [] }))
      .thenFails(AgentNotFound, { agent: "bot" })
    given(...docked, runStarted("r1"))
      .when(new RecordRun({ ...opening, status: "denied", durationMs: 1, spans: [] }))
      .thenFails(RunAlreadyStarted, { run: "r1" })
  })
})

describe("run command Schemas", () => {
  it("RecordRun needs what StartRun and FinishRun need, and names the missing field", () => {
    const { status: _status, ...withoutStatus } = { _tag: "RecordRun", ...opening, status: "denied", durationMs: 1, spans: [] }
    expect(refusal(withoutStatus)).toMatchObject({ field: "status" })
    const { argsHash: _argsHash, ...withoutArgsHash } = { _tag: "RecordRun", ...opening, status: "denied", durationMs: 1, spans: [] }
    expect(refusal(withoutArgsHash)).toMatchObject({ field: "argsHash" })
  })
})
