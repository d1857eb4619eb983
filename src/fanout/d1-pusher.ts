// Feeds the D1 read models from this workspace's log: at least once, in order, in batches, from a
// cursor that moves only after D1 has committed the batch. A failed batch leaves the cursor where
// it was and backs off; the log keeps every event meanwhile, so a D1 outage delays rows, never loses them.
import { decodeEvent, type Envelope } from "../../events/index.ts"
import { gatherRows } from "../../projections/d1/bulk.ts"
import { d1ClearWorkspace, d1Statements, type Statement } from "../../projections/d1/statements.ts"
import type { EventLog } from "../workspace/event-log.ts"
import { type Cursors, describeError } from "./cursors.ts"
import { SerialQueue } from "./serial-queue.ts"
import { lagOf, type ProjectionLag } from "./status.ts"

/** Events per D1 batch at most: one transaction of roughly two statements per event. */
export const D1_BATCH_EVENTS = 250
/**
 * Statements per batch at most. A Worker invocation may send D1 at most 1,000 queries, and a batch
 * counts each statement; a plugin discovery with hundreds of tools is one event but that many upserts.
 */
export const D1_BATCH_STATEMENTS = 500
/**
 * Under steady appends, pushes start at most this often, so one batch carries many events instead
 * of one push per command (a tool call is two). After a quiet spell the first push goes at once, and
 * so does one with a whole batch (D1_BATCH_EVENTS) waiting: paced, D1 could take at most that many
 * events per interval, and would fall behind a busier log.
 */
export const D1_PUSH_INTERVAL_MS = 50

/**
 * The longest prefix of `events` whose statements fit the budget, as batches to send in order. It
 * is one batch, unless a single event alone is over the budget (a discovery of very many tools):
 * then that event's statements go in several batches, its index row last, so the event counts as
 * in D1 only once all its rows are. Every statement is idempotent, so a retry after a partial send is safe.
 * A batch's row inserts go as one statement per table (gatherRows); the budget counts them one by one.
 */
const planBatches = (workspace: string, events: ReadonlyArray<Envelope>) => {
  const statements: Array<Statement> = []
  let last = 0
  for (const envelope of events) {
    const next = d1Statements(workspace, decodeEvent(envelope))
    if (statements.length > 0 && statements.length + next.length > D1_BATCH_STATEMENTS) break
    statements.push(...next)
    last = envelope.seq
  }
  if (statements.length <= D1_BATCH_STATEMENTS) return { batches: [gatherRows(statements)], last }
  const [index, ...rows] = statements
  const ordered = [...rows, index!]
  const batches = Array.from({ length: Math.ceil(ordered.length / D1_BATCH_STATEMENTS) }, (_, i) =>
    ordered.slice(i * D1_BATCH_STATEMENTS, (i + 1) * D1_BATCH_STATEMENTS)
  )
  return { batches, last }
}

export class D1Pusher {
  readonly #db: D1Database
  readonly #workspace: string
  readonly #log: EventLog
  /** Reads the whole log, archive included: a rebuild after retention pruned rows starts in R2. */
  readonly #read: (from: number, limit: number) => Promise<ReadonlyArray<Envelope>>
  readonly #cursors: Cursors
  /** When the last push started (epoch ms), for D1_PUSH_INTERVAL_MS. */
  #lastPushAt = 0
  /** Pushes run one at a time, so batches reach D1 in log order. */
  readonly #queue = new SerialQueue()

  constructor(
    db: D1Database,
    workspace: string,
    log: EventLog,
    read: (from: number, limit: number) => Promise<ReadonlyArray<Envelope>>,
    cursors: Cursors
  ) {
    this.#db = db
    this.#workspace = workspace
    this.#log = log
    this.#read = read
    this.#cursors = cursors
  }

  lag(): ProjectionLag {
    return lagOf(this.#cursors.get("d1"), this.#log.head.seq)
  }

  /** When the next push should run (epoch ms), or null when D1 has everything. */
  due(): number | null {
    const cursor = this.#cursors.get("d1")
    const waiting = this.#log.head.seq - cursor.seq
    if (waiting <= 0) return null
    return waiting >= D1_BATCH_EVENTS ? cursor.nextAt : Math.max(cursor.nextAt, this.#lastPushAt + D1_PUSH_INTERVAL_MS)
  }

  /** Sends the next batch after the cursor (up to `maxEvents`, within the statement budget); on success the cursor moves past it. */
  push(maxEvents = D1_BATCH_EVENTS): Promise<ProjectionLag> {
    return this.#queue.run(async () => {
      this.#lastPushAt = Date.now()
      const cursor = this.#cursors.get("d1")
      try {
        const events = await this.#read(cursor.seq + 1, maxEvents)
        if (events.length === 0) return this.lag()
        const { batches, last } = planBatches(this.#workspace, events)
        for (const batch of batches) await this.#run(batch)
        this.#cursors.advance("d1", last)
      } catch (error) {
        this.#cursors.fail("d1", describeError(error), Date.now())
      }
      return this.lag()
    })
  }

  /** Clears this workspace's rows and rewinds the cursor, so pushes rebuild them from the log. */
  reset(): Promise<ProjectionLag> {
    return this.#queue.run(async () => {
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
