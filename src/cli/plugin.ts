// `berth plugin install|refresh|list|remove`: the upstream MCP servers a workspace exposes. The plane
// connects to the upstream and discovers its tools on install and refresh; these report what it found.
import { Effect } from "effect"
import { Argument, Command, Flag } from "effect/cli"
import { lastArgument, shellWord } from "../admin/shell-word.ts"
import { call } from "./client.ts"
import { type CommandResult, mutate, mutationFlags, sendCommand } from "./mutation.ts"
import { printJson, printLine, printTable } from "./output.ts"
import { jsonOutput, targetWorkspace } from "./root.ts"

const pluginName = Argument.String("name").pipe(Argument.withDescription("Plugin name; its tools appear as <name>__<tool>"))

const eventsOf = (result: CommandResult, type: string) => result.events.filter((e) => e.type === type)

/** How many tools the plane's discovery found, or null when it recorded none (a replay of nothing). */
const discoveredTools = (result: CommandResult) => {
  const found = eventsOf(result, "ToolsDiscovered")
  return found.length === 0 ? null : found.reduce((n, e) => n + (e.data.tools as ReadonlyArray<unknown>).length, 0)
}

/**
 * One line per tool, prompt or resource a refresh quarantined, each with the command that approves it
 * again. Their names are the upstream's words, so each is written as one shell word (shell-word.ts),
 * both where the line names it and in its command: bare when plain, else quoted and with line breaks
 * and control characters escaped, so a name can neither forge a line of the report nor pass text that
 * looks like a command of its own off as the report's.
 */
export const quarantineReport = (plugin: string, result: CommandResult): ReadonlyArray<string> => [
  ...eventsOf(result, "ToolQuarantined").map(({ data }) => {
    const tool = String(data.tool)
    return `quarantined ${shellWord(tool)}: ${String(data.reason)} (approve again: berth tool approve ${shellWord(tool)})`
  }),
  ...eventsOf(result, "PromptQuarantined").map(({ data }) => {
    const prompt = String(data.prompt)
    return `quarantined prompt ${shellWord(prompt)}: ${String(data.reason)} (approve again: berth prompt approve ${plugin} ${lastArgument(prompt)})`
  }),
  ...eventsOf(result, "ResourceQuarantined").map(({ data }) => {
    const uri = String(data.uri)
    return `quarantined resource ${shellWord(uri)}: ${String(data.reason)} (approve again: berth resource approve ${plugin} ${lastArgument(uri)})`
  })
]

const plural = (n: number, noun: string) => `${n} ${noun}${n === 1 ? "" : "s"}`

const seqNote = (result: CommandResult) =>
  result.replayed ? " (replayed: this idempotency key was already used; nothing appended)" : ` (seq ${result.seq})`

