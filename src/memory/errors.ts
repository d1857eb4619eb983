// Memory errors: each names the entry (namespace and key) and the rule, never a value.
import { Schema } from "effect"

const entry = (namespace: string, key: string) => `'${namespace}/${key}'`

export class MemoryNotFound extends Schema.TaggedError<MemoryNotFound>()("MemoryNotFound", { namespace: Schema.String, key: Schema.String }) {
  override get message() {
    return `no memory entry ${entry(this.namespace, this.key)} in this workspace`
  }
}

/** A put or delete with `ifVersion` that is not the entry's version now; nothing was appended. */
export class MemoryVersionConflict extends Schema.TaggedError<MemoryVersionConflict>()("MemoryVersionConflict", {
  namespace: Schema.String,
  key: Schema.String,
  expected: Schema.Number,
  /** The entry's version now; 0 when there is no entry. */
  current: Schema.Number
}) {
  override get message() {
    const now = this.current === 0 ? "it does not exist" : `it is at version ${this.current}`
    return `memory entry ${entry(this.namespace, this.key)} was expected at version ${this.expected}, but ${now}; read it again and retry with ifVersion ${this.current}`
  }
}

export class MemoryValueTooLarge extends Schema.TaggedError<MemoryValueTooLarge>()("MemoryValueTooLarge", {
  namespace: Schema.String,
  key: Schema.String,
  bytes: Schema.Number,
  limit: Schema.Number
}) {
  override get message() {
    return `the value of memory entry ${entry(this.namespace, this.key)} is ${this.bytes} bytes as JSON; the limit is ${this.limit} bytes (64 KiB)`
  }
}

/** Memory is part of the audit record: a value carrying a credential would be in the log for good. */
export class MemoryValueHasSecret extends Schema.TaggedError<MemoryValueHasSecret>()("MemoryValueHasSecret", {
  namespace: Schema.String,
  key: Schema.String
}) {
  override get message() {
    return `the value of memory entry ${entry(this.namespace, this.key)} contains a secret (a value the vault holds, a bearer token or a JWT); memory is part of the audit log, so keep secrets in the vault (berth credential set)`
  }
}
