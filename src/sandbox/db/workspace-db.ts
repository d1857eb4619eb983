// orbit.db's storage: a SQLite Durable Object per workspace (named by its slug), a class of its own so
// that no statement a script sends can reach the Workspace object's log, projections or vault. Each
// call is one statement in one transaction; a refusal or a failure leaves nothing written. Results
// cross RPC as plain values, `{ok, value}` or `{ok: false, error: {_tag, message}}`, for the caller
// to map onto its own typed errors (an Error thrown across RPC would keep only its message).
import { DurableObject } from "cloudflare:workers"
import type { Env } from "../../env.ts"
import { DEFAULT_DB_LIMITS, type DbLimits } from "./limits.ts"
import { scanStatement } from "./statement.ts"
import { paramsRule, rowValue, type SqlParam, type SqlValue, valueBytes } from "./values.ts"

export type { SqlParam, SqlValue } from "./values.ts"

export type DbErrorTag =
  /** The statement's text is past `statementBytes`. */
  | "DbStatementTooLarge"
  /** More bound parameters than `params`. */
  | "DbTooManyParams"
  /** A parameter SQLite would not keep as sent (a boolean, an object, NaN…). */
  | "DbParamRefused"
  /** Empty, more than one statement, a transaction statement, ATTACH, PRAGMA, or a sqlite_/_cf_ name. */
  | "DbStatementRefused"
  /** A query's rows are past `rows`. */
  | "DbTooManyRows"
  /** A query's rows are past `resultBytes`. */
  | "DbResultTooLarge"
  /** The statement would grow the database past `databaseBytes`. */
  | "DbFull"
  /** SQLite's own error: syntax, a missing table, a constraint, a wrong number of parameters. */
  | "DbError"

export interface DbFailure {
  readonly _tag: DbErrorTag
  readonly message: string
  /** For a limit: the limit and what the call came to (bytes, parameters, rows), as far as it was counted. */
  readonly limit?: number
  readonly actual?: number
}

export type DbResult<A> = { readonly ok: true; readonly value: A } | { readonly ok: false; readonly error: DbFailure }

export interface ExecResult {
  /** Rows SQLite read and wrote, triggers and indexes included (the cursor's own counts, as Cloudflare bills them). */
  readonly rowsRead: number
  readonly rowsWritten: number
}

export interface QueryResult extends ExecResult {
  /** Column names in order; a name may repeat (`SELECT a.id, b.id`). */
  readonly columns: ReadonlyArray<string>
  /** Each row an array of values in `columns`' order: arrays keep repeated names that objects would merge. */
  readonly rows: ReadonlyArray<ReadonlyArray<SqlValue>>
}

/** Thrown inside the transaction so that it rolls back, and caught at once: it never leaves this file. */
class Refusal extends Error {
  constructor(readonly failure: DbFailure) {
    super(failure.message)
  }
}

const failed = (failure: DbFailure) => ({ ok: false, error: failure }) as const
const utf8 = new TextEncoder()

export class WorkspaceDb extends DurableObject<Env> {
  /** Runs one statement for its effect; any rows it returns are read to the end and dropped. */
  exec(sql: string, params: ReadonlyArray<SqlParam> = []): DbResult<ExecResult> {
    return this.#run(sql, params, false)
  }

  /** Runs one statement and returns its rows, refusing past the row and size limits. */
  query(sql: string, params: ReadonlyArray<SqlParam> = []): DbResult<QueryResult> {
    return this.#run(sql, params, true) as DbResult<QueryResult>
  }

  #run(sql: unknown, params: unknown, keepRows: boolean): DbResult<ExecResult | QueryResult> {
    const limits = DEFAULT_DB_LIMITS
    const refused = checkCall(sql, params, limits)
    if (refused) return failed(refused)
    const scanned = scanStatement(sql as string)
    if (!scanned.ok) return failed({ _tag: "DbStatementRefused", message: scanned.reason })
    const storage = this.ctx.storage
    const sizeBefore = storage.sql.databaseSize
    try {
      return storage.transactionSync(() => {
        const cursor = storage.sql.exec(scanned.text, ...(params as Array<SqlParam>))
        const rows = keepRows ? collectRows(cursor, limits) : undefined
        if (!keepRows) drain(cursor)
        // Past the cap only by growing: a DELETE or UPDATE in a database already at it still runs.
        const size = storage.sql.databaseSize
        if (size > limits.databaseBytes && size > sizeBefore)
          throw new Refusal({
            _tag: "DbFull",
            message: `the statement would grow the database to ${size} bytes; a workspace's database is at most ${limits.databaseBytes}`,
            limit: limits.databaseBytes,
            actual: size
          })
        const counts = { rowsRead: cursor.rowsRead, rowsWritten: cursor.rowsWritten }
        return { ok: true, value: rows ? { ...counts, columns: cursor.columnNames, rows } : counts } as const
      })
    } catch (error) {
      if (error instanceof Refusal) return failed(error.failure)
      return failed({ _tag: "DbError", message: error instanceof Error ? error.message : String(error) })
    }
  }
}

/** The call's own limits, checked before SQLite sees it. */
const checkCall = (sql: unknown, params: unknown, limits: DbLimits): DbFailure | undefined => {
  if (typeof sql !== "string") return { _tag: "DbStatementRefused", message: "the statement is a string of SQL" }
  // UTF-8 never takes fewer bytes than UTF-16 code units, so a long string is refused without encoding it.
  const bytes = sql.length > limits.statementBytes ? sql.length : utf8.encode(sql).byteLength
  if (bytes > limits.statementBytes)
    return {
      _tag: "DbStatementTooLarge",
      message: `the statement is ${sql.length > limits.statementBytes ? "over " : ""}${bytes} bytes; a statement is at most ${limits.statementBytes}`,
      limit: limits.statementBytes,
      actual: bytes
    }
  const rule = paramsRule(params)
  if (rule) return { _tag: "DbParamRefused", message: rule }
  const count = (params as Array<unknown>).length
  if (count > limits.params)
    return { _tag: "DbTooManyParams", message: `${count} parameters; a statement takes at most ${limits.params}`, limit: limits.params, actual: count }
  return undefined
}

const drain = (cursor: SqlStorageCursor<Record<string, SqlStorageValue>>): void => {
  // The counts are complete only once the statement has run to its end (INSERT … RETURNING writes as it is read).
  const rows = cursor.raw()
  while (!rows.next().done);
}

/** The rows, or a Refusal thrown at the first row past a limit. */
const collectRows = (cursor: SqlStorageCursor<Record<string, SqlStorageValue>>, limits: DbLimits): Array<Array<SqlValue>> => {
  const rows: Array<Array<SqlValue>> = []
  let bytes = 0
  for (const raw of cursor.raw()) {
    if (rows.length === limits.rows)
      throw new Refusal({
        _tag: "DbTooManyRows",
        message: `the query returns more than ${limits.rows} rows; add a LIMIT, or page with WHERE`,
        limit: limits.rows,
        actual: rows.length + 1
      })
    const row = raw.map(rowValue)
    bytes += row.reduce<number>((sum, value) => sum + valueBytes(value), 0)
    if (bytes > limits.resultBytes)
      throw new Refusal({
        _tag: "DbResultTooLarge",
        message: `the query's rows come to more than ${limits.resultBytes} bytes by row ${rows.length + 1}; select fewer columns or rows`,
        limit: limits.resultBytes,
        actual: bytes
      })
    rows.push(row)
  }
  return rows
}
