// The MCP server one agent sees, built per request (the SDK's factory runs per HTTP request in both
// protocol eras). A low-level Server, because Berth relays upstream results unchanged rather than
// re-validating them as McpServer would. It serves the whole workspace (`/w/{ws}/mcp`: Berth's own
// tools and every plugin's, namespaced) or one plugin under its own names (`/w/{ws}/mcp/{plugin}`);
// `Names` (namespacing.ts) is the only difference, so both go through the same pipeline.
import type { Client } from "@modelcontextprotocol/client"
import { ProtocolError, ProtocolErrorCode, Server, type ServerContext } from "@modelcontextprotocol/server"
import type { WorkspaceHost } from "./host.ts"
import { agentEra, type SendToAgent } from "./upstream-call.ts"
import { callTool } from "./call-tool.ts"
import { callOwner } from "./in-flight.ts"
import { callRunCode } from "./code-call.ts"
import { asMcpTool } from "./discover.ts"
import { authorizeMemory, authorizePluginRead, readableNamespaces, visibleTools } from "./authorize.ts"
import { callMemoryTool } from "./memory-call.ts"
import { recordedRead } from "./read-call.ts"
import { promptRefusal, resourceRefusal, showsPrompt, showsResource } from "./pinned-reads.ts"
import type { WorkspaceState } from "../../projections/state.ts"
import type { ResourceSubscriptions } from "./resource-subscriptions.ts"
import { watch, watchTarget } from "./resource-watch.ts"
import { isMemoryTool, memoryToolList } from "../memory/tools.ts"
import { workspaceLimits } from "../sandbox/limits.ts"
import { RUN_CODE, runCodeTool } from "../sandbox/tool.ts"
import { memoryUri, namespaced, type Names, splitMemoryUri, workspaceNames } from "./namespacing.ts"

const SERVER_INFO = { name: "berth", version: "0.1.0" }

type PluginRead = "read_resource" | "get_prompt"

/** The plugins this endpoint serves whose resources (or prompts) the agent's policies let it read. */
const readablePlugins = (host: WorkspaceHost, agent: string, action: PluginRead, names: Names) => {
  const state = host.state()
  return Object.entries(state.plugins)
    .filter(([plugin]) => names.plugin === undefined || plugin === names.plugin)
    .filter(([plugin]) => authorizePluginRead(state, host.policies(), agent, action, plugin).allow)
    .map(([plugin, p]) => ({ plugin, url: p.url, transport: p.transport }))
}

/** An installed plugin, for the pool; a name the workspace does not have is refused before any run. */
const installed = (host: WorkspaceHost, plugin: string) => {
  const p = host.state().plugins[plugin]
  if (!p) throw new ProtocolError(ProtocolErrorCode.InvalidParams, `no plugin '${plugin.slice(0, 64)}' in this workspace`)
  return { plugin, url: p.url, transport: p.transport }
}

/**
 * `session` and `subscriptions` for a 2025-era session (sessions.ts), whose stream can carry what an
 * agent subscribed to. The lists announce changes (endpoint.ts `listChanged`).
 */
