// `berth resource list|approve`: a plugin's resources, pinned at discovery by their definition's hash.
// A refresh quarantines an approved resource whose definition changed, until it is approved again.
import { Effect } from "effect"
import { Argument, Command } from "effect/cli"
import { call } from "./client.ts"
import { mutate, mutationFlags } from "./mutation.ts"
import { clip, printJson, printTable } from "./output.ts"
import { jsonOutput, targetWorkspace } from "./root.ts"

interface ResourceList {
  readonly resources: ReadonlyArray<{
    readonly plugin: string
    readonly uri: string
    readonly name: string
    readonly status: "pending" | "approved" | "quarantined"
    readonly hash: string
    readonly approvedHash?: string
    readonly description?: string
  }>
}

const list = Command.make(
  "list",
  {},
  Effect.fn(function* () {
    const result = (yield* call({ _tag: "ListResources", workspace: yield* targetWorkspace })) as ResourceList
    if (yield* jsonOutput) return yield* printJson(result)
    yield* printTable(
      ["PLUGIN", "URI", "STATUS", "HASH", "NAME"],
      result.resources.map((r) => [r.plugin, clip(r.uri, 60), r.status, r.hash.slice(0, 12), clip(r.name, 40)]),
      "no pinned resources (a plugin's are pinned when it is installed or refreshed)"
    )
  })
).pipe(Command.withDescription("List plugins' pinned resources with their approval status and definition hash"))

const approve = Command.make(
  "approve",
  {
    plugin: Argument.String("plugin").pipe(Argument.withDescription("The plugin that offers it")),
    uri: Argument.String("uri").pipe(Argument.withDescription("The resource's URI, as the plugin names it")),
    ...mutationFlags
  },
  Effect.fn(function* ({ plugin, uri, ...options }) {
    yield* mutate("ApproveResource", { plugin, uri }, options, `approved resource ${uri} of plugin ${plugin}`)
  })
).pipe(
  Command.withDescription("Approve a quarantined resource at its current definition"),
  Command.withExamples([{ command: "berth -w acme resource approve gh repo://acme/readme", description: "Let agents list and read it again" }])
)

export const resource = Command.make("resource").pipe(
  Command.withDescription("Review and approve plugin resources"),
  Command.withSubcommands([list, approve])
)
