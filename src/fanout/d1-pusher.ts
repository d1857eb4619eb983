// Feeds the D1 read models from this workspace's log: at least once, in order, in batches, from a
// cursor that moves only after D1 has committed the batch. A failed batch leaves the cursor where
// it was and backs off; the log keeps every event meanwhile, so a D1 outage delays rows, never loses them.
import { decodeEvent } from "../../events/index.ts"
import { d1ClearWorkspace, d1Statements, type Statement } from "../../projections/d1/statements.ts"
import type { EventLog } from "../workspace/event-log.ts"
import { type Cursors, describeError } from "./cursors.ts"
import { lagOf, type ProjectionLag } from "./status.ts"

/** Events per D1 batch: one transaction of roughly two statements per event. */
export const D1_BATCH_EVENTS = 250

export class D1Pusher {
  readonly #db: D1Database
  readonly #workspace: string
  readonly #log: EventLog
  readonly #cursors: Cursors
  /** Pushes run one at a time, so batches reach D1 in log order. */
  #queue: Promise<unknown> = Promise.resolve()

  constructor(db: D1Database, workspace: string, log: EventLog, cursors: Cursors) {
    this.#db = db
    this.#workspace = workspace
    this.#log = log
    this.#cursors = cursors
  }

  lag(): ProjectionLag {
    return lagOf(this.#cursors.get("d1"), this.#log.head.seq)
  }

  /** When the next push should run (epoch ms), or null when D1 has everything. */
  due(): number | null {
    const cursor = this.#cursors.get("d1")
    return cursor.seq < this.#log.head.seq ? cursor.nextAt : null
  }

  #serially<T>(work: () => Promise<T>): Promise<T> {
    const next = this.#queue.then(work, work)
    this.#queue = next.catch(() => undefined)
    return next
  }

  /** Sends the next batch after the cursor; on success the cursor moves past it. */
  push(maxEvents = D1_BATCH_EVENTS): Promise<ProjectionLag> {
    return this.#serially(async () => {
      const cursor = this.#cursors.get("d1")
      const events = this.#log.read(cursor.seq + 1, maxEvents)
      if (events.length === 0) return this.lag()
      try {
        await this.#run(events.flatMap((e) => d1Statements(this.#workspace, decodeEvent(e))))
        this.#cursors.advance("d1", events[events.length - 1]!.seq)
      } catch (error) {
        this.#cursors.fail("d1", describeError(error), Date.now())
      }
      return this.lag()
    })
  }

  /** Clears this workspace's rows and rewinds the cursor, so pushes rebuild them from the log. */
  reset(): Promise<ProjectionLag> {
    return this.#serially(async () => {
      await this.#run(d1ClearWorkspace(this.#workspace))
      this.#cursors.advance("d1", 0)
      return this.lag()
    })
  }

  /** One D1 batch: a single transaction, so a batch lands whole or not at all. */
  async #run(statements: ReadonlyArray<Statement>): Promise<void> {
    await this.#db.batch(statements.map((s) => this.#db.prepare(s.sql).bind(...s.params)))
  }
}
