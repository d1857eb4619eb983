// `berth runs`: the workspace's recent tool calls, newest first, filtered by agent, tool or status.
import { Effect } from "effect"
import { Command, Flag } from "effect/cli"
import { call, optionalField } from "./client.ts"
import { printJson, printTable } from "./output.ts"
import { jsonOutput, targetWorkspace } from "./root.ts"

import type { RunSummary } from "../runs/run-summary.ts"


export const runs = Command.make(
  "runs",
  {
    agent: Flag.String("agent").pipe(Flag.withDescription("Only this agent's runs"), Flag.optional),
    tool: Flag.String("tool").pipe(Flag.withDescription("Only runs of this tool (<plugin>__<tool>)"), Flag.optional),
    status: Flag.Literals("status", ["ok", "error", "denied", "open"]).pipe(
      Flag.withDescription("Only runs that ended so (open: not finished)"),
      Flag.optional
    ),
    limit: Flag.Int("limit").pipe(Flag.withDescription("At most this many runs, 1 to 1000 (default 50)"), Flag.optional)
  },
  Effect.fn(function* ({ agent, tool, status, limit }) {
    const query = {
      _tag: "ListRuns",
      workspace: yield* targetWorkspace,
      ...optionalField("agent", agent),
      ...optionalField("tool", tool),
      ...optionalField("status", status),
      ...optionalField("limit", limit)
    }
    const result = (yield* call(query)) as { readonly runs: ReadonlyArray<RunSummary> }
    if (yield* jsonOutput) return yield* printJson(result)
    yield* printTable(
      ["RUN", "STARTED", "AGENT", "TOOL", "STATUS", "MS"],
      result.runs.map((r) => [r.run, r.startedAt, r.agent, r.tool, r.status, r.durationMs === null ? "-" : String(r.durationMs)]),
      "no runs (agents call tools through /w/<workspace>/mcp)"
    )
  })
).pipe(
  Command.withDescription("List tool-call runs, newest first (see one with berth run show <run>)"),
  Command.withExamples([
    { command: "berth -w acme runs --agent triage-bot --status denied", description: "A bot's refused calls" },
    { command: "berth -w acme runs --limit 500 --json | jq -r '.runs[].run'", description: "Run ids for a script" }
  ])
)
