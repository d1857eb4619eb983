// The `berth` root command and the flags every subcommand inherits (-w/--workspace, --json).
// Subcommands read them with `yield* root`; main.ts attaches the subcommands.
import { Effect, Option } from "effect"
import { Command, Flag } from "effect/cli"
import { UsageError } from "./errors.ts"
import { CliIo } from "./io.ts"

export const root = Command.make("berth").pipe(
  Command.withSharedFlags({
    workspace: Flag.String("workspace").pipe(
      Flag.withAlias("w"),
      Flag.withDescription("Workspace slug (default: $BERTH_WORKSPACE)"),
      Flag.optional
    ),
    json: Flag.Boolean("json").pipe(Flag.withDescription("Machine output (JSON; NDJSON for events)"), Flag.withDefault(false))
  }),
  Command.withDescription(
    "Administer a Berth plane over POST /admin/rpc. Reads BERTH_URL (default http://localhost:8787), " +
      "BERTH_ADMIN_TOKEN (else the member's berth login for that URL, else for a local plane .dev.vars in the current directory) and BERTH_WORKSPACE."
  )
)

export const jsonOutput = Effect.gen(function* () {
  return (yield* root).json
})

/** The workspace a command acts on: -w/--workspace, else BERTH_WORKSPACE. */
export const targetWorkspace = Effect.gen(function* () {
  const flags = yield* root
  const io = yield* CliIo
  const workspace = Option.getOrUndefined(flags.workspace) ?? io.env.BERTH_WORKSPACE
  if (!workspace) return yield* new UsageError({ reason: "no workspace: pass -w/--workspace <slug> or set BERTH_WORKSPACE" })
  return workspace
})
