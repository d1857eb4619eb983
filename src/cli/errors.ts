// The ways a CLI invocation fails after its arguments parsed. Each maps to an exit code in main.ts:
// UsageError is 2 (like a bad flag), the rest are 1 (the plane said no, or could not be asked).
import { Schema } from "effect"

/** The invocation is incomplete: no workspace, or a malformed environment setting. */
export class UsageError extends Schema.TaggedError<UsageError>()("UsageError", { reason: Schema.String }) {
  override get message() {
    return this.reason
  }
}

/** The plane answered `{ok:false}`; `error` is its error body: `_tag`, `message` and the tag's fields. */
export class PlaneRejected extends Schema.TaggedError<PlaneRejected>()("PlaneRejected", {
  status: Schema.Number,
  error: Schema.StructWithRest(Schema.Struct({ _tag: Schema.String, message: Schema.String }), [
    Schema.Record(Schema.String, Schema.Unknown)
  ])
}) {
  override get message() {
    return `${this.error._tag}: ${this.error.message}`
  }
}

/** No admin token was found; `looked` says where the CLI looked. */
export class TokenMissing extends Schema.TaggedError<TokenMissing>()("TokenMissing", { looked: Schema.String }) {
  override get message() {
    return `no admin token: ${this.looked}`
  }
}

/** The plane answered 401 to the token the CLI sent; `source` says where that token came from. */
export class TokenRefused extends Schema.TaggedError<TokenRefused>()("TokenRefused", {
  url: Schema.String,
  source: Schema.String,
  /** The token was a member's, from `berth login`. */
  member: Schema.optional(Schema.Boolean)
}) {
  override get message() {
    return this.member
      ? `the plane at ${this.url} refused ${this.source}; run berth login again`
      : `the plane at ${this.url} refused the admin token from ${this.source}; check that it matches the plane's BERTH_ADMIN_TOKEN`
  }
}

export class PlaneUnreachable extends Schema.TaggedError<PlaneUnreachable>()("PlaneUnreachable", {
  url: Schema.String,
  reason: Schema.String
}) {
  override get message() {
    return `cannot reach the plane at ${this.url} (${this.reason}): is the plane running? (npm start)`
  }
}

/** The answer was not the admin RPC's JSON: a proxy page, a wrong URL, a crash. */
export class UnexpectedAnswer extends Schema.TaggedError<UnexpectedAnswer>()("UnexpectedAnswer", {
  url: Schema.String,
  status: Schema.Number,
  excerpt: Schema.String
}) {
  override get message() {
    return `unexpected answer from ${this.url} (HTTP ${this.status}): ${this.excerpt}`
  }
}

/** `berth verify` found a break in the hash chain. */
export class ChainBroken extends Schema.TaggedError<ChainBroken>()("ChainBroken", {
  firstBadSeq: Schema.Number,
  reason: Schema.String,
  count: Schema.Number
}) {
  override get message() {
    return `the hash chain is broken at seq ${this.firstBadSeq}: ${this.reason} (${this.count} events checked)`
  }
}

/** `berth audit verify --from-archive` (or an export or replay reading the archive) found tampering or damage. */
export class ArchiveInvalid extends Schema.TaggedError<ArchiveInvalid>()("ArchiveInvalid", {
  reason: Schema.String,
  firstBadSeq: Schema.optional(Schema.Number),
  segment: Schema.optional(Schema.String)
}) {
  override get message() {
    const at = [this.firstBadSeq === undefined ? "" : `first bad seq ${this.firstBadSeq}`, this.segment ?? ""].filter(Boolean).join(", ")
    return `the audit archive does not verify${at ? ` (${at})` : ""}: ${this.reason}`
  }
}

/** `projection rebuild` stopped because pushes to D1 kept failing. */
export class RebuildStalled extends Schema.TaggedError<RebuildStalled>()("RebuildStalled", {
  workspace: Schema.String,
  cursor: Schema.Number,
  reason: Schema.String
}) {
  override get message() {
    return `rebuilding ${this.workspace} stalled at seq ${this.cursor}: ${this.reason} (the workspace's alarm keeps retrying)`
  }
}

/** A local file could not be read or written. */
export class FileError extends Schema.TaggedError<FileError>()("FileError", { path: Schema.String, reason: Schema.String }) {
  override get message() {
    return `${this.path}: ${this.reason}`
  }
}

/** `berth install-config` refused a client's config file it could not read as that client's format; nothing was written. */
export class ConfigInvalid extends Schema.TaggedError<ConfigInvalid>()("ConfigInvalid", {
  path: Schema.String,
  reason: Schema.String,
  /** Where the parser stopped, 1-based, when the file does not parse. */
  line: Schema.optional(Schema.Number),
  column: Schema.optional(Schema.Number)
}) {
  override get message() {
    const at = this.line === undefined ? "" : ` at line ${this.line}, column ${this.column ?? 1}`
    return `${this.path}${at}: ${this.reason}; nothing was written`
  }
}

/** `berth login`, `logout` or a token refresh failed at one step of OAuth with the plane. */
export class LoginFailed extends Schema.TaggedError<LoginFailed>()("LoginFailed", {
  url: Schema.String,
  step: Schema.String,
  reason: Schema.String
}) {
  override get message() {
    return `signing in to ${this.url} failed at ${this.step}: ${this.reason}`
  }
}

/** `berth credential connect` ended without a credential: the callback failed, or no callback came. */
export class ConnectFailed extends Schema.TaggedError<ConnectFailed>()("ConnectFailed", {
  credential: Schema.String,
  reason: Schema.String
}) {
  override get message() {
    return `credential '${this.credential}' was not connected: ${this.reason}`
  }
}

/** `berth run submit --wait`: the run ended, but not ok (its error is printed above). */
export class CodeRunFailed extends Schema.TaggedError<CodeRunFailed>()("CodeRunFailed", { run: Schema.String, status: Schema.String }) {
  override get message() {
    return `run ${this.run} ended ${this.status}`
  }
}

export type CliFailure =
  | UsageError
  | PlaneRejected
  | TokenMissing
  | TokenRefused
  | PlaneUnreachable
  | UnexpectedAnswer
  | ChainBroken
  | ArchiveInvalid
  | FileError
  | ConfigInvalid
  | RebuildStalled
  | LoginFailed
  | ConnectFailed
  | CodeRunFailed

const TAGS = new Set([
  "UsageError",
  "PlaneRejected",
  "TokenMissing",
  "TokenRefused",
  "PlaneUnreachable",
  "UnexpectedAnswer",
  "ChainBroken",
  "ArchiveInvalid",
  "FileError",
  "ConfigInvalid",
  "RebuildStalled",
  "LoginFailed",
  "ConnectFailed",
  "CodeRunFailed"
])

export const isCliFailure = (u: unknown): u is CliFailure =>
  typeof u === "object" && u !== null && TAGS.has((u as { _tag?: unknown })._tag as string)
