// Bot allowlist errors: each names the client or the rule, and the command that changes it.
import { Schema } from "effect"

/** The workspace's allowlist excludes this client; `allowWith` is the command that would let it dock. */
export class ClientNotAllowed extends Schema.TaggedError<ClientNotAllowed>()("ClientNotAllowed", {
  workspace: Schema.String,
  client: Schema.String,
  rule: Schema.optional(Schema.String),
  allowWith: Schema.String
}) {
  override get message() {
    const why = this.rule === undefined ? "is not on the bot allowlist" : `is excluded by the bot rule '${this.rule}'`
    return `client '${this.client}' ${why} of workspace '${this.workspace}'; to let it dock: ${this.allowWith}`
  }
}

export class BotRuleNotFound extends Schema.TaggedError<BotRuleNotFound>()("BotRuleNotFound", { match: Schema.String }) {
  override get message() {
    return `the bot allowlist has no rule '${this.match}'`
  }
}
