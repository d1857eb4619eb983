// `berth workspace create|list`: workspaces themselves. `create` takes the slug as its argument,
// not from -w, because the workspace does not exist yet.
import { Effect } from "effect"
import { Argument, Command } from "effect/cli"
import { call } from "./client.ts"
import { mutationFlags, reportCommand, sendCommand } from "./mutation.ts"
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

export const workspace = Command.make("workspace").pipe(
  Command.withDescription("Create and list workspaces"),
  Command.withSubcommands([create, list])
)
