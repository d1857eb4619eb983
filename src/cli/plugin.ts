// `berth plugin install|list|remove`: the upstream MCP servers a workspace exposes.
import { Effect } from "effect"
import { Argument, Command, Flag } from "effect/cli"
import { call } from "./client.ts"
import { mutate, mutationFlags } from "./mutation.ts"
import { printJson, printTable } from "./output.ts"
import { jsonOutput, targetWorkspace } from "./root.ts"

const pluginName = Argument.String("name").pipe(Argument.withDescription("Plugin name; its tools appear as <name>__<tool>"))

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
    ...mutationFlags
  },
  Effect.fn(function* ({ name, url, transport, auth, ...options }) {
    yield* mutate("InstallPlugin", { plugin: name, url, transport, auth }, options, `installed plugin ${name} (${url})`)
  })
).pipe(
  Command.withDescription("Install an MCP server as a plugin"),
  Command.withExamples([
    { command: "berth -w acme plugin install everything --url http://localhost:3001/mcp", description: "No auth, streamable HTTP" },
    { command: "berth -w acme plugin install gh --url https://api.example.com/mcp --auth oauth", description: "An OAuth upstream" }
  ])
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
  Command.withSubcommands([install, list, remove])
)
