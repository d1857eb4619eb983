// Registry commands: install a plugin from its manifest, and remove it. Connecting to the
// upstream and discovering tools happens at the edge (src/mcp), which then records ToolsDiscovered.
import { Effect, Schema } from "effect"
import { event, PluginAuth, PluginName, Transport } from "../../events/index.ts"
import type { WorkspaceState } from "../../projections/state.ts"
import { requireWorkspace } from "../workspace/decider.ts"
import { PluginAlreadyInstalled, PluginNotFound } from "./errors.ts"

const isHttpUrl = (value: string) => {
  if (!URL.canParse(value)) return false
  const { protocol } = new URL(value)
  return protocol === "http:" || protocol === "https:"
}

export const PluginUrl = Schema.String.check(
  Schema.makeFilter((s: string) => isHttpUrl(s) || "the MCP URL must be an absolute http:// or https:// URL")
)

export class InstallPlugin extends Schema.TaggedClass<InstallPlugin>()("InstallPlugin", {
  plugin: PluginName,
  url: PluginUrl,
  transport: Transport,
  auth: PluginAuth
}) {}

export const decideInstallPlugin = Effect.fnUntraced(function* (state: WorkspaceState, command: InstallPlugin, slug: string) {
  yield* requireWorkspace(state, slug)
  if (state.plugins[command.plugin]) return yield* new PluginAlreadyInstalled({ plugin: command.plugin })
  const { plugin, url, transport, auth } = command
  return [event("PluginInstalled", { plugin, url, transport, auth })]
})

export class RemovePlugin extends Schema.TaggedClass<RemovePlugin>()("RemovePlugin", { plugin: PluginName }) {}

export const decideRemovePlugin = Effect.fnUntraced(function* (state: WorkspaceState, command: RemovePlugin, slug: string) {
  yield* requireWorkspace(state, slug)
  if (!state.plugins[command.plugin]) return yield* new PluginNotFound({ plugin: command.plugin })
  return [event("PluginRemoved", { plugin: command.plugin })]
})
