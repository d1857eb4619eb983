// Policy errors.
import { Schema } from "effect"

/** Cedar refused the text: a syntax error, or a policy the schema does not allow (docs/policies.md). */
export class InvalidPolicy extends Schema.TaggedError<InvalidPolicy>()("InvalidPolicy", {
  policy: Schema.String,
  reason: Schema.String,
  line: Schema.optional(Schema.Number),
  column: Schema.optional(Schema.Number)
}) {
  override get message() {
    const at = this.line === undefined ? "" : ` at line ${this.line}, column ${this.column}`
    return `policy set '${this.policy}' is invalid${at}: ${this.reason}`
  }
}

export class RateLimitNotFound extends Schema.TaggedError<RateLimitNotFound>()("RateLimitNotFound", { limit: Schema.String }) {
  override get message() {
    return `there is no rate limit '${this.limit}' in this workspace`
  }
}

export class PolicyNotFound extends Schema.TaggedError<PolicyNotFound>()("PolicyNotFound", { policy: Schema.String }) {
  override get message() {
    return `policy set '${this.policy}' does not exist`
  }
}
