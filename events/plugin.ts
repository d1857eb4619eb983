// Registry events: plugins (upstream MCP servers) and the tools, prompts and resources they expose.
// Each is pinned by the sha256 of its definition, so a changed definition can be quarantined
// (rug-pull protection).
import { Schema } from "effect"
import { defineEvent } from "./define.ts"
import { PluginName, Sha256Hex, ToolId } from "./names.ts"

export const Transport = Schema.Literals(["streamable-http", "sse"])
export const PluginAuth = Schema.Literals(["none", "bearer", "oauth"])

export const PluginInstalled = defineEvent("PluginInstalled", {
  plugin: PluginName,
  url: Schema.String,
  transport: Transport,
  auth: PluginAuth,
  /**
   * Recorded before it could be discovered (an OAuth upstream with no credential yet): the first
   * discovery approves the tools it finds, as the install would have. Absent with `--review`.
   */
  approveOnDiscovery: Schema.optional(Schema.Boolean)
})
export const PluginRemoved = defineEvent("PluginRemoved", { plugin: PluginName })

/** A tool as the upstream described it; `hash` is sha256 over JCS of the definition fields. */
export const ToolDefinition = Schema.Struct({
  name: Schema.String,
  hash: Sha256Hex,
  title: Schema.optional(Schema.String),
  description: Schema.optional(Schema.String),
  inputSchema: Schema.optional(Schema.Unknown),
  outputSchema: Schema.optional(Schema.Unknown),
  annotations: Schema.optional(Schema.Unknown)
})
export type ToolDefinition = typeof ToolDefinition.Type

/**
 * A resource and a prompt as the upstream listed them. `hash` (sha256 over JCS of the other fields)
 * pins it as a tool's does; discoveries recorded before prompts and resources were pinned lack it.
 */
export const ResourceDefinition = Schema.Struct({
  uri: Schema.String,
  name: Schema.String,
  title: Schema.optional(Schema.String),
  description: Schema.optional(Schema.String),
  mimeType: Schema.optional(Schema.String),
  hash: Schema.optional(Sha256Hex)
})
export type ResourceDefinition = typeof ResourceDefinition.Type
export const PromptDefinition = Schema.Struct({
  name: Schema.String,
  title: Schema.optional(Schema.String),
  description: Schema.optional(Schema.String),
  arguments: Schema.optional(Schema.Unknown),
  hash: Schema.optional(Sha256Hex)
})
export type PromptDefinition = typeof PromptDefinition.Type

export const ToolsDiscovered = defineEvent("ToolsDiscovered", {
  plugin: PluginName,
  tools: Schema.Array(ToolDefinition),
  resources: Schema.optional(Schema.Array(ResourceDefinition)),
  prompts: Schema.optional(Schema.Array(PromptDefinition))
})
export const ToolApproved = defineEvent("ToolApproved", { tool: ToolId, hash: Sha256Hex })
export const ToolQuarantined = defineEvent("ToolQuarantined", {
  tool: ToolId,
  approvedHash: Sha256Hex,
  hash: Sha256Hex,
  reason: Schema.String
})

/**
 * A plugin's prompts and resources are pinned at the discovery that first lists them (by the `hash` in
 * ToolsDiscovered); a refresh that finds a pinned definition changed quarantines it, and an admin
 * approves the new one. A prompt is named by its plugin and its upstream name, a resource by its
 * plugin and its upstream URI.
 */
export const PromptApproved = defineEvent("PromptApproved", { plugin: PluginName, prompt: Schema.String, hash: Sha256Hex })
export const PromptQuarantined = defineEvent("PromptQuarantined", {
  plugin: PluginName,
  prompt: Schema.String,
  approvedHash: Sha256Hex,
  hash: Sha256Hex,
  reason: Schema.String
})
export const ResourceApproved = defineEvent("ResourceApproved", { plugin: PluginName, uri: Schema.String, hash: Sha256Hex })
export const ResourceQuarantined = defineEvent("ResourceQuarantined", {
  plugin: PluginName,
  uri: Schema.String,
  approvedHash: Sha256Hex,
  hash: Sha256Hex,
  reason: Schema.String
})

export const PluginEvents = [
  PluginInstalled,
  PluginRemoved,
  ToolsDiscovered,
  ToolApproved,
  ToolQuarantined,
  PromptApproved,
  PromptQuarantined,
  ResourceApproved,
  ResourceQuarantined
] as const
export type PluginEvent = Schema.Schema.Type<(typeof PluginEvents)[number]>
