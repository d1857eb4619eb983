// Errors of server-side execution: each names the rule or the place in the code, never a value.
import { Schema } from "effect"

/** The code does not parse: where, and why. Nothing ran. */
export class ScriptSyntaxError extends Schema.TaggedError<ScriptSyntaxError>()("ScriptSyntaxError", {
  file: Schema.String,
  line: Schema.Number,
  column: Schema.Number,
  reason: Schema.String
}) {
  override get message() {
    return `${this.file}:${this.line}:${this.column}: ${this.reason}; nothing ran`
  }
}

export class ScriptTooLarge extends Schema.TaggedError<ScriptTooLarge>()("ScriptTooLarge", { bytes: Schema.Number, limit: Schema.Number }) {
  override get message() {
    return `the code is ${this.bytes} bytes; a script may be at most ${this.limit}`
  }
}
