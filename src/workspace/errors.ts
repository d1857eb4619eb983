// Errors any command can meet: the workspace itself, concurrency, idempotency and malformed input.
import { Schema } from "effect"

export class WorkspaceNotFound extends Schema.TaggedError<WorkspaceNotFound>()("WorkspaceNotFound", {
  workspace: Schema.String
}) {
  override get message() {
    return `workspace '${this.workspace}' does not exist`
  }
}

export class WorkspaceAlreadyExists extends Schema.TaggedError<WorkspaceAlreadyExists>()("WorkspaceAlreadyExists", {
  workspace: Schema.String
}) {
  override get message() {
    return `workspace '${this.workspace}' already exists`
  }
}

/** `expectedSeq` did not match the head of the log; `currentSeq` is the head to retry against. */
export class ConcurrencyConflict extends Schema.TaggedError<ConcurrencyConflict>()("ConcurrencyConflict", {
  expectedSeq: Schema.Number,
  currentSeq: Schema.Number
}) {
  override get message() {
    return `expected the log to be at seq ${this.expectedSeq}, but it is at seq ${this.currentSeq}`
  }
}

/** The same idempotency key arrived with a different command. */
export class IdempotencyKeyReused extends Schema.TaggedError<IdempotencyKeyReused>()("IdempotencyKeyReused", {
  idempotencyKey: Schema.String
}) {
  override get message() {
    return `idempotency key '${this.idempotencyKey}' was already used for a different command`
  }
}

/** Input that does not match the command's Schema. `field` is the path of the first bad field. */
export class InvalidCommand extends Schema.TaggedError<InvalidCommand>()("InvalidCommand", {
  field: Schema.String,
  reason: Schema.String
}) {
  override get message() {
    return this.field === "" ? this.reason : `${this.field}: ${this.reason}`
  }
}

export class MemberNotFound extends Schema.TaggedError<MemberNotFound>()("MemberNotFound", { member: Schema.String }) {
  override get message() {
    return `member '${this.member}' is not in this workspace`
  }
}

export class MemberAlreadyExists extends Schema.TaggedError<MemberAlreadyExists>()("MemberAlreadyExists", {
  member: Schema.String
}) {
  override get message() {
    return `member '${this.member}' is already in this workspace`
  }
}

/** Rule: the last owner can be neither demoted nor removed while other members remain. */
export class LastOwner extends Schema.TaggedError<LastOwner>()("LastOwner", { member: Schema.String }) {
  override get message() {
    return `member '${this.member}' is the last owner; make another member owner first`
  }
}
