// Registry errors: plugins and their tools.
import { Schema } from "effect"

export class PluginAlreadyInstalled extends Schema.TaggedError<PluginAlreadyInstalled>()("PluginAlreadyInstalled", {
  plugin: Schema.String
}) {
  override get message() {
    return `plugin '${this.plugin}' is already installed; remove it first to change its manifest`
  }
}

export class PluginNotFound extends Schema.TaggedError<PluginNotFound>()("PluginNotFound", { plugin: Schema.String }) {
  override get message() {
    return `plugin '${this.plugin}' is not installed in this workspace`
  }
}

export class ToolNotFound extends Schema.TaggedError<ToolNotFound>()("ToolNotFound", { tool: Schema.String }) {
  override get message() {
    return `tool '${this.tool}' is not installed in this workspace (tools are named '{plugin}__{tool}')`
  }
}

/** Discovery failed: the upstream could not be reached or did not speak MCP. Nothing was recorded. */
export class PluginUnreachable extends Schema.TaggedError<PluginUnreachable>()("PluginUnreachable", {
  plugin: Schema.String,
  url: Schema.String,
  reason: Schema.String
}) {
  override get message() {
    return `plugin '${this.plugin}' at ${this.url} could not be reached over MCP: ${this.reason}`
  }
}
