// Which statements a workspace's database accepts: exactly one, and none that reaches past the
// workspace's own tables. workerd runs every statement of "a; b" (and keeps `a` when `b` fails), so
// this scanner finds where the first statement ends, the way SQLite's tokenizer would, and refuses
// anything after it. The runtime's authorizer stays the real boundary (it refuses ATTACH, _cf_ tables
// and writable_schema on its own); these rules give a script a clear answer before SQLite sees it.

/** The one statement to run, through its closing `;` (workerd reads a comment after it as an empty statement). */
export type Scanned = { readonly ok: true; readonly text: string } | { readonly ok: false; readonly reason: string }

/** SQLite runs each call in a transaction of the Durable Object's own; these would fight it. */
const TRANSACTION = new Set(["BEGIN", "COMMIT", "END", "ROLLBACK", "SAVEPOINT", "RELEASE"])
/** Anywhere in a statement: another database, or the engine's settings. */
const REFUSED_WORDS = new Set(["ATTACH", "DETACH", "PRAGMA"])
/** SQLite's schema tables (sqlite_master, sqlite_schema, sqlite_sequence…), the runtime's own tables, pragma table functions. */
const REFUSED_PREFIXES = ["SQLITE_", "_CF_", "PRAGMA_"]

interface Tokens {
  /** Bare words, upper-cased: keywords and unquoted names. */
  readonly words: Array<string>
  /** Names written "quoted", `quoted` or [quoted], upper-cased, without their quotes. */
  readonly quoted: Array<string>
  /** Index just past the `;` that ends the first statement, or the text's length. */
  end: number
  /** True when anything but whitespace and comments follows that `;`. */
  more: boolean
}

const isSpace = (c: string) => c === " " || c === "\t" || c === "\n" || c === "\r" || c === "\f" || c === "\v"
// SQLite's identifier characters: ASCII letters and digits, `_`, `$`, and anything past ASCII.
const isWordChar = (c: string) => /[A-Za-z0-9_$]/.test(c) || c.charCodeAt(0) > 0x7f

/** Index past a quoted run opened at `start` by `open`; `close` doubled inside is an escaped quote. Unclosed runs to the end, as SQLite reads it. */
const skipQuoted = (sql: string, start: number, close: string): number => {
  let i = start + 1
  while (i < sql.length) {
    const at = sql.indexOf(close, i)
    if (at < 0) return sql.length
    if (close !== "]" && sql[at + 1] === close) i = at + 2
    else return at + 1
  }
  return sql.length
}

/** Index past whitespace and comments from `i`. */
const skipBlank = (sql: string, i: number): number => {
  while (i < sql.length) {
    if (isSpace(sql[i]!)) i++
    else if (sql.startsWith("--", i)) {
      const eol = sql.indexOf("\n", i)
      i = eol < 0 ? sql.length : eol + 1
    } else if (sql.startsWith("/*", i)) {
      const close = sql.indexOf("*/", i + 2)
      i = close < 0 ? sql.length : close + 2
    } else break
  }
  return i
}

const tokenize = (sql: string): Tokens => {
  const tokens: Tokens = { words: [], quoted: [], end: sql.length, more: false }
  const { words } = tokens
  // Inside CREATE TRIGGER … BEGIN … END the body's statements end in `;` too: as in sqlite3_complete(),
  // only a `;` after END closes it. A `CASE … END;` in a body therefore reads as the end, and the rest
  // is refused as a second statement: the safe way to be wrong.
  const isTrigger = () =>
    words[0] === "CREATE" && (words[1] === "TRIGGER" || ((words[1] === "TEMP" || words[1] === "TEMPORARY") && words[2] === "TRIGGER"))
  let last = ""
  let i = skipBlank(sql, 0)
  while (i < sql.length) {
    const c = sql[i]!
    if (c === ";") {
      if (!isTrigger() || last === "END") {
        tokens.end = i + 1
        tokens.more = skipBlank(sql, i + 1) < sql.length
        return tokens
      }
      last = ";"
      i++
    } else if (c === "'") {
      i = skipQuoted(sql, i, "'")
      last = "'"
    } else if (c === '"' || c === "`" || c === "[") {
      const close = c === "[" ? "]" : c
      const next = skipQuoted(sql, i, close)
      tokens.quoted.push(sql.slice(i + 1, next - 1).replaceAll(close + close, close).toUpperCase())
      i = next
      last = c
    } else if (isWordChar(c)) {
      let j = i + 1
      while (j < sql.length && isWordChar(sql[j]!)) j++
      last = sql.slice(i, j).toUpperCase()
      words.push(last)
      i = j
    } else {
      last = c
      i++
    }
    i = skipBlank(sql, i)
  }
  return tokens
}

/** The statement to run, or why it is refused. */
export const scanStatement = (sql: string): Scanned => {
  const tokens = tokenize(sql)
  const { words, quoted } = tokens
  if (words.length === 0 && quoted.length === 0) return { ok: false, reason: "the statement is empty" }
  if (tokens.more) return { ok: false, reason: "one statement per call: nothing may follow the first statement's ';'" }
  // EXPLAIN [QUERY PLAN] wraps a statement; the rules are the wrapped statement's.
  const verb = words.find((w) => w !== "EXPLAIN" && w !== "QUERY" && w !== "PLAN") ?? ""
  if (TRANSACTION.has(verb))
    return { ok: false, reason: `${verb} is refused: each call is its own transaction, committed when it succeeds and rolled back when it fails` }
  if (verb === "VACUUM") return { ok: false, reason: "VACUUM is refused: the runtime manages the database file" }
  const word = words.find((w) => REFUSED_WORDS.has(w))
  if (word) return { ok: false, reason: `${word} is refused: a workspace has one database, and its settings are the plane's` }
  const name = [...words, ...quoted].find((n) => REFUSED_PREFIXES.some((p) => n.startsWith(p)))
  if (name)
    return { ok: false, reason: `${name.toLowerCase()} is refused: names beginning sqlite_, _cf_ or pragma_ are SQLite's and the runtime's, not the workspace's` }
  return { ok: true, text: sql.slice(0, tokens.end) }
}
