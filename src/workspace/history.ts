// Compliance reads over the log: the state at any point (rebuilt by replay, never from the
// projection tables) and a full re-walk of the hash chain.
import type { Envelope } from "../../events/index.ts"
import { GENESIS_HASH } from "../../events/index.ts"
import { applyEvents } from "../../projections/evolve.ts"
import { initialState, type WorkspaceState } from "../../projections/state.ts"
import { type ChainCheck, verifyChain } from "./chain.ts"
import type { EventLog, Point } from "./event-log.ts"

export type { Point }

export interface StateAt {
  readonly seq: number
  readonly hash: string
  readonly at: string | null
  readonly state: WorkspaceState
}

export const stateAt = (log: EventLog, point: Point): StateAt => {
  // `at` never decreases along the log (event-log.ts), so "up to a time" is a prefix, like "up to a seq".
  let lastSeq = 0
  function* prefix() {
    for (const event of log.foldable(point)) {
      lastSeq = event.seq
      yield event
    }
  }
  // One fold over the whole prefix: the draft copies each touched record once, not once per event.
  const { state } = applyEvents(initialState, prefix())
  const last = lastSeq === 0 ? undefined : log.at(lastSeq)
  return { seq: lastSeq, hash: last?.hash ?? GENESIS_HASH, at: last?.at ?? null, state }
}

export const verifyLog = (log: Iterable<Envelope>): ChainCheck => verifyChain(log, { seq: 0, hash: GENESIS_HASH })
