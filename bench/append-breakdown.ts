// The steps of one append, each run alone over the same envelopes, to show where an append's time
// goes. Bundled like the Worker (see bundle-like-wrangler.ts); each step returns something derived
// from its work so that none of it is dead code.
import canonicalize from "canonicalize"
import { monotonicFactory } from "ulid"
import type { DomainEvent, Envelope, StoredEvent } from "../events/index.ts"
import type { Changes } from "../projections/draft.ts"
import { applyEvents, replay } from "../projections/evolve.ts"
import { initialState, type WorkspaceState } from "../projections/state.ts"
import { jcsEnvelopeTail, sharedHashedText } from "../src/workspace/chain.ts"
import { ProjectionStore } from "../src/workspace/projection-store.ts"
import { wasmSha256HexOf4 } from "../src/workspace/sha256-wasm.ts"

export interface Transition {
  readonly after: WorkspaceState
  readonly changes: Changes
}

export const appendSteps = {
  /** `monotonicFactory()` ids, one per event. */
  ulid: (count: number): number => {
    const next = monotonicFactory()
    let length = 0
    for (let i = 0; i < count; i++) length += next().length
    return length
  },
  /** RFC 8785 of the envelope without its hash, in the pieces the append hashes: the shared text
   * between prevHash and data once per transaction (with the actor canonicalized), each event's
   * data once (that text is also its `data` column), and the rest of its envelope. It builds the
   * same pieces as `hashInputs` below but keeps none of them: timing `hashInputs` instead measured
   * its arrays too (8.2 µs against 3.3 in one run). */
  jcs: (envelopes: ReadonlyArray<Envelope>, perTransaction: number): number => {
    let length = 0
    let shared = ""
    envelopes.forEach((e, i) => {
      if (i % perTransaction === 0) shared = sharedHashedText(e.at, canonicalize(e.actor)!, e.causationId, e.correlationId)
      length += shared.length + canonicalize(e.data)!.length + jcsEnvelopeTail(e).length
    })
    return length
  },
  /** The four pieces each envelope's hash covers (untimed setup), built as the append builds them. */
  hashInputs: (envelopes: ReadonlyArray<Envelope>, perTransaction: number): Array<readonly [string, string, string, string]> => {
    let shared = ""
    return envelopes.map((e, i) => {
      if (i % perTransaction === 0) shared = sharedHashedText(e.at, canonicalize(e.actor)!, e.causationId, e.correlationId)
      return [e.prevHash, shared, canonicalize(e.data)!, jcsEnvelopeTail(e)] as const
    })
  },
  /** sha256 hex of those pieces, as the append does it: each written into the module's buffer (src/workspace/sha256-wasm.ts). */
  sha256: (pieces: ReadonlyArray<readonly [string, string, string, string]>): number => {
    let length = 0
    for (const [a, b, c, d] of pieces) length += wasmSha256HexOf4(a, b, c, d).length
    return length
  },
  /** evolve over each transaction's events, from `state`. */
  evolve: (batches: ReadonlyArray<ReadonlyArray<Envelope>>, state: WorkspaceState): Array<Transition> => {
    const transitions: Array<Transition> = []
    for (const batch of batches) {
      const { state: after, changes } = applyEvents(state, batch as ReadonlyArray<StoredEvent>)
      transitions.push({ after, changes })
      state = after
    }
    return transitions
  },
  /** ProjectionStore.save for each transition, one transaction each. */
  saveProjection: (ctx: DurableObjectState, transitions: ReadonlyArray<Transition>): void => {
    const store = new ProjectionStore(ctx.storage.sql)
    for (const { after, changes } of transitions) ctx.storage.transactionSync(() => store.save(after, changes))
  }
}

/** Domain events as stored ones, for evolve alone (it reads only `type`, `data` and `at`). */
const asStored = (events: ReadonlyArray<DomainEvent>): Array<StoredEvent> =>
  events.map((e, i) => ({ ...e, seq: i + 1, at: "2026-11-20T10:00:00.000Z" }) as unknown as StoredEvent)

/** The state after `opening` (which leaves runs open), and the measured events as stored ones. */
export const evolveInput = (opening: ReadonlyArray<DomainEvent>, measured: ReadonlyArray<DomainEvent>) => ({
  state: replay(asStored(opening), initialState),
  events: asStored(measured)
})
