// Remembers the first result of each idempotency key, so a retried command appends nothing and
// returns what the first attempt returned. The command's hash catches a key reused for another command.
const SCHEMA = `
CREATE TABLE IF NOT EXISTS idempotency (
  key TEXT PRIMARY KEY,
  command_hash TEXT NOT NULL,
  result TEXT NOT NULL,
  at TEXT NOT NULL
) WITHOUT ROWID;
`

export interface Remembered<R> {
  readonly commandHash: string
  readonly result: R
}

export class IdempotencyStore {
  readonly #sql: SqlStorage

  constructor(sql: SqlStorage) {
    this.#sql = sql
    sql.exec(SCHEMA)
  }

  recall<R>(key: string): Remembered<R> | undefined {
    const row = this.#sql
      .exec<{ command_hash: string; result: string }>("SELECT command_hash, result FROM idempotency WHERE key = ?", key)
      .toArray()[0]
    return row && { commandHash: row.command_hash, result: JSON.parse(row.result) }
  }

  remember(key: string, commandHash: string, result: unknown): void {
    this.#sql.exec(
      "INSERT INTO idempotency (key, command_hash, result, at) VALUES (?, ?, ?, ?)",
      key,
      commandHash,
      JSON.stringify(result),
      new Date().toISOString()
    )
  }
}
