// A batch of read-model statements with its row inserts gathered: every index row, run start and
// span of the batch goes in one statement per table (of at most MAX_ROWS rows) instead of one each.
// A tool call writes six events, so about a dozen statements, and D1 answers each statement of a
// batch with a result the binding parses in the Durable Object: per statement, that work is the
// object's, on every call (docs/benchmarks.md).
//
// Gathering moves an insert earlier, to where the first of its kind stood, never later. That keeps
// the batch's meaning: these inserts only add rows (ON CONFLICT DO NOTHING), no statement of a batch
// deletes from their tables, and the one statement that reads one of them back, a run's finish, comes
// after its own run's start in the log and so still finds its row. The rows' strings are
// well-formed already (statements.ts), so they come out of the JSON as they would have been bound.
import { MANY_ROWS, type Statement } from "./statements.ts"

/** Rows per gathered statement at most. */
export const MAX_ROWS = 100
/**
 * UTF-16 units of row values per gathered statement at most (a span's attributes are free text), so
 * its one JSON value stays below D1's 2 MB limit on a string: even if every unit were a control
 * character JSON escapes to six bytes, that is 1.5 MB.
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
    const chars = many === undefined ? 0 : charsOf(s.params)
    // A row too big to share a statement goes alone, bound as it is.
    if (many === undefined || chars > MAX_CHARS) {
      out.push(s)
      continue
    }
    let group = open.get(many)
    if (group === undefined || group.rows.length === MAX_ROWS || group.chars + chars > MAX_CHARS) {
      group = { sql: many, rows: [], chars: 0 }
      open.set(many, group)
      out.push(group)
    }
    group.rows.push(s.params)
    group.chars += chars
  }
  return out.map((s) => ("rows" in s ? { sql: s.sql, params: [JSON.stringify(s.rows)] } : s))
}
