// `berth connect -w acme`: a stdio MCP server for local clients that speak only stdio, bridged to
// the workspace's hosted endpoint (connect/bridge.ts). stdout carries MCP and nothing else; what
// the adapter has to say goes to stderr. It signs in with BERTH_AGENT_KEY from its environment, or
// else with OAuth 2.1 through the browser (connect/oauth.ts), whose tokens it keeps and refreshes.
import { StdioServerTransport } from "@modelcontextprotocol/server/stdio"
import { Effect, Option } from "effect"
import { Command, Flag } from "effect/cli"
import { planeUrl } from "./client.ts"
import { Bridge } from "./connect/bridge.ts"
import { connectOAuth } from "./connect/oauth.ts"
import { UsageError } from "./errors.ts"
import { CliIo } from "./io.ts"
import { printable } from "./output.ts"
import { targetWorkspace } from "./root.ts"

/** The hosted endpoint of a workspace, or one plugin's own mount under it. */
const mcpEndpoint = (plane: string, workspace: string, plugin?: string) =>
  new URL(`${plane}/w/${encodeURIComponent(workspace)}/mcp${plugin === undefined ? "" : `/${encodeURIComponent(plugin)}`}`)

export const connect = Command.make(
  "connect",
  {
    plugin: Flag.String("plugin").pipe(
      Flag.withDescription("Relay to this plugin's own mount (/w/<workspace>/mcp/<plugin>): its tools, resources and prompts under the upstream's own names"),
      Flag.optional
    ),
    retrySeconds: Flag.Int("retry-seconds").pipe(
      Flag.withDescription("How long a message is retried while the plane cannot be reached (it restarted, or is not up yet) before the request is answered with an error"),
      Flag.withDefault(30)
    )
  },
  Effect.fn(function* ({ plugin, retrySeconds }) {
    const io = yield* CliIo
    if (retrySeconds < 0 || retrySeconds > 3600) return yield* new UsageError({ reason: `--retry-seconds must be from 0 to 3600, got ${retrySeconds}` })
    const plane = planeUrl(io)
    if (typeof plane !== "string") return yield* plane
    const workspace = yield* targetWorkspace
    const url = mcpEndpoint(plane, workspace, Option.getOrUndefined(plugin))
    // A line may quote the plane's errors and the client's own name: shown, never acted on by the terminal.
    const log = (line: string) => void io.stderr.write(`berth connect: ${printable(line)}\n`)
    const key = io.env.BERTH_AGENT_KEY?.trim()
    const oauth = key ? undefined : connectOAuth({ endpoint: url, env: io.env, log })
    const bridge = new Bridge({
      url,
      local: new StdioServerTransport(process.stdin, process.stdout),
      remote: {
        ...(io.fetch === globalThis.fetch ? {} : { fetch: io.fetch }),
        ...(key ? { requestInit: { headers: { authorization: `Bearer ${key}` } } } : { authProvider: oauth!.provider })
      },
      retryMs: retrySeconds * 1000,
      log,
      onClient: ({ name, version }) => {
        log(`local client: ${JSON.stringify(name)}${version === undefined ? "" : ` ${JSON.stringify(version)}`}`)
        oauth?.forClient(name)
      },
      ...(oauth ? { authorize: oauth.authorize } : {})
    })
    log(`relaying stdio to ${url.href} (${key ? "agent key from BERTH_AGENT_KEY" : "OAuth sign-in"})`)
    yield* Effect.acquireUseRelease(
      Effect.promise(() => bridge.start()),
      () => Effect.promise(() => bridge.closed),
      () => Effect.promise(() => bridge.close()).pipe(Effect.andThen(Effect.sync(() => oauth?.close())))
    )
  })
).pipe(
  Command.withDescription(
    "A stdio MCP server that relays a local client to the workspace's hosted endpoint; signs in with BERTH_AGENT_KEY, or else OAuth in the browser. Logs go to stderr"
  ),
  Command.withExamples([
    { command: "BERTH_AGENT_KEY=… berth -w acme connect", description: "As the agent the key names" },
    { command: "berth -w acme connect", description: "Signs in through the browser the first time, then reuses the cached token" },
    { command: "BERTH_AGENT_KEY=… berth -w acme connect --plugin github", description: "One plugin, under its own tool names" }
  ])
)
