// Run errors: the MCP path records runs; these guard the run's lifecycle.
import { Schema } from "effect"

export class RunNotFound extends Schema.TaggedError<RunNotFound>()("RunNotFound", { run: Schema.String }) {
  override get message() {
    return `run '${this.run}' is not open in this workspace`
  }
}

export class RunAlreadyStarted extends Schema.TaggedError<RunAlreadyStarted>()("RunAlreadyStarted", { run: Schema.String }) {
  override get message() {
    return `run '${this.run}' has already started`
  }
}
