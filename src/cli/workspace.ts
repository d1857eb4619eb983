// `berth workspace create|list|capture`: workspaces themselves. `create` takes the slug as its argument,
// not from -w, because the workspace does not exist yet.
import { Effect } from "effect"
import { Argument, Command } from "effect/cli"
import { call } from "./client.ts"
import { mutate, mutationFlags, reportCommand, sendCommand } from "./mutation.ts"
import { printJson, printTable } from "./output.ts"
import { jsonOutput } from "./root.ts"

const create = Command.make(
  "create",
  { slug: Argument.String("slug").pipe(Argument.withDescription("The new workspace's slug")), ...mutationFlags },
  Effect.fn(function* ({ slug, ...options }) {
    const { result } = yield* sendCommand("CreateWorkspace", {}, options, slug)
    yield* reportCommand(result, `created workspace ${slug}`)
  })
).pipe(
  Command.withDescription("Create a workspace"),
  Command.withExamples([{ command: "berth workspace create acme", description: "Create the workspace acme" }])
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
      Argument.withDescription("on: runs record tool arguments and results (secret-like keys redacted); off: size and sha256 only")
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

export const workspace = Command.make("workspace").pipe(
  Command.withDescription("Create and list workspaces, and set workspace-wide options"),
  Command.withSubcommands([create, list, capture])
)
