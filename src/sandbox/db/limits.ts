// What one call to a workspace's database may ask for, and how large the database may grow. The
// statement and parameter limits are Cloudflare's own for Durable Object SQL; checking them here gives
// a script the same answer locally, where workerd does not enforce them.
export interface DbLimits {
  /** The statement's text, in UTF-8 bytes. */
  readonly statementBytes: number
  /** Bound parameters (`?`) per statement. */
  readonly params: number
  /** Rows a query may return; past it the query is refused, never cut short. */
  readonly rows: number
  /** A query's rows in bytes (UTF-8 text, blob bytes, 8 per number), so one answer cannot exhaust memory. */
  readonly resultBytes: number
  /** The database file; a statement that would grow it past this is rolled back. */
  readonly databaseBytes: number
}

export const DEFAULT_DB_LIMITS: DbLimits = {
  statementBytes: 100_000,
  params: 100,
  rows: 1_000,
  resultBytes: 4 * 1024 * 1024,
  databaseBytes: 100 * 1024 * 1024
}
