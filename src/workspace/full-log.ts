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

  /**
   * One page of the whole log from `from`, in order. Retention may prune more rows while the archive
   * is read, so the horizon is checked again after each await, and this object's rows are read only
   * with no await between that check and the read.
   */
  async read(from: number, limit: number): Promise<Array<Envelope>> {
    const page: Array<Envelope> = []
    let next = from
    while (page.length < limit) {
      const pruned = this.#pruned()
      if (next > pruned) return [...page, ...this.#log.read(next, limit - page.length)]
      const before = page.length
      for await (const part of this.#archived(next, Math.min(pruned, next + limit - page.length - 1))) page.push(...part)
      if (page.length === before) throw new Error(`the archive holds no segment for seq ${next}, which this workspace pruned`)
      next = page[page.length - 1]!.seq + 1
    }
    return page
  }

  /** The state at a point: the archived prefix folded first, then this object's rows (checked as `read` is). */
  async stateAt(point: Point): Promise<StateAt> {
    let from: StateAt | undefined
    let next = 1
    for (;;) {
      const pruned = this.#pruned()
      const upTo = "seq" in point ? Math.min(point.seq, pruned) : pruned
      if (next > upTo) return stateAt(this.#log, point, from)
      for await (const part of this.#archived(next, upTo)) {
        const prefix = "time" in point ? part.filter((e) => e.at <= point.time) : part
        const last = prefix.at(-1)
        if (last) {
          const state = applyEvents(from?.state ?? initialState, prefix.map((e) => foldableEvent(e.type, e.v, e.at, e.data))).state
          from = { seq: last.seq, hash: last.hash, at: last.at, state }
        }
        // A time point inside the archive: nothing after it counts, in the archive or in this object.
        if (prefix.length < part.length) return from ?? stateAt(this.#log, { seq: 0 })
      }
      next = upTo + 1
    }
  }
}
