// The steps of one append, each run alone over the same envelopes, to show where an append's time
// goes. Bundled like the Worker (see bundle-like-wrangler.ts); each step returns something derived
// from its work so that none of it is dead code.
import canonicalize from "canonicalize"
import { monotonicFactory } from "ulid"
import type { DomainEvent, Envelope, StoredEvent } from "../events/index.ts"
import type { Changes } from "../projections/draft.ts"
import { applyEvents, replay } from "../projections/evolve.ts"
import { initialState, type WorkspaceState } from "../projections/state.ts"
import { jcsEnvelope, type UnhashedEnvelope } from "../src/workspace/chain.ts"
import { ProjectionStore } from "../src/workspace/projection-store.ts"
import { wasmSha256Hex } from "../src/workspace/sha256-wasm.ts"

export interface Transition {
  readonly after: WorkspaceState
  readonly changes: Changes
}

const unhashed = ({ hash: _, ...rest }: Envelope): UnhashedEnvelope => rest

export const appendSteps = {
  /** `monotonicFactory()` ids, one per event. */
  ulid: (count: number): number => {
    const next = monotonicFactory()
    let length = 0
    for (let i = 0; i < count; i++) length += next().length
    return length
  },
  /** RFC 8785 of the envelope without its hash, as the append computes it: the actor canonicalized
   * once per transaction, each event's data once (that text is also its `data` column). The text is
   * dropped at once, as in the append path, where the hash consumes it. */
  jcs: (envelopes: ReadonlyArray<Envelope>, perTransaction: number): number => {
    let length = 0
    let actor = ""
    envelopes.forEach((e, i) => {
      if (i % perTransaction === 0) actor = canonicalize(e.actor)!
      length += jcsEnvelope(unhashed(e), { actor, data: canonicalize(e.data)! }).length
    })
    return length
  },
  /**
   * The texts the chain hashes (untimed setup), built as the append builds them: by concatenation,
   * so each is a tree of string pieces that the hash's UTF-8 encoding flattens first. That flattening
   * (about half of the step) is part of hashing in the append too; JCS above only builds the tree.
   */
  hashInputs: (envelopes: ReadonlyArray<Envelope>): Array<string> => envelopes.map((e) => e.prevHash + "\n" + jcsEnvelope(unhashed(e))),
  /** sha256 hex of that text, as the append does it (src/workspace/sha256-wasm.ts). */
  sha256: (texts: ReadonlyArray<string>): number => {
    let length = 0
    for (const text of texts) length += wasmSha256Hex(text).length
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
