// `berth tool list|approve`: the tools plugins expose, as `<plugin>__<tool>`. A tool is callable only
// once approved, and a refresh quarantines an approved tool whose definition changed until it is approved again.
import { Effect } from "effect"
import { Argument, Command } from "effect/cli"
import { call } from "./client.ts"
import { mutate, mutationFlags } from "./mutation.ts"
import { clip, printJson, printTable } from "./output.ts"
import { jsonOutput, targetWorkspace } from "./root.ts"

interface ToolList {
  readonly tools: ReadonlyArray<{
    readonly tool: string
    readonly plugin: string
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
    const result = (yield* call({ _tag: "ListTools", workspace: yield* targetWorkspace })) as ToolList
    if (yield* jsonOutput) return yield* printJson(result)
    yield* printTable(
      ["TOOL", "STATUS", "HASH", "DESCRIPTION"],
      result.tools.map((t) => [t.tool, t.status, t.hash.slice(0, 12), clip(t.description ?? "-", 60)]),
      "no tools (berth plugin install <name> --url <mcp-url>)"
    )
  })
).pipe(Command.withDescription("List tools with their approval status and definition hash"))

const approve = Command.make(
  "approve",
  {
    tool: Argument.String("tool").pipe(Argument.withDescription("Tool id, <plugin>__<tool>")),
    ...mutationFlags
  },
  Effect.fn(function* ({ tool, ...options }) {
    yield* mutate("ApproveTool", { tool }, options, `approved tool ${tool}`)
  })
).pipe(
  Command.withDescription("Approve a pending or quarantined tool at its current definition"),
  Command.withExamples([{ command: "berth -w acme tool approve gh__create_issue", description: "Let agents call it" }])
)

export const tool = Command.make("tool").pipe(
  Command.withDescription("Review and approve plugin tools"),
  Command.withSubcommands([list, approve])
)
