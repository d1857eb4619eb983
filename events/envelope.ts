// The envelope around every event in the log. `hash` chains each row to the one before it:
// hash = sha256_hex(prevHash + "\n" + JCS(envelope without hash)); see docs/audit-format.md.
import { Schema } from "effect"
import { Sha256Hex } from "./names.ts"

export const ActorType = Schema.Literals(["admin", "member", "agent", "system"])
export const Actor = Schema.Struct({ type: ActorType, id: Schema.String })
export type Actor = typeof Actor.Type

/** The `prevHash` of seq 1. */
/** A point in a log's history: a seq, or an ISO-8601 time (everything appended at or before it). */
export type Point = { readonly seq: number } | { readonly time: string }

/** An ISO-8601 time with a zone, as a point in history is given: the admin API and the CLI hold it to the same rule. */
export const ISO_8601_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/

export const GENESIS_HASH = "0".repeat(64)

/** One row of the log, exactly as stored and exported. `data` is checked against its type's Schema by `decodeEvent`. */
export const Envelope = Schema.Struct({
  seq: Schema.Int.check(Schema.isGreaterThanOrEqualTo(1)),
  id: Schema.String,
  type: Schema.String,
  v: Schema.Int,
  at: Schema.String,
  actor: Actor,
  correlationId: Schema.String,
  causationId: Schema.NullOr(Schema.String),
  data: Schema.Unknown,
  prevHash: Sha256Hex,
  hash: Sha256Hex
})
export type Envelope = typeof Envelope.Type
