// Registry commands: install a plugin with what discovery found, refresh it (quarantining any
// approved tool, prompt or resource whose definition changed), approve one, remove a plugin. Connecting to the
// upstream happens at the edge (src/mcp/discover.ts); these decide on its result.
import { MEMORY_RESOURCES } from "../mcp/namespacing.ts"
import { InvalidCommand } from "../workspace/errors.ts"
import { Effect, Schema } from "effect"
import {
  type DomainEvent,
  event,
  PluginAuth,
  PluginName,
  PromptDefinition,
  ResourceDefinition,
  ToolDefinition,
  ToolId,
  Transport
} from "../../events/index.ts"
import { promptKey, resourceKey, toolId, type WorkspaceState } from "../../projections/state.ts"
import { requireWorkspace } from "../workspace/decider.ts"
import { PluginAlreadyInstalled, PluginNotFound, PromptNotFound, ResourceNotFound, SecretInPluginUrl, ToolNotFound } from "./errors.ts"
import { secretInUrl } from "./secret-in-url.ts"

const isHttpUrl = (value: string) => {
  if (!URL.canParse(value)) return false
  const { protocol } = new URL(value)
  return protocol === "http:" || protocol === "https:"
}

export const PluginUrl = Schema.String.check(
  Schema.makeFilter((s: string) => isHttpUrl(s) || "the MCP URL must be an absolute http:// or https:// URL")
)

/** What the upstream exposes, as discovery found it; each tool carries its definition hash. */
export const Discovery = Schema.Struct({
  tools: Schema.Array(ToolDefinition),
  resources: Schema.optional(Schema.Array(ResourceDefinition)),
  prompts: Schema.optional(Schema.Array(PromptDefinition))
})
export type Discovery = typeof Discovery.Type

const discovered = (plugin: string, discovery: Discovery) =>
  event("ToolsDiscovered", {
    plugin,
    tools: discovery.tools,
    ...(discovery.resources ? { resources: discovery.resources } : {}),
    ...(discovery.prompts ? { prompts: discovery.prompts } : {})
  })

export class InstallPlugin extends Schema.TaggedClass<InstallPlugin>()("InstallPlugin", {
  plugin: PluginName,
  url: PluginUrl,
  transport: Transport,
  auth: PluginAuth,
  /** Leave discovered tools unapproved until `berth tool approve`. */
  review: Schema.optional(Schema.Boolean),
  /** Filled in by the edge after connecting; absent only for a plugin recorded without discovery. */
  discovery: Schema.optional(Discovery)
}) {}

/** A URL carrying a secret is refused; `recorded` says whether it is already on the log. */
const refuseSecretInUrl = (plugin: string, url: string, recorded: boolean) => {
  const secret = secretInUrl(url)
  return secret === undefined ? Effect.void : Effect.fail(new SecretInPluginUrl({ plugin, ...secret, recorded }))
}

export const decideInstallPlugin = Effect.fnUntraced(function* (state: WorkspaceState, command: InstallPlugin, slug: string) {
  yield* requireWorkspace(state, slug)
  if (state.plugins[command.plugin]) return yield* new PluginAlreadyInstalled({ plugin: command.plugin })
  if (command.plugin === MEMORY_RESOURCES)
    return yield* new InvalidCommand({ field: "plugin", reason: `'${MEMORY_RESOURCES}' is reserved: workspace memory's resources are berth://memory/…` })
  // Before the edge connects (its precheck runs this decide): the secret would reach the log and the upstream.
  yield* refuseSecretInUrl(command.plugin, command.url, false)
  const { plugin, url, transport, auth, discovery } = command
  const approveOnDiscovery = !discovery && !command.review ? { approveOnDiscovery: true } : {}
  const events: Array<DomainEvent> = [event("PluginInstalled", { plugin, url, transport, auth, ...approveOnDiscovery })]
  if (discovery) {
    events.push(discovered(plugin, discovery))
    // The admin who installs a plugin has seen its tools, unless they asked to review them first.
    if (!command.review)
      for (const tool of discovery.tools) events.push(event("ToolApproved", { tool: toolId(plugin, tool.name), hash: tool.hash }))
  }
  return events
})

export class RefreshPlugin extends Schema.TaggedClass<RefreshPlugin>()("RefreshPlugin", {
  plugin: PluginName,
  discovery: Discovery
}) {}