export const agentServer = (
  host: WorkspaceHost,
  agent: string,
  names: Names = workspaceNames,
  session?: string,
  subscriptions?: ResourceSubscriptions
): Server => {
  // logging: upstream logs are relayed to the call they belong to (upstream-pool.ts, call-scope.ts).
  const server = new Server(SERVER_INFO, {
    capabilities: {
      tools: { listChanged: true },
      // A 2025 session subscribes with resources/subscribe, a 2026-07-28 agent in its subscriptions/listen filter (endpoint.ts).
      resources: { listChanged: true, subscribe: true },
      prompts: { listChanged: true },
      logging: {},
      completions: {}
    }
  })
  /** Berth's own tools and memory resources are the workspace's, not any plugin's. */
  const whole = names.plugin === undefined

  // A 2025-era agent's level outlives this per-request server; upstream logs below it are not relayed to it (upstream-call.ts).
  server.setRequestHandler("logging/setLevel", (request) => {
    host.logLevels.set(agent, request.params.level)
    return {}
  })

  // A 2025-era cancellation on the stateless path arrives in a request of its own, to a fresh server: find the call in the workspace.
  // In a session (sessions.ts), only that session's calls.
  server.setNotificationHandler("notifications/cancelled", (n) => void host.inFlight.cancel(callOwner(agent, session), n.params.requestId, n.params.reason))

  server.setRequestHandler("tools/list", () => {
    const visible = visibleTools(host.state(), host.policies(), agent).filter(([, tool]) => whole || tool.plugin === names.plugin)
    // Berth's own memory tools, for an active agent some policy lets use memory; each call is authorized per namespace.
    const facts = host.state().agents[agent]
    const active = whole && facts?.status === "active" ? { name: agent, owner: facts.owner, status: facts.status } : undefined
    const own = [
      ...(active && host.policies().mayUseMemory(active) ? memoryToolList() : []),
      // run_code, for an agent some policy lets submit code (src/sandbox).
      ...(active && host.policies().mayRunCode(active) ? [runCodeTool(workspaceLimits(host.state().workspace))] : [])
    ]
    return {
      tools: [
        ...own,
        // The upstream's definition as discovered (and pinned by its hash), under this endpoint's name for it.
        ...visible.map(([, tool]) => ({ ...asMcpTool(tool.definition), name: names.tool(tool.plugin, tool.name) }))
      ]
    }
  })

  // Requests relayed from the upstream go out on the agent's own request stream (2025 era).
  const send: SendToAgent = async (message, relatedTo) => {
    if (!server.transport) throw new ProtocolError(ProtocolErrorCode.InternalError, "the agent's request has already ended")
    await server.transport.send(message, { relatedRequestId: relatedTo })
  }
  server.setRequestHandler("tools/call", async (request, ctx) => {
    const { name } = request.params
    if (whole && isMemoryTool(name)) return callMemoryTool(host, agent, name, request.params)
    // The agent's own call carries the run, so that orbit.ai can ask it (sampling) while the run goes on.
    if (whole && name === RUN_CODE) return callRunCode(host, agent, request.params, ctx, send)
    // Policies, runs and rate limits know a tool by its workspace id, whatever this endpoint calls it.
    const target = names.splitTool(name)
    return callTool(host, agent, { ...request.params, name: target ? namespaced(target.plugin, target.name) : name }, ctx, send)
  })

  /** The memory entries this agent may read, as resources. */
  const memoryResources = () => {
    const mayRead = readableNamespaces(host.state(), host.policies(), agent)
    return host
      .memory()
      .list({ limit: 200 }, mayRead)
      .entries.map((e) => ({
        uri: memoryUri(e.namespace, e.key),
        name: `${e.namespace}/${e.key}`,
        mimeType: typeof e.value === "string" ? "text/plain" : "application/json",
        description: `Workspace memory, version ${e.version}${e.tags.length > 0 ? `, tagged ${e.tags.join(", ")}` : ""}`
      }))
  }

  /** Asks every plugin the agent may reach, through the pool, and concatenates the answers. */
  const fromEveryPlugin = async <T>(ctx: ServerContext, action: PluginRead, ask: (client: Client, plugin: string) => Promise<ReadonlyArray<T>>) =>
    (await Promise.all(readablePlugins(host, agent, action, names).map((ref) => host.pool.use({ ...ref, ...agentEra(ctx) }, (client) => ask(client, ref.plugin))))).flat()

  server.setRequestHandler("resources/list", async (_request, ctx) => ({
    resources: [
      ...(whole ? memoryResources() : []),
      ...(await fromEveryPlugin(ctx, "read_resource", async (client, plugin) =>
      client.getServerCapabilities()?.resources
        ? (await client.listResources()).resources.filter((r) => showsResource(host.state(), plugin, r)).map((r) => ({ ...r, uri: names.resource(plugin, r.uri) }))
        : []
      ))
    ]
  }))

  server.setRequestHandler("resources/templates/list", async (_request, ctx) => ({
    resourceTemplates: await fromEveryPlugin(ctx, "read_resource", async (client, plugin) =>
      client.getServerCapabilities()?.resources
        ? (await client.listResourceTemplates()).resourceTemplates.map((t) => ({ ...t, uriTemplate: names.template(plugin, t.uriTemplate) }))
        : []
    )
  }))

  server.setRequestHandler("resources/read", async (request, ctx) => {
    const entry = whole ? splitMemoryUri(request.params.uri) : undefined
    if (entry) {
      const decision = authorizeMemory(host.state(), host.policies(), agent, "read_memory", entry.namespace)
      if (!decision.allow) throw new ProtocolError(ProtocolErrorCode.InvalidRequest, `Berth refused this request: read_memory on Memory::"${entry.namespace}": ${decision.reason}`)
      const found = host.memory().get(entry.namespace, entry.key)
      if ("_tag" in found) throw new ProtocolError(ProtocolErrorCode.InvalidParams, found.message)
      const text = typeof found.value === "string" ? found.value : JSON.stringify(found.value)
      return { contents: [{ uri: request.params.uri, mimeType: typeof found.value === "string" ? "text/plain" : "application/json", text }] }
    }
    const target = names.splitResource(request.params.uri)
    if (!target) throw new ProtocolError(ProtocolErrorCode.InvalidParams, `'${request.params.uri}' is not a Berth resource URI (berth://{plugin}/{uri})`)
    const ref = { ...installed(host, target.plugin), ...agentEra(ctx, agent, host) }
    // A run of its own: authorized, rate-limited and recorded (read-call.ts).
    const read = { kind: "resource" as const, plugin: target.plugin, args: { uri: target.uri }, unpinned: (state: WorkspaceState) => resourceRefusal(state, target.plugin, target.uri) }
    const result = await recordedRead(host, agent, read, { ctx, send }, (signal) =>
      host.pool.use(ref, (client) => client.readResource({ uri: target.uri }, { signal }))
    )
    return { ...result, contents: result.contents.map((c) => ({ ...c, uri: names.resource(target.plugin, c.uri) })) }
  })

  /** Only a 2025 session has a stream to hear a subscription's updates on; a 2026-07-28 agent names resources in its listen filter. */
  const sessionOf = () => {
    if (session === undefined || subscriptions === undefined)
      throw new ProtocolError(ProtocolErrorCode.InvalidRequest, "resources/subscribe needs a 2025 session (Mcp-Session-Id): updates are sent on its stream")
    return { session, subscriptions }
  }

  server.setRequestHandler("resources/subscribe", async (request, ctx) => {
    const { session, subscriptions } = sessionOf()
    await watch(host, subscriptions, session, agent, names, request.params.uri, agentEra(ctx))
    return {}
  })

  server.setRequestHandler("resources/unsubscribe", async (request) => {
    const { session, subscriptions } = sessionOf()
    const target = watchTarget(host, names, request.params.uri)
    await subscriptions.remove(session, target.plugin, target.uri)
    return {}
  })

  server.setRequestHandler("prompts/list", async (_request, ctx) => ({
    prompts: await fromEveryPlugin(ctx, "get_prompt", async (client, plugin) =>
      client.getServerCapabilities()?.prompts
        ? (await client.listPrompts()).prompts.filter((p) => showsPrompt(host.state(), plugin, p)).map((p) => ({ ...p, name: names.tool(plugin, p.name) }))
        : []
    )
  }))

  server.setRequestHandler("prompts/get", async (request, ctx) => {
    const target = names.splitTool(request.params.name)
    if (!target) throw new ProtocolError(ProtocolErrorCode.InvalidParams, `'${request.params.name}' is not a Berth prompt name ({plugin}__{prompt})`)
    const ref = { ...installed(host, target.plugin), ...agentEra(ctx, agent, host) }
    const params = { name: target.name, ...(request.params.arguments ? { arguments: request.params.arguments } : {}) }
    const read = { kind: "prompt" as const, plugin: target.plugin, prompt: target.name, args: params, unpinned: (state: WorkspaceState) => promptRefusal(state, target.plugin, target.name) }
    return recordedRead(host, agent, read, { ctx, send }, (signal) =>
      host.pool.use(ref, (client) => client.getPrompt(params, { signal }))
    )
  })

  // Completion of a prompt's or a resource template's argument, asked of the plugin that serves it.
  server.setRequestHandler("completion/complete", async (request, ctx) => {
    const { ref } = request.params
    const isPrompt = ref.type === "ref/prompt"
    const named = isPrompt ? names.splitTool(ref.name) : names.splitResource(ref.uri)
    if (!named) throw new ProtocolError(ProtocolErrorCode.InvalidParams, `'${isPrompt ? ref.name : ref.uri}' names no plugin's ${isPrompt ? "prompt" : "resource template"}`)
    const upstreamRef = isPrompt ? { ...ref, name: (named as { name: string }).name } : { ...ref, uri: (named as { uri: string }).uri }
    const params = { ...request.params, ref: upstreamRef }
    const target = { ...installed(host, named.plugin), ...agentEra(ctx, agent, host) }
    // A run of its own, authorized as reading what it completes (read-call.ts).
    const read = {
      kind: "completion" as const,
      plugin: named.plugin,
      action: isPrompt ? ("get_prompt" as const) : ("read_resource" as const),
      args: params,
      // A prompt's arguments are completed only while the prompt may be got.
      ...(isPrompt ? { unpinned: (state: WorkspaceState) => promptRefusal(state, named.plugin, (named as { name: string }).name) } : {})
    }
    return recordedRead(host, agent, read, { ctx, send }, (signal) =>
      host.pool.use(target, (client) => {
        if (!client.getServerCapabilities()?.completions)
          throw new ProtocolError(ProtocolErrorCode.MethodNotFound, `plugin '${named.plugin}' does not offer completion`)
        return client.complete(params, { signal })
      })
    )
  })

  return server
}
