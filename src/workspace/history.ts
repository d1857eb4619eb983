// Compliance reads over the log: the state at any point (rebuilt by replay, never from the
// projection tables) and a full re-walk of the hash chain.
import { GENESIS_HASH, type Point } from "../../events/index.ts"
import { applyEvents } from "../../projections/evolve.ts"
import { initialState, type WorkspaceState } from "../../projections/state.ts"
import { type ChainCheck, verifyChain } from "./chain.ts"
import { wasmSha256Hex } from "./sha256-wasm.ts"
import type { EventLog } from "./event-log.ts"

export interface StateAt {
  readonly seq: number
  readonly hash: string
  readonly at: string | null
  readonly state: WorkspaceState
}

/** The state at a point, folding this object's rows onto `from` (the archived prefix, if rows were pruned). */
export const stateAt = (log: EventLog, point: Point, from?: StateAt): StateAt => {
  // `at` never decreases along the log (event-log.ts), so "up to a time" is a prefix, like "up to a seq".
  let lastSeq = 0
  function* prefix() {
    for (const event of log.foldable(point)) {
      lastSeq = event.seq
      yield event
    }
  }
  // One fold over the whole prefix: the draft copies each touched record once, not once per event.
  const { state } = applyEvents(from?.state ?? initialState, prefix())
  if (lastSeq === 0) return from ?? { seq: 0, hash: GENESIS_HASH, at: null, state }
  const last = log.at(lastSeq)!
  return { seq: lastSeq, hash: last.hash, at: last.at, state }
}

/** Re-walks the rows this object holds, from the pruned horizon (or genesis) to the head. */
export const verifyLog = (log: EventLog): ChainCheck =>
  verifyChain(log.scan(), log.prunedThrough() ?? { seq: 0, hash: GENESIS_HASH }, wasmSha256Hex)
