// orbit.db's storage against real Durable Object SQLite: one WorkspaceDb per workspace, apart from
// the log's object. Statements run with their parameters and come back as plain values; each limit
// and each refused statement answers with its tag and leaves nothing written; SQLite's own errors come
// back as DbError with SQLite's message.
import { runInDurableObject } from "cloudflare:test"
import { env } from "cloudflare:workers"
import { describe, expect, it } from "vitest"
import { DEFAULT_DB_LIMITS } from "../../src/sandbox/db/limits.ts"
import type { DbResult, SqlParam } from "../../src/sandbox/db/workspace-db.ts"
import { freshSlug } from "../workspace/workspace-client.ts"

const dbOf = (slug: string) => env.WORKSPACE_DB.getByName(slug)

/** A fresh workspace database with a `notes` table. */
const notesDb = async () => {
  const db = dbOf(freshSlug("db"))
  expect(await db.exec("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL UNIQUE, score REAL, data BLOB)")).toMatchObject({ ok: true })
  return db
}

const value = <A>(result: DbResult<A>): A => {
  if (!result.ok) throw new Error(`expected ok, got ${result.error._tag}: ${result.error.message}`)
  return result.value
}

const count = async (db: ReturnType<typeof dbOf>) => value(await db.query("SELECT count(*) FROM notes")).rows[0]![0]

/** Fills `notes` with `n` rows, one statement. */
const fill = (db: ReturnType<typeof dbOf>, n: number) =>
  db.exec("WITH RECURSIVE i(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM i WHERE n < ?) INSERT INTO notes (body) SELECT 'note ' || n FROM i", [n])

