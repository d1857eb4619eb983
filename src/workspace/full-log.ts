// The whole log, wherever its rows are: the R2 archive for seqs at or below the pruned horizon
// (retention), this object's SQLite for the rest. Everything that must see all of history reads
// through it: ListEvents, state at a point, and the D1 push (a rebuild starts from seq 1).
import { type Envelope, foldableEvent, type Point } from "../../events/index.ts"
import { applyEvents } from "../../projections/evolve.ts"
import { initialState } from "../../projections/state.ts"
import type { SegmentEntry } from "../../projections/archive/manifest.ts"
import { type ArchiveSource, readSegment } from "../../projections/archive/verify.ts"
import type { EventLog } from "./event-log.ts"
import { type StateAt, stateAt } from "./history.ts"

export class FullLog {
  readonly #log: EventLog
  readonly #archive: ArchiveSource
  readonly #segments: (from: number, to: number) => ReadonlyArray<SegmentEntry>

  constructor(log: EventLog, bucket: R2Bucket, segments: (from: number, to: number) => ReadonlyArray<SegmentEntry>) {
    this.#log = log
    this.#segments = segments
    this.#archive = {
      read: async (key) => {
        const object = await bucket.get(key)
        return object ? new Uint8Array(await object.arrayBuffer()) : null
      }
    }
  }

  #pruned(): number {
    return this.#log.prunedThrough()?.seq ?? 0
  }

  /** The archived envelopes with seq in [from, to], segment by segment, each checked against its sha256. */
  async *#archived(from: number, to: number): AsyncGenerator<ReadonlyArray<Envelope>> {
    for (const entry of this.#segments(from, to)) {
      const envelopes = await readSegment(this.#archive, entry)
      yield envelopes.filter((e) => e.seq >= from && e.seq <= to)
    }
  }

  /** One page of the whole log from `from`, in order. */
  async read(from: number, limit: number): Promise<Array<Envelope>> {
    const pruned = this.#pruned()
    if (from > pruned) return this.#log.read(from, limit)
    const page: Array<Envelope> = []
    for await (const part of this.#archived(from, Math.min(pruned, from + limit - 1))) page.push(...part)
    return page.length < limit ? [...page, ...this.#log.read(pruned + 1, limit - page.length)] : page
  }

  /** The state at a point: the archived prefix folded first, then this object's rows. */
  async stateAt(point: Point): Promise<StateAt> {
    const pruned = this.#log.prunedThrough()
    if (pruned === null) return stateAt(this.#log, point)
    let from: StateAt | undefined
    for await (const part of this.#archived(1, "seq" in point ? Math.min(point.seq, pruned.seq) : pruned.seq)) {
      const prefix = "time" in point ? part.filter((e) => e.at <= point.time) : part
      const last = prefix.at(-1)
      if (!last) break
      const state = applyEvents(from?.state ?? initialState, prefix.map((e) => foldableEvent(e.type, e.v, e.at, e.data))).state
      from = { seq: last.seq, hash: last.hash, at: last.at, state }
      if (prefix.length < part.length) return from
    }
    return stateAt(this.#log, point, from)
  }
}
