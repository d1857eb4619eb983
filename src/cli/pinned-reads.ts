// `berth prompt list|approve` and `berth resource list|approve`: a plugin's prompts and resources,
// pinned at discovery by their definition's hash (src/mcp/pinned-reads.ts). A refresh quarantines an
// approved one whose definition changed, until it is approved again. Both kinds take one shape.
import { Effect } from "effect"
import { Argument, Command } from "effect/cli"
import { call } from "./client.ts"
import { mutate, mutationFlags } from "./mutation.ts"
import { clip, printJson, printTable } from "./output.ts"
import { jsonOutput, targetWorkspace } from "./root.ts"

type Row = { readonly plugin: string; readonly status: string; readonly hash: string } & Readonly<Record<string, unknown>>

interface Kind {
  /** The command's name and the noun in its messages. */
  readonly noun: "prompt" | "resource"
  readonly query: "ListPrompts" | "ListResources"
  readonly approveTag: "ApprovePrompt" | "ApproveResource"
  /** The field that names one within its plugin, and how `approve` describes the argument. */
  readonly id: "prompt" | "uri"
  readonly idHelp: string
  /** The table's last column: a prompt's description, a resource's name. */
  readonly detail: readonly [header: string, of: (row: Row) => string]
  readonly example: string
}

const commandFor = (kind: Kind) => {
  const list = Command.make(
    "list",
    {},
    Effect.fn(function* () {
      const result = (yield* call({ _tag: kind.query, workspace: yield* targetWorkspace })) as Record<string, ReadonlyArray<Row>>
      if (yield* jsonOutput) return yield* printJson(result)
      yield* printTable(
        ["PLUGIN", kind.id.toUpperCase(), "STATUS", "HASH", kind.detail[0]],
        // The id is never clipped: it is what `approve` takes.
        result[`${kind.noun}s`]!.map((r) => [r.plugin, String(r[kind.id]), r.status, r.hash.slice(0, 12), clip(kind.detail[1](r), 60)]),
        `no pinned ${kind.noun}s (a plugin's are pinned when it is installed or refreshed)`
      )
    })
  ).pipe(Command.withDescription(`List plugins' pinned ${kind.noun}s with their approval status and definition hash`))

  const approve = Command.make(
    "approve",
    {
      plugin: Argument.String("plugin").pipe(Argument.withDescription("The plugin that offers it")),
      id: Argument.String(kind.id).pipe(Argument.withDescription(kind.idHelp)),
      ...mutationFlags
    },
    Effect.fn(function* ({ plugin, id, ...options }) {
      yield* mutate(kind.approveTag, { plugin, [kind.id]: id }, options, `approved ${kind.noun} ${id} of plugin ${plugin}`)
    })
  ).pipe(
    Command.withDescription(`Approve a quarantined ${kind.noun} at its current definition`),
    Command.withExamples([{ command: kind.example, description: "Let agents see and use it again" }])
  )

  return Command.make(kind.noun).pipe(
    Command.withDescription(`Review and approve plugin ${kind.noun}s`),
    Command.withSubcommands([list, approve])
  )
}

export const prompt = commandFor({
  noun: "prompt",
  query: "ListPrompts",
  approveTag: "ApprovePrompt",
  id: "prompt",
  idHelp: "The prompt's name, as the plugin names it",
  detail: ["DESCRIPTION", (r) => String(r.description ?? "-")],
  example: "berth -w acme prompt approve gh triage"
})

export const resource = commandFor({
  noun: "resource",
  query: "ListResources",
  approveTag: "ApproveResource",
  id: "uri",
  idHelp: "The resource's URI, as the plugin names it",
  detail: ["NAME", (r) => String(r.name)],
  example: "berth -w acme resource approve gh repo://acme/readme"
})
