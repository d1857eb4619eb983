// Where each async projection stands in this workspace's log: the last seq it has durably taken,
// and, while its sink fails, how often it has failed and when to try again. One row per projection
// in the Durable Object's SQLite, next to the log, so a restart resumes exactly where it stopped.
import type { Cursor } from "./status.ts"

const SCHEMA = `
CREATE TABLE IF NOT EXISTS fanout_cursors (
  projection TEXT PRIMARY KEY,
  seq INTEGER NOT NULL,
  attempts INTEGER NOT NULL,
  next_at INTEGER NOT NULL,
  last_error TEXT
) WITHOUT ROWID;
`

export type Projection = "d1" | "archive"

const FIRST_RETRY_MS = 250
const MAX_RETRY_MS = 60_000

/** Exponential backoff: 250 ms after the first failure, doubling, at most a minute. */
export const retryDelay = (attempts: number): number => Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** Math.max(0, attempts - 1))

export class Cursors {
  readonly #sql: SqlStorage

  constructor(sql: SqlStorage) {
    this.#sql = sql
    sql.exec(SCHEMA)
  }

  get(projection: Projection): Cursor {
    const row = this.#sql
      .exec<{ seq: number; attempts: number; next_at: number; last_error: string | null }>(
        "SELECT seq, attempts, next_at, last_error FROM fanout_cursors WHERE projection = ?",
        projection
      )
      .toArray()[0]
    return row ? { seq: row.seq, attempts: row.attempts, nextAt: row.next_at, lastError: row.last_error } : { seq: 0, attempts: 0, nextAt: 0, lastError: null }
  }

  #put(projection: Projection, cursor: Cursor): void {
    this.#sql.exec(
      "INSERT OR REPLACE INTO fanout_cursors (projection, seq, attempts, next_at, last_error) VALUES (?, ?, ?, ?, ?)",
      projection,
      cursor.seq,
      cursor.attempts,
      cursor.nextAt,
      cursor.lastError
    )
  }

  /** The sink took everything up to `seq`: move on and forget earlier failures. */
  advance(projection: Projection, seq: number): void {
    this.#put(projection, { seq, attempts: 0, nextAt: 0, lastError: null })
  }

  /** The sink failed: stay put, and wait longer before each further try. */
  fail(projection: Projection, error: string, now: number): Cursor {
    const current = this.get(projection)
    const attempts = current.attempts + 1
    const failed = { seq: current.seq, attempts, nextAt: now + retryDelay(attempts), lastError: error }
    this.#put(projection, failed)
    return failed
  }
}

export const describeError = (error: unknown): string => (error instanceof Error ? error.message : String(error)).slice(0, 500)
