// Compliance reads over the log: the state at any point (rebuilt by replay, never from the
// projection tables) and a full re-walk of the hash chain.
import type { Envelope } from "../../events/index.ts"
import { decodeEvent, GENESIS_HASH } from "../../events/index.ts"
import { evolve } from "../../projections/evolve.ts"
import { initialState, type WorkspaceState } from "../../projections/state.ts"
import { type ChainCheck, verifyChain } from "./chain.ts"

/** A point in history: a seq, or an ISO-8601 time (everything appended at or before it). */
export type Point = { readonly seq: number } | { readonly time: string }

export interface StateAt {
  readonly seq: number
  readonly hash: string
  readonly at: string | null
  readonly state: WorkspaceState
}

export const stateAt = (log: Iterable<Envelope>, point: Point): StateAt => {
  let state = initialState
  let last: Envelope | undefined
  for (const envelope of log) {
    // `at` never decreases along the log (event-log.ts), so the first event past the point ends the replay.
    if ("seq" in point ? envelope.seq > point.seq : envelope.at > point.time) break
    state = evolve(state, decodeEvent(envelope))
    last = envelope
  }
  return { seq: last?.seq ?? 0, hash: last?.hash ?? GENESIS_HASH, at: last?.at ?? null, state }
}

export const verifyLog = (log: Iterable<Envelope>): ChainCheck => verifyChain(log, { seq: 0, hash: GENESIS_HASH })
