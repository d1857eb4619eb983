// Registry errors: plugins and their tools, prompts and resources.
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

export class PromptNotFound extends Schema.TaggedError<PromptNotFound>()("PromptNotFound", { plugin: Schema.String, prompt: Schema.String }) {
  override get message() {
    return `plugin '${this.plugin}' has no pinned prompt '${this.prompt}' (see its prompts with 'berth prompt list')`
  }
}

export class ResourceNotFound extends Schema.TaggedError<ResourceNotFound>()("ResourceNotFound", { plugin: Schema.String, uri: Schema.String }) {
  override get message() {
    return `plugin '${this.plugin}' has no pinned resource '${this.uri}' (see its resources with 'berth resource list')`
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

/**
 * A plugin URL carries a secret (userinfo, or a parameter named like one). Refused before Berth
 * connects, and nothing is appended. Names the part, never the value. `recorded`: the URL is already
 * on the log (a refresh), where it stays, since the log is never rewritten.
 */
export class SecretInPluginUrl extends Schema.TaggedError<SecretInPluginUrl>()("SecretInPluginUrl", {
  plugin: Schema.String,
  part: Schema.Literals(["userinfo", "query", "fragment"]),
  parameter: Schema.optional(Schema.String),
  recorded: Schema.Boolean
}) {
  override get message() {
    const where = this.part === "userinfo" ? "its userinfo (user:password@)" : `its ${this.part} parameter '${this.parameter}'`
    return this.recorded
      ? `plugin '${this.plugin}' was installed with a URL that carries a secret in ${where}, so Berth will not connect with it again; ` +
          `the log is append-only and keeps that URL: rotate the secret, then \`berth plugin remove ${this.plugin}\` and install it again ` +
          "with a clean URL, storing the new secret with `berth credential set`"
      : `the URL of plugin '${this.plugin}' carries a secret in ${where}; keep secrets out of URLs (the URL is recorded in the log): ` +
          "store it with `berth credential set` instead"
  }
}
