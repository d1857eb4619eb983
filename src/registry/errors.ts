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
