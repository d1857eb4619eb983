// A batch of read-model statements with its row inserts gathered: every index row, run start and
// span of the batch goes in one statement per table (of at most MAX_ROWS rows) instead of one each.
// A tool call writes six events, so about a dozen statements, and D1 answers each statement of a
// batch with a result the binding parses in the Durable Object: per statement, that work is the
// object's, on every call (docs/benchmarks.md).
//
// Gathering moves an insert earlier, to where the first of its kind stood, never later. That keeps
// the batch's meaning: these inserts only add rows (ON CONFLICT DO NOTHING), no statement of a batch
// deletes from their tables, and the one statement that reads one of them back, a run's finish, comes
// after its own run's start in the log and so still finds its row.
import { MANY_ROWS, type Statement } from "./statements.ts"

/** Rows per gathered statement at most. */
export const MAX_ROWS = 100
/**
 * Characters of row values per gathered statement at most (a span's attributes are free text), so
 * its one JSON value stays far below D1's 2 MB limit on a string.
 */
export const MAX_CHARS = 256 * 1024

interface Group {
  readonly sql: string
  readonly rows: Array<Statement["params"]>
  chars: number
}

const charsOf = (params: Statement["params"]) => params.reduce<number>((n, p) => n + (typeof p === "string" ? p.length : 8) + 4, 0)

export const gatherRows = (statements: ReadonlyArray<Statement>): Array<Statement> => {
  const out: Array<Statement | Group> = []
  const open = new Map<string, Group>()
  for (const s of statements) {
    const many = MANY_ROWS.get(s.sql)
    if (many === undefined) {
      out.push(s)
      continue
    }
    const chars = charsOf(s.params)
    let group = open.get(many)
    if (group === undefined || group.rows.length === MAX_ROWS || (group.rows.length > 0 && group.chars + chars > MAX_CHARS)) {
      group = { sql: many, rows: [], chars: 0 }
      open.set(many, group)
      out.push(group)
    }
    group.rows.push(s.params)
    group.chars += chars
  }
  return out.map((s) => ("rows" in s ? { sql: s.sql, params: [JSON.stringify(s.rows)] } : s))
}