describe("WorkspaceDb", () => {
  it("creates a table, inserts with parameters and queries them back as columns and row arrays", async () => {
    const db = await notesDb()
    const inserted = await db.exec("INSERT INTO notes (body, score, data) VALUES (?, ?, ?)", ["hello", 1.5, new Uint8Array([1, 2, 3])])
    expect(inserted).toEqual({ ok: true, value: { rowsRead: expect.any(Number), rowsWritten: expect.any(Number) } })
    expect(value(inserted).rowsWritten).toBeGreaterThanOrEqual(1)
    // An ArrayBuffer parameter is bytes too.
    expect(await db.exec("INSERT INTO notes (body, score, data) VALUES (?, ?, ?)", ["bye", null, new Uint8Array([9]).buffer])).toMatchObject({ ok: true })

    const read = value(await db.query("SELECT id, body, score, data FROM notes WHERE body = ? OR score IS NULL ORDER BY id", ["hello"]))
    expect(read.columns).toEqual(["id", "body", "score", "data"])
    expect(read.rows).toEqual([
      [1, "hello", 1.5, new Uint8Array([1, 2, 3])],
      [2, "bye", null, new Uint8Array([9])]
    ])
    expect(read.rows[0]![3]).toBeInstanceOf(Uint8Array)
    expect(read.rowsRead).toBeGreaterThanOrEqual(2)
    expect(read.rowsWritten).toBe(0)

    // Repeated column names survive, which objects would merge.
    expect(value(await db.query("SELECT a.id, b.id FROM notes a JOIN notes b ON a.id = b.id WHERE a.id = 1")).rows).toEqual([[1, 1]])
    // A write through query returns its rows and its counts; a comment after the closing ';' is fine.
    const returned = value(await db.query("INSERT INTO notes (body) VALUES (?) RETURNING id, body; -- the third", ["third"]))
    expect(returned).toMatchObject({ columns: ["id", "body"], rows: [[3, "third"]] })
    expect(returned.rowsWritten).toBeGreaterThanOrEqual(1)
    // exec drops rows; its counts are the whole statement's.
    expect(value(await db.exec("SELECT * FROM notes"))).toMatchObject({ rowsRead: 3, rowsWritten: 0 })
  })

  it("a table named like the log's is the workspace's own: this is not the log's storage", async () => {
    const db = dbOf(freshSlug("db"))
    value(await db.exec("CREATE TABLE events (seq INTEGER PRIMARY KEY, type TEXT)"))
    expect(value(await db.query("SELECT count(*) AS n FROM events"))).toMatchObject({ columns: ["n"], rows: [[0]] })
  })

  it("two workspaces' databases are separate: the same table name holds different rows", async () => {
    const [a, b] = [dbOf(freshSlug("db-a")), dbOf(freshSlug("db-b"))]
    for (const [db, who] of [[a, "alpha"], [b, "beta"]] as const) {
      value(await db.exec("CREATE TABLE owners (name TEXT)"))
      value(await db.exec("INSERT INTO owners VALUES (?)", [who]))
    }
    expect(value(await a.query("SELECT name FROM owners")).rows).toEqual([["alpha"]])
    expect(value(await b.query("SELECT name FROM owners")).rows).toEqual([["beta"]])
  })

  it("SQLite's own errors come back as DbError with SQLite's message, and nothing is written", async () => {
    const db = await notesDb()
    expect(await db.exec("SELEC 1")).toEqual({ ok: false, error: { _tag: "DbError", message: expect.stringContaining('near "SELEC": syntax error') } })
    expect(await db.query("SELECT * FROM missing")).toMatchObject({ ok: false, error: { _tag: "DbError", message: expect.stringContaining("no such table: missing") } })
    expect(await db.exec("INSERT INTO notes (body) VALUES (?)", [])).toMatchObject({ ok: false, error: { _tag: "DbError", message: expect.stringContaining("parameter") } })
    value(await db.exec("INSERT INTO notes (body) VALUES ('once')"))
    // Two rows in one statement, the second a duplicate: the statement is atomic, so neither is kept.
    expect(await db.exec("INSERT INTO notes (body) VALUES ('twice'), ('once')")).toMatchObject({
      ok: false,
      error: { _tag: "DbError", message: expect.stringContaining("UNIQUE constraint failed: notes.body") }
    })
    expect(await count(db)).toBe(1)
  })

  describe("limits, each refused with its tag and nothing written", () => {
    it("a statement past 100,000 UTF-8 bytes", async () => {
      const db = await notesDb()
      // 50,001 two-byte characters: under the limit in characters, over it in bytes.
      const wide = await db.exec("INSERT INTO notes (body) VALUES (?)".replace("?", `'${"é".repeat(50_001)}'`))
      expect(wide).toMatchObject({ ok: false, error: { _tag: "DbStatementTooLarge", limit: 100_000, message: expect.stringContaining("at most 100000") } })
      const long = await db.exec(`INSERT INTO notes (body) VALUES ('${"x".repeat(200_000)}')`)
      expect(long).toMatchObject({ ok: false, error: { _tag: "DbStatementTooLarge", limit: 100_000 } })
      expect(await count(db)).toBe(0)
      // The same text as a parameter is not the statement's size.
      value(await db.exec("INSERT INTO notes (body) VALUES (?)", ["é".repeat(50_001)]))
    })

    it("more than 100 parameters", async () => {
      const db = await notesDb()
      const params = Array.from({ length: 101 }, (_, i) => `n${i}`)
      const sql = `INSERT INTO notes (body) VALUES ${params.map(() => "(?)").join(", ")}`
      expect(await db.exec(sql, params)).toEqual({
        ok: false,
        error: { _tag: "DbTooManyParams", message: "101 parameters; a statement takes at most 100", limit: 100, actual: 101 }
      })
      expect(await count(db)).toBe(0)
      value(await db.exec(sql.replace(", (?)", ""), params.slice(1)))
      expect(await count(db)).toBe(100)
    })

    it("parameters SQLite would not keep as sent", async () => {
      const db = await notesDb()
      const refused: Array<[unknown, string]> = [
        [true, "parameter 2 is a boolean"],
        [10n, "parameter 2 is a bigint"],
        [{ a: 1 }, "parameter 2 is an object"],
        [Number.NaN, "parameter 2 is NaN"],
        [undefined, "parameter 2 is undefined"]
      ]
      for (const [bad, message] of refused) {
        const answer = await db.exec("INSERT INTO notes (body, score) VALUES (?, ?)", ["x", bad as SqlParam])
        expect(answer).toMatchObject({ ok: false, error: { _tag: "DbParamRefused", message: expect.stringContaining(message) } })
      }
      expect(await count(db)).toBe(0)
    })

    it("a query returning more than 1,000 rows is refused, not cut short; a write through it is rolled back", async () => {
      const db = await notesDb()
      value(await fill(db, 1_000))
      expect(value(await db.query("SELECT id FROM notes")).rows).toHaveLength(1_000)
      value(await db.exec("INSERT INTO notes (body) VALUES ('one more')"))
      expect(await db.query("SELECT id FROM notes")).toEqual({
        ok: false,
        error: { _tag: "DbTooManyRows", message: "the query returns more than 1000 rows; add a LIMIT, or page with WHERE", limit: 1_000, actual: 1_001 }
      })
      // The same limit stops a write's RETURNING rows, and the write with them.
      const returning = await db.query("UPDATE notes SET score = 1 RETURNING id")
      expect(returning).toMatchObject({ ok: false, error: { _tag: "DbTooManyRows" } })
      expect(value(await db.query("SELECT count(*) FROM notes WHERE score IS NOT NULL")).rows).toEqual([[0]])
      // exec reads any number of rows and returns none.
      expect(value(await db.exec("SELECT id FROM notes")).rowsRead).toBe(1_001)
    })

    it("a query whose rows come to more than 4 MiB", async () => {
      const db = await notesDb()
      value(await db.exec("INSERT INTO notes (body, data) SELECT 'blob ' || n, zeroblob(1048576) FROM (SELECT 1 AS n UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5)"))
      expect(await db.query("SELECT data FROM notes")).toMatchObject({
        ok: false,
        error: { _tag: "DbResultTooLarge", limit: DEFAULT_DB_LIMITS.resultBytes, message: expect.stringContaining("by row 5") }
      })
      expect(value(await db.query("SELECT length(data) FROM notes")).rows).toHaveLength(5)
    })

    it("a statement that would grow the database past 100 MiB is rolled back; space a DELETE frees is reused within it", async () => {
      const db = await notesDb()
      const sizeOf = () => runInDurableObject(db, (_instance, state) => state.storage.sql.databaseSize)
      const megabytes = (n: number, tag: string) =>
        db.exec(
          "WITH RECURSIVE i(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM i WHERE n < ?) INSERT INTO notes (body, data) SELECT ? || n, zeroblob(1048576) FROM i",
          [n, tag]
        )
      value(await megabytes(90, "first "))
      const before = await sizeOf()
      expect(before).toBeLessThan(DEFAULT_DB_LIMITS.databaseBytes)
      const full = await megabytes(20, "second ")
      expect(full).toMatchObject({
        ok: false,
        error: { _tag: "DbFull", limit: 100 * 1024 * 1024, actual: expect.any(Number), message: expect.stringContaining("at most 104857600") }
      })
      expect(await count(db)).toBe(90)
      expect(await sizeOf()).toBe(before)
      // Within the cap still fits; space a DELETE frees is reused without growing the file.
      value(await megabytes(5, "third "))
      value(await db.exec("DELETE FROM notes WHERE body LIKE 'first %'"))
      value(await megabytes(50, "fourth "))
      expect(await count(db)).toBe(55)
    })
  })

  describe("statements that could reach past the workspace's tables are refused", () => {
    const refusals: Array<[string, string]> = [
      ["SELECT name FROM sqlite_master", "sqlite_master is refused"],
      ['SELECT name FROM "SQLITE_SCHEMA"', "sqlite_schema is refused"],
      ["SELECT * FROM main.sqlite_master", "sqlite_master is refused"],
      ["SELECT * FROM _cf_KV", "_cf_kv is refused"],
      ["SELECT * FROM pragma_table_info('notes')", "pragma_table_info is refused"],
      ["ATTACH DATABASE ':memory:' AS other", "ATTACH is refused"],
      ["PRAGMA table_list", "PRAGMA is refused"],
      ["pragma writable_schema = 1", "PRAGMA is refused"],
      ["BEGIN", "BEGIN is refused: each call is its own transaction"],
      ["COMMIT", "COMMIT is refused"],
      ["SAVEPOINT s", "SAVEPOINT is refused"],
      ["VACUUM", "VACUUM is refused"],
      ["", "the statement is empty"],
      ["  -- only a comment", "the statement is empty"]
    ]
    for (const [sql, message] of refusals)
      it(JSON.stringify(sql), async () => {
        const db = await notesDb()
        for (const answer of [await db.exec(sql), await db.query(sql)])
          expect(answer).toEqual({ ok: false, error: { _tag: "DbStatementRefused", message: expect.stringContaining(message) } })
      })

    it("more than one statement, though workerd would run the first before failing on the second", async () => {
      const db = await notesDb()
      for (const sql of [
        "INSERT INTO notes (body) VALUES ('a'); INSERT INTO notes (body) VALUES ('b')",
        "INSERT INTO notes (body) VALUES ('a'); SELEC 2",
        "INSERT INTO notes (body) VALUES ('a');DROP TABLE notes",
        "SELECT 1; /* then */ SELECT 2"
      ])
        expect(await db.exec(sql)).toEqual({ ok: false, error: { _tag: "DbStatementRefused", message: expect.stringContaining("one statement per call") } })
      expect(await count(db)).toBe(0)
    })

    it("names and semicolons inside strings, quoted names and comments are text, not statements", async () => {
      const db = await notesDb()
      value(await db.exec("INSERT INTO notes (body) VALUES ('see sqlite_master; PRAGMA x; ATTACH y') -- ; DROP TABLE notes"))
      value(await db.exec(`CREATE TABLE "odd;name" ("it's" TEXT, [semi;colon] TEXT, \`back"tick\` TEXT)`))
      value(await db.exec(`INSERT INTO "odd;name" VALUES ('a''; b', '/* c */', '--')`))
      expect(value(await db.query(`SELECT * FROM "odd;name"`)).rows).toEqual([["a'; b", "/* c */", "--"]])
      expect(value(await db.query("SELECT body FROM notes")).rows).toEqual([["see sqlite_master; PRAGMA x; ATTACH y"]])
    })

    it("a trigger's body may hold statements ending in ';', and the trigger runs", async () => {
      const db = await notesDb()
      value(await db.exec("CREATE TABLE log (body TEXT)"))
      value(await db.exec("CREATE TRIGGER noted AFTER INSERT ON notes BEGIN INSERT INTO log VALUES (new.body); UPDATE log SET body = upper(body); END;"))
      value(await db.exec("INSERT INTO notes (body) VALUES ('hi')"))
      expect(value(await db.query("SELECT body FROM log")).rows).toEqual([["HI"]])
      // Anything after the trigger's END; is a second statement.
      expect(await db.exec("CREATE TRIGGER again AFTER DELETE ON notes BEGIN DELETE FROM log; END; DROP TABLE log")).toMatchObject({
        ok: false,
        error: { _tag: "DbStatementRefused" }
      })
      expect(value(await db.query("SELECT count(*) FROM log")).rows).toEqual([[1]])
    })
  })
})
