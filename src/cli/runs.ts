// `berth runs`: the workspace's recent tool calls, newest first, filtered by agent, tool or status.
import { Effect, Option } from "effect"
import { Command, Flag } from "effect/cli"
import type { RunSummary } from "../runs/run-summary.ts"
import { call, optionalField } from "./client.ts"
import { UsageError } from "./errors.ts"
import { printJson, printNote, printTable } from "./output.ts"
import { jsonOutput, root, targetWorkspace } from "./root.ts"

interface CrossRun extends RunSummary {
  readonly workspace: string
}

export const runs = Command.make(
  "runs",
  {
    agent: Flag.String("agent").pipe(Flag.withDescription("Only this agent's runs"), Flag.optional),
    tool: Flag.String("tool").pipe(Flag.withDescription("Only runs of this tool (<plugin>__<tool>)"), Flag.optional),
    status: Flag.Literals("status", ["ok", "error", "denied", "timeout", "open"]).pipe(
      Flag.withDescription("Only runs that ended so (open: not finished)"),
      Flag.optional
    ),
    limit: Flag.Int("limit").pipe(Flag.withDescription("At most this many runs, 1 to 1000 (default 50)"), Flag.optional),
    allWorkspaces: Flag.Boolean("all-workspaces").pipe(
      Flag.withDescription("Runs of every workspace, from the D1 read models (-w narrows to one)"),
      Flag.withDefault(false)
    ),
    since: Flag.String("since").pipe(Flag.withDescription("With --all-workspaces: runs started at or after this ISO-8601 time"), Flag.optional),
    until: Flag.String("until").pipe(Flag.withDescription("With --all-workspaces: runs started at or before this ISO-8601 time"), Flag.optional),
    cursor: Flag.String("cursor").pipe(Flag.withDescription("With --all-workspaces: the next page, as printed after the last one"), Flag.optional)
  },
  Effect.fn(function* ({ agent, tool, status, limit, allWorkspaces, since, until, cursor }) {
    if (allWorkspaces) {
      const flags = yield* root
      const query = {
        _tag: "QueryRuns",
        ...optionalField("workspace", flags.workspace),
        ...optionalField("agent", agent),
        ...optionalField("tool", tool),
        ...optionalField("status", status),
        ...optionalField("since", since),
        ...optionalField("until", until),
        ...optionalField("cursor", cursor),
        ...optionalField("limit", limit)
      }
      const result = (yield* call(query)) as { readonly runs: ReadonlyArray<CrossRun>; readonly next: string | null }
      if (yield* jsonOutput) return yield* printJson(result)
      yield* printTable(
        ["WORKSPACE", "RUN", "STARTED", "AGENT", "TOOL", "STATUS", "MS"],
        result.runs.map((r) => [r.workspace, r.run, r.startedAt, r.agent, r.tool, r.status, r.durationMs === null ? "-" : String(r.durationMs)]),
        "no runs in the read models (they trail the logs by the D1 lag; see berth projection status)"
      )
      if (result.next !== null) yield* printNote(`more: run it again with the same filters and --cursor ${result.next}`)
      return
    }
    if (Option.isSome(since) || Option.isSome(until) || Option.isSome(cursor))
      return yield* new UsageError({ reason: "--since, --until and --cursor need --all-workspaces" })
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
    { command: "berth -w acme runs --limit 500 --json | jq -r '.runs[].run'", description: "Run ids for a script" },
    { command: "berth runs --all-workspaces --status denied --since 2026-11-24T00:00:00Z", description: "Denied calls in every workspace since yesterday" }
  ])
)
