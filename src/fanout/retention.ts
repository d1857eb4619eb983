// Retention: once a workspace sets `keepDays` (berth workspace retention), log rows that the
// archive has sealed, D1 has taken, and that are older than that many days are pruned from the
// Durable Object. The archive keeps them; readers of the whole log (full-log.ts) read them from R2.
import type { EventLog } from "../workspace/event-log.ts"
import type { Cursors } from "./cursors.ts"

const DAY_MS = 86_400_000
/** Rows deleted per alarm at most, so one prune never holds the object for long; the rest follow at once. */
export const PRUNE_BATCH = 10_000

export class Retention {
  readonly #log: EventLog
  readonly #cursors: Cursors
  readonly #keepDays: () => number | undefined
  readonly #transactionSync: <T>(fn: () => T) => T

  constructor(log: EventLog, cursors: Cursors, keepDays: () => number | undefined, transactionSync: <T>(fn: () => T) => T) {
    this.#log = log
    this.#cursors = cursors
    this.#keepDays = keepDays
    this.#transactionSync = transactionSync
  }

  /** The highest seq every sink has taken: nothing above it may leave the object. The head always stays. */
  #safeLimit(): number {
    return Math.min(this.#cursors.get("archive").seq, this.#cursors.get("d1").seq, this.#log.head.seq - 1)
  }

  #firstKept() {
    return this.#log.read((this.#log.prunedThrough()?.seq ?? 0) + 1, 1)[0]
  }

  /** When the oldest kept row may go (epoch ms), or null: no retention, or nothing sealed to prune yet. */
  due(): number | null {
    const keep = this.#keepDays()
    if (keep === undefined) return null
    const first = this.#firstKept()
    if (!first || first.seq > this.#safeLimit()) return null
    return Date.parse(first.at) + keep * DAY_MS
  }

  /** Prunes the rows that may go now, at most PRUNE_BATCH of them; returns the new horizon. */
  prune(now = Date.now()): number {
    const keep = this.#keepDays()
    const pruned = this.#log.prunedThrough()?.seq ?? 0
    if (keep === undefined) return pruned
    const cutoff = new Date(now - keep * DAY_MS).toISOString()
    const limit = Math.min(this.#safeLimit(), pruned + PRUNE_BATCH)
    const horizon = this.#log.newestBefore(cutoff, limit)
    if (horizon === undefined || horizon <= pruned) return pruned
    this.#transactionSync(() => this.#log.prune(horizon))
    return horizon
  }
}
