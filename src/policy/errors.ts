// Policy errors.
import { Schema } from "effect"

export class PolicyNotFound extends Schema.TaggedError<PolicyNotFound>()("PolicyNotFound", { policy: Schema.String }) {
  override get message() {
    return `policy set '${this.policy}' does not exist`
  }
}
