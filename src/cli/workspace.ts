// `berth workspace create|list|capture|retention`: workspaces themselves. `create` takes the slug as its argument,
// not from -w, because the workspace does not exist yet.
import { Effect, Option } from "effect"
import { Argument, Command, Flag } from "effect/cli"
import { call, optionalField } from "./client.ts"
import { UsageError } from "./errors.ts"
import { mutate, mutationFlags, reportCommand, sendCommand } from "./mutation.ts"
import { printJson, printTable } from "./output.ts"
import { jsonOutput } from "./root.ts"

const create = Command.make(
  "create",
  {
    slug: Argument.String("slug").pipe(Argument.withDescription("The new workspace's slug")),
    owner: Flag.String("owner").pipe(Flag.withDescription("A member who owns the workspace from the start"), Flag.optional),
    ...mutationFlags
  },
  Effect.fn(function* ({ slug, owner, ...options }) {
    const { result } = yield* sendCommand("CreateWorkspace", optionalField("owner", owner), options, slug)
    yield* reportCommand(result, `created workspace ${slug}`)
  })
).pipe(
  Command.withDescription("Create a workspace"),
  Command.withExamples([
    { command: "berth workspace create acme", description: "Create the workspace acme" },
    { command: "berth workspace create acme --owner ana@acme.dev", description: "Create it with ana@acme.dev as its owner" }
  ])
)

interface WorkspaceList {
  readonly workspaces: ReadonlyArray<{ readonly workspace: string; readonly createdAt: string }>
}

const list = Command.make(
  "list",
  {},
  Effect.fn(function* () {
    const result = (yield* call({ _tag: "ListWorkspaces" })) as WorkspaceList
    if (yield* jsonOutput) return yield* printJson(result)
    yield* printTable(
      ["WORKSPACE", "CREATED"],
      result.workspaces.map((w) => [w.workspace, w.createdAt]),
      "no workspaces yet (berth workspace create <slug>)"
    )
  })
).pipe(Command.withDescription("List the plane's workspaces"))

const capture = Command.make(
  "capture",
  {
    mode: Argument.Literals("mode", ["on", "off"]).pipe(
      Argument.withDescription("on: runs record tool arguments and results (secret-like keys, bearer tokens and JWTs redacted); off: size and sha256 only")
    ),
    ...mutationFlags
  },
  Effect.fn(function* ({ mode, ...options }) {
    yield* mutate("SetPayloadCapture", { enabled: mode === "on" }, options, `payload capture ${mode}`)
  })
).pipe(
  Command.withDescription("Turn payload capture for runs on or off (default off)"),
  Command.withExamples([{ command: "berth -w acme workspace capture on", description: "Record redacted arguments and results" }])
)

const retention = Command.make(
  "retention",
  {
    keepDays: Flag.Int("keep-days").pipe(
      Flag.withDescription("Keep log rows in the workspace this many days after they are sealed in the archive (0: prune as soon as sealed)"),
      Flag.optional
    ),
    off: Flag.Boolean("off").pipe(Flag.withDescription("Keep every row in the workspace (the default)"), Flag.withDefault(false)),
    ...mutationFlags
  },
  Effect.fn(function* ({ keepDays, off, ...options }) {
    if (off === Option.isSome(keepDays)) return yield* new UsageError({ reason: "pass either --keep-days N or --off" })
    const summary = Option.match(keepDays, { onNone: () => "retention off: every log row stays in the workspace", onSome: (d) => `retention: sealed rows older than ${d} days are pruned from the workspace (the archive keeps them)` })
    yield* mutate("SetRetention", Option.match(keepDays, { onNone: () => ({}), onSome: (d) => ({ keepDays: d }) }), options, summary)
  })
).pipe(
  Command.withDescription("Prune log rows from the workspace once they are sealed in the R2 archive and older than N days"),
  Command.withExamples([
    { command: "berth -w acme workspace retention --keep-days 30", description: "Keep a month of sealed history in the workspace" },
    { command: "berth -w acme workspace retention --off", description: "Keep everything (the default)" }
  ])
)

export const workspace = Command.make("workspace").pipe(
  Command.withDescription("Create and list workspaces, and set workspace-wide options"),
  Command.withSubcommands([create, list, capture, retention])
)
