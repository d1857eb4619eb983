// `berth projection rebuild d1 [--workspace W]`: rebuilds the D1 read models from the logs, one
// workspace at a time (all of them without -w), with progress on stderr. `projection status`
// shows how far D1 and the archive trail a workspace's log.
import { Effect, Option } from "effect"
import { Argument, Command } from "effect/cli"
import type { ProjectionLag, Projections } from "../fanout/status.ts"
import { call } from "./client.ts"
import { RebuildStalled } from "./errors.ts"
import { CliIo } from "./io.ts"
import { printJson, printLine } from "./output.ts"
import { progress } from "./progress.ts"
import { jsonOutput, root, targetWorkspace } from "./root.ts"

const BATCH = 1000
/** A push that fails this many times in a row ends the rebuild (D1 is down; the alarm keeps trying). */
const MAX_FAILURES = 5

const rebuild = Command.make(
  "rebuild",
  { projection: Argument.Literals("projection", ["d1"]).pipe(Argument.withDescription("Which projection (d1: the read models)")) },
  Effect.fn(function* () {
    const io = yield* CliIo
    const json = yield* jsonOutput
    const chosen = Option.getOrUndefined((yield* root).workspace)
    const workspaces = chosen
      ? [chosen]
      : ((yield* call({ _tag: "ListWorkspaces" })) as { workspaces: ReadonlyArray<{ workspace: string }> }).workspaces.map((w) => w.workspace)
    const results: Array<{ workspace: string; events: number }> = []
    for (const workspace of workspaces) {
      const bar = progress(io.stderr, workspace, json)
      let lag = (yield* call({ _tag: "ResetReadModels", workspace })) as ProjectionLag
      let failures = 0
      while (lag.lag > 0) {
        const before = lag.cursor
        lag = (yield* call({ _tag: "PushReadModels", workspace, maxEvents: BATCH })) as ProjectionLag
        if (lag.cursor === before) {
          if (++failures >= MAX_FAILURES) return yield* new RebuildStalled({ workspace, cursor: lag.cursor, reason: lag.lastError ?? "no progress" })
          yield* Effect.sleep(`${Math.min(5_000, 250 * 2 ** failures)} millis`)
        } else failures = 0
        bar.update(lag.cursor, lag.head, "events")
      }
      bar.done(`${workspace}: rebuilt ${lag.head} events into D1`)
      results.push({ workspace, events: lag.head })
    }
    if (json) return yield* printJson({ rebuilt: results })
    if (results.length === 0) yield* printLine("no workspaces to rebuild")
  })
).pipe(
  Command.withDescription("Rebuild a projection from the workspaces' logs: all workspaces, or only -w/--workspace"),
  Command.withExamples([
    { command: "berth projection rebuild d1", description: "Every workspace's read models" },
    { command: "berth projection rebuild d1 --workspace acme", description: "One workspace's" }
  ])
)

const status = Command.make(
  "status",
  {},
  Effect.fn(function* () {
    const workspace = yield* targetWorkspace
    const { projections } = (yield* call({ _tag: "GetState", workspace })) as { projections: Projections }
    if (yield* jsonOutput) return yield* printJson(projections)
    const line = (name: string, p: ProjectionLag, extra = "") =>
      `${name.padEnd(8)} lag ${p.lag}  cursor ${p.cursor}/${p.head}${extra}${p.lastError ? `  last error: ${p.lastError}` : ""}${p.nextAttemptAt ? `  retry at ${p.nextAttemptAt}` : ""}`
    yield* printLine(line("d1", projections.d1))
    yield* printLine(line("archive", projections.archive, `  segments ${projections.archive.segments}`))
  })
).pipe(Command.withDescription("Show how far the D1 read models and the R2 archive trail the workspace's log"))

export const projection = Command.make("projection").pipe(
  Command.withDescription("The async projections fed from each workspace's log: D1 read models and the R2 archive"),
  Command.withSubcommands([rebuild, status])
)
