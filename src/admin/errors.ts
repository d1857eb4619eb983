// Errors of the admin edge itself, before a request reaches a workspace.
import { Schema } from "effect"

/** The body is not JSON, or not a request Berth knows; `field` names the first bad field. */
export class InvalidRequest extends Schema.TaggedError<InvalidRequest>()("InvalidRequest", {
  field: Schema.String,
  reason: Schema.String
}) {
  override get message() {
    return this.field === "" ? this.reason : `${this.field}: ${this.reason}`
  }
}

/** Deliberately says nothing: not whether a token was sent, nor whether one is configured. */
export class Unauthorized extends Schema.TaggedError<Unauthorized>()("Unauthorized", {}) {
  override get message() {
    return "unauthorized"
  }
}

/** The audit archive has no such object: nothing sealed yet, or a key outside the workspace. */
export class ArchiveObjectNotFound extends Schema.TaggedError<ArchiveObjectNotFound>()("ArchiveObjectNotFound", {
  workspace: Schema.String,
  key: Schema.String
}) {
  override get message() {
    return `the audit archive of ${this.workspace} has no object ${this.key}`
  }
}

/** A seal could not write to R2; the archive keeps its plan and retries with backoff. */
export class ArchiveSealFailed extends Schema.TaggedError<ArchiveSealFailed>()("ArchiveSealFailed", {
  sealedThrough: Schema.Number,
  reason: Schema.String
}) {
  override get message() {
    return `sealing stopped after seq ${this.sealedThrough}: ${this.reason} (the workspace retries with backoff)`
  }
}

/** The plane has no usable signing key (the Worker secret BERTH_AUDIT_SIGNING_KEY), so it cannot seal or sign. */
export class AuditKeyMissing extends Schema.TaggedError<AuditKeyMissing>()("AuditKeyMissing", { reason: Schema.String }) {
  override get message() {
    return this.reason
  }
}