export const decideRefreshPlugin = Effect.fnUntraced(function* (state: WorkspaceState, command: RefreshPlugin, slug: string) {
  yield* requireWorkspace(state, slug)
  const installed = state.plugins[command.plugin]
  if (!installed) return yield* new PluginNotFound({ plugin: command.plugin })
  // A URL recorded before URLs were checked stays on the log; reconnecting would keep sending its secret.
  yield* refuseSecretInUrl(command.plugin, installed.url, true)
  const events: Array<DomainEvent> = [discovered(command.plugin, command.discovery)]
  events.push(...quarantinedReads(state, command.plugin, command.discovery))
  for (const tool of command.discovery.tools) {
    const id = toolId(command.plugin, tool.name)
    const known = state.tools[id]
    // The first discovery of a plugin recorded without one approves, as its install would have.
    if (installed.approveOnDiscovery) events.push(event("ToolApproved", { tool: id, hash: tool.hash }))
    else if (known?.status === "approved" && known.approvedHash !== undefined && known.approvedHash !== tool.hash)
      events.push(
        event("ToolQuarantined", {
          tool: id,
          approvedHash: known.approvedHash,
          hash: tool.hash,
          reason: "the tool's definition changed since it was approved"
        })
      )
  }
  return events
})

/** The pinned prompts and resources of a plugin whose approved definition this discovery changed. */
const quarantinedReads = (state: WorkspaceState, plugin: string, discovery: Discovery): ReadonlyArray<DomainEvent> => {
  const changed = (known: { status: string; approvedHash?: string | undefined } | undefined, hash: string | undefined) =>
    hash !== undefined && known?.status === "approved" && known.approvedHash !== undefined && known.approvedHash !== hash ? known.approvedHash : undefined
  const events: Array<DomainEvent> = []
  for (const prompt of discovery.prompts ?? []) {
    const approvedHash = changed(state.prompts[promptKey(plugin, prompt.name)], prompt.hash)
    if (approvedHash !== undefined)
      events.push(event("PromptQuarantined", { plugin, prompt: prompt.name, approvedHash, hash: prompt.hash!, reason: "the prompt's definition changed since it was approved" }))
  }
  for (const resource of discovery.resources ?? []) {
    const approvedHash = changed(state.resources[resourceKey(plugin, resource.uri)], resource.hash)
    if (approvedHash !== undefined)
      events.push(event("ResourceQuarantined", { plugin, uri: resource.uri, approvedHash, hash: resource.hash!, reason: "the resource's definition changed since it was approved" }))
  }
  return events
}

export class ApproveTool extends Schema.TaggedClass<ApproveTool>()("ApproveTool", { tool: ToolId }) {}

export const decideApproveTool = Effect.fnUntraced(function* (state: WorkspaceState, command: ApproveTool, slug: string) {
  yield* requireWorkspace(state, slug)
  const tool = state.tools[command.tool]
  if (!tool) return yield* new ToolNotFound({ tool: command.tool })
  if (tool.status === "approved" && tool.approvedHash === tool.hash) return []
  return [event("ToolApproved", { tool: command.tool, hash: tool.hash })]
})

export class ApprovePrompt extends Schema.TaggedClass<ApprovePrompt>()("ApprovePrompt", { plugin: PluginName, prompt: Schema.String }) {}

/** Pins a prompt's latest discovered definition; approving one already approved as it stands appends nothing. */
export const decideApprovePrompt = Effect.fnUntraced(function* (state: WorkspaceState, command: ApprovePrompt, slug: string) {
  yield* requireWorkspace(state, slug)
  const prompt = state.prompts[promptKey(command.plugin, command.prompt)]
  if (!prompt) return yield* new PromptNotFound({ plugin: command.plugin, prompt: command.prompt })
  if (prompt.status === "approved" && prompt.approvedHash === prompt.hash) return []
  return [event("PromptApproved", { plugin: command.plugin, prompt: command.prompt, hash: prompt.hash })]
})

export class ApproveResource extends Schema.TaggedClass<ApproveResource>()("ApproveResource", { plugin: PluginName, uri: Schema.String }) {}

/** Pins a resource's latest discovered definition, as ApprovePrompt does a prompt's. */
export const decideApproveResource = Effect.fnUntraced(function* (state: WorkspaceState, command: ApproveResource, slug: string) {
  yield* requireWorkspace(state, slug)
  const resource = state.resources[resourceKey(command.plugin, command.uri)]
  if (!resource) return yield* new ResourceNotFound({ plugin: command.plugin, uri: command.uri })
  if (resource.status === "approved" && resource.approvedHash === resource.hash) return []
  return [event("ResourceApproved", { plugin: command.plugin, uri: command.uri, hash: resource.hash })]
})

export class RemovePlugin extends Schema.TaggedClass<RemovePlugin>()("RemovePlugin", { plugin: PluginName }) {}

export const decideRemovePlugin = Effect.fnUntraced(function* (state: WorkspaceState, command: RemovePlugin, slug: string) {
  yield* requireWorkspace(state, slug)
  if (!state.plugins[command.plugin]) return yield* new PluginNotFound({ plugin: command.plugin })
  return [event("PluginRemoved", { plugin: command.plugin })]
})
