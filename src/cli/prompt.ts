// `berth prompt list|approve`: a plugin's prompts, pinned at discovery by their definition's hash. A
// refresh quarantines an approved prompt whose definition changed, until it is approved again.
import { Effect } from "effect"
import { Argument, Command } from "effect/cli"
import { call } from "./client.ts"
import { mutate, mutationFlags } from "./mutation.ts"
import { clip, printJson, printTable } from "./output.ts"
import { jsonOutput, targetWorkspace } from "./root.ts"

interface PromptList {
  readonly prompts: ReadonlyArray<{
    readonly plugin: string
    readonly prompt: string
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
    const result = (yield* call({ _tag: "ListPrompts", workspace: yield* targetWorkspace })) as PromptList
    if (yield* jsonOutput) return yield* printJson(result)
    yield* printTable(
      ["PLUGIN", "PROMPT", "STATUS", "HASH", "DESCRIPTION"],
      result.prompts.map((p) => [p.plugin, p.prompt, p.status, p.hash.slice(0, 12), clip(p.description ?? "-", 60)]),
      "no pinned prompts (a plugin's are pinned when it is installed or refreshed)"
    )
  })
).pipe(Command.withDescription("List plugins' pinned prompts with their approval status and definition hash"))

const approve = Command.make(
  "approve",
  {
    plugin: Argument.String("plugin").pipe(Argument.withDescription("The plugin that offers it")),
    prompt: Argument.String("prompt").pipe(Argument.withDescription("The prompt's name, as the plugin names it")),
    ...mutationFlags
  },
  Effect.fn(function* ({ plugin, prompt, ...options }) {
    yield* mutate("ApprovePrompt", { plugin, prompt }, options, `approved prompt ${prompt} of plugin ${plugin}`)
  })
).pipe(
  Command.withDescription("Approve a quarantined prompt at its current definition"),
  Command.withExamples([{ command: "berth -w acme prompt approve gh triage", description: "Let agents list and get it again" }])
)

export const prompt = Command.make("prompt").pipe(
  Command.withDescription("Review and approve plugin prompts"),
  Command.withSubcommands([list, approve])
)