const install = Command.make(
  "install",
  {
    name: pluginName,
    url: Flag.String("url").pipe(Flag.withDescription("The upstream MCP endpoint (http:// or https://)")),
    transport: Flag.Literals("transport", ["streamable-http", "sse"]).pipe(
      Flag.withDescription("How to speak to the upstream"),
      Flag.withDefault("streamable-http")
    ),
    auth: Flag.Literals("auth", ["none", "bearer", "oauth"]).pipe(
      Flag.withDescription("How the upstream authenticates callers"),
      Flag.withDefault("none")
    ),
    review: Flag.Boolean("review").pipe(
      Flag.withDescription("Leave the discovered tools unapproved until `berth tool approve`"),
      Flag.withDefault(false)
    ),
    ...mutationFlags
  },
  Effect.fn(function* ({ name, url, transport, auth, review, ...options }) {
    const fields = { plugin: name, url, transport, auth, ...(review ? { review } : {}) }
    const { result } = yield* sendCommand("InstallPlugin", fields, options)
    if (yield* jsonOutput) return yield* printJson(result)
    yield* printLine(`installed plugin ${name} (${url})${seqNote(result)}`)
    const tools = discoveredTools(result)
    const approved = eventsOf(result, "ToolApproved").length
    // An OAuth upstream refuses discovery until a credential is connected: the plane recorded it undiscovered.
    if (tools === null && auth === "oauth")
      return yield* printLine(
        `not discovered yet: the upstream wants OAuth. Connect a credential with 'berth credential connect <name> --plugin ${name}', ` +
          `grant it with 'berth credential grant <name> --plugin ${name}', then 'berth plugin refresh ${name}'`
      )
    if (tools === null) return
    if (tools === 0) return yield* printLine("discovered 0 tools")
    if (approved === tools) return yield* printLine(`discovered ${plural(tools, "tool")}; all approved`)
    yield* printLine(`discovered ${plural(tools, "tool")}; ${approved === 0 ? "none" : approved} approved`)
    yield* printLine(`review them with 'berth tool list' and approve each with 'berth tool approve ${name}__<tool>'`)
  })
).pipe(
  Command.withDescription("Connect to an MCP server, discover its tools and install it as a plugin"),
  Command.withExamples([
    { command: "berth -w acme plugin install everything --url http://localhost:3001/mcp", description: "No auth, streamable HTTP" },
    { command: "berth -w acme plugin install gh --url https://api.example.com/mcp --auth oauth", description: "An OAuth upstream" },
    { command: "berth -w acme plugin install gh --url https://api.example.com/mcp --review", description: "Approve its tools later" }
  ])
)

const refresh = Command.make(
  "refresh",
  { name: pluginName, ...mutationFlags },
  Effect.fn(function* ({ name, ...options }) {
    const { result } = yield* sendCommand("RefreshPlugin", { plugin: name }, options)
    if (yield* jsonOutput) return yield* printJson(result)
    const tools = discoveredTools(result) ?? 0
    yield* printLine(`refreshed plugin ${name}: discovered ${plural(tools, "tool")}${seqNote(result)}`)
    // The first discovery of a plugin installed without one approves, as the install would have.
    const approved = eventsOf(result, "ToolApproved").length
    if (approved > 0) return yield* printLine(`first discovery: ${approved === tools ? "all" : approved} approved`)
    const lines = quarantineReport(name, result)
    if (lines.length === 0) return yield* printLine("no approved tool, prompt or resource changed")
    for (const line of lines) yield* printLine(line)
  })
).pipe(
  Command.withDescription("Rediscover a plugin's tools, prompts and resources; an approved one whose definition changed is quarantined"),
  Command.withExamples([{ command: "berth -w acme plugin refresh gh", description: "Check gh for changed tools, prompts and resources" }])
)

interface PluginList {
  readonly plugins: ReadonlyArray<{
    readonly plugin: string
    readonly url: string
    readonly transport: string
    readonly auth: string
    readonly installedAt: string
    readonly tools: number
  }>
}

const list = Command.make(
  "list",
  {},
  Effect.fn(function* () {
    const result = (yield* call({ _tag: "ListPlugins", workspace: yield* targetWorkspace })) as PluginList
    if (yield* jsonOutput) return yield* printJson(result)
    yield* printTable(
      ["PLUGIN", "TRANSPORT", "AUTH", "TOOLS", "URL"],
      result.plugins.map((p) => [p.plugin, p.transport, p.auth, String(p.tools), p.url]),
      "no plugins (berth plugin install <name> --url <mcp-url>)"
    )
  })
).pipe(Command.withDescription("List installed plugins"))

const remove = Command.make(
  "remove",
  { name: pluginName, ...mutationFlags },
  Effect.fn(function* ({ name, ...options }) {
    yield* mutate("RemovePlugin", { plugin: name }, options, `removed plugin ${name}`)
  })
).pipe(Command.withDescription("Remove a plugin and its tools"))

export const plugin = Command.make("plugin").pipe(
  Command.withDescription("Install and manage MCP plugins"),
  Command.withSubcommands([install, refresh, list, remove])
)
