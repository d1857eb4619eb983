// The full-text index over memory: SQLite FTS5 in the workspace's object, over keys, values and tags,
// ranked by bm25 with a snippet. An inline projection of the memory in the state: written in the
// append's transaction from each memory event, and rebuilt from the state (itself replayed from the
// log) whenever the two disagree, so it holds exactly what replay gives.
import type { Envelope } from "../../events/index.ts"
import type { WorkspaceState } from "../../projections/state.ts"
import { valueText } from "./commands.ts"
import { withinNamespace } from "./names.ts"
import { snippet, snippetTerms } from "./snippet.ts"

const SCHEMA = `
CREATE TABLE IF NOT EXISTS memory_docs (
  rid INTEGER PRIMARY KEY,
  namespace TEXT NOT NULL,
  key TEXT NOT NULL,
  UNIQUE (namespace, key)
);
CREATE VIRTUAL TABLE IF NOT EXISTS memory_fts USING fts5(key, body, tags, tokenize = 'unicode61 remove_diacritics 2');
`

/**
 * How many matches, the most recently written, a search ranks. bm25 costs about a microsecond per
 * matching row, so a word in every entry would cost the whole table; past this window an older entry
 * is found only by a more specific query. docs/memory.md says so.
 */
export const RANK_WINDOW = 2000

export interface SearchHit {
  readonly namespace: string
  readonly key: string
  readonly score: number
  readonly snippet: string
}

/** What a document of the index holds, for the property test and the rebuild check. */
export type IndexedDoc = {
  readonly namespace: string
  readonly key: string
  readonly body: string
  readonly tags: string
}

const byEntry = (a: IndexedDoc, b: IndexedDoc) =>
  a.namespace === b.namespace ? (a.key < b.key ? -1 : a.key > b.key ? 1 : 0) : a.namespace < b.namespace ? -1 : 1

/** A string value is searched as its text; any other value as its JSON (the tokenizer drops the punctuation). */
const bodyOf = (value: unknown) => (typeof value === "string" ? value.toWellFormed() : valueText(value))

/**
 * The words of a query, each quoted, so that no input is FTS5 syntax: `deploy runbook*` matches entries
 * with "deploy" and a word starting "runbook". Empty when the query has no words.
 */
export const ftsQuery = (query: string): string =>
  (query.match(/[\p{L}\p{N}_]+\*?/gu) ?? [])
    .slice(0, 32)
    .map((word) => (word.endsWith("*") ? `"${word.slice(0, -1)}"*` : `"${word}"`))
    .join(" ")

export class MemorySearchIndex {
  readonly #sql: SqlStorage

  constructor(sql: SqlStorage) {
    this.#sql = sql
    sql.exec(SCHEMA)
  }

  #remove(namespace: string, key: string) {
    const row = this.#sql.exec<{ rid: number }>("SELECT rid FROM memory_docs WHERE namespace = ? AND key = ?", namespace, key).toArray()[0]
    if (!row) return
    this.#sql.exec("DELETE FROM memory_fts WHERE rowid = ?", row.rid)
    this.#sql.exec("DELETE FROM memory_docs WHERE rid = ?", row.rid)
  }

  #put(namespace: string, key: string, value: unknown, tags: ReadonlyArray<string>) {
    this.#remove(namespace, key)
    const { rid } = this.#sql.exec<{ rid: number }>("INSERT INTO memory_docs (namespace, key) VALUES (?, ?) RETURNING rid", namespace, key).one()
    this.#sql.exec("INSERT INTO memory_fts (rowid, key, body, tags) VALUES (?, ?, ?, ?)", rid, key, bodyOf(value), tags.join(" "))
  }

  /** Inside the append's transaction. */
  apply(events: ReadonlyArray<Envelope>): void {
    for (const e of events) {
      if (e.type === "MemoryPut") {
        const { namespace, key, value, tags } = e.data as { namespace: string; key: string; value: unknown; tags?: ReadonlyArray<string> }
        this.#put(namespace, key, value, tags ?? [])
      } else if (e.type === "MemoryDeleted" || e.type === "MemoryExpired") {
        const { namespace, key } = e.data as { namespace: string; key: string }
        this.#remove(namespace, key)
      }
    }
  }

  /** Rebuilds the index from the state's memory when they disagree (a new table, or a state restored from elsewhere). */
  reconcile(state: WorkspaceState): boolean {
    const entries = Object.values(state.memory)
    const indexed = this.#sql.exec<{ n: number }>("SELECT count(*) AS n FROM memory_docs").one().n
    const missing = entries.some(
      (m) => this.#sql.exec("SELECT 1 FROM memory_docs WHERE namespace = ? AND key = ?", m.namespace, m.key).toArray().length === 0
    )
    if (indexed === entries.length && !missing) return false
    this.#sql.exec("DELETE FROM memory_fts")
    this.#sql.exec("DELETE FROM memory_docs")
    for (const m of entries) this.#put(m.namespace, m.key, m.value, m.tags)
    return true
  }

  /**
   * Ranked by bm25 (best first), within `prefix` and passing `accept` (live, readable) when given.
   * Two passes over the query's matches, both in SQLite: the RANK_WINDOW-th most recent match (if
   * there are that many) bounds the rowids, then `bm25()` ranks the matches from it up. (`ORDER BY rank` would rank every match
   * whatever the bound; `ORDER BY bm25(…)` honours it.) The ranked rows are named and their text
   * read by rowid, and only the hits returned get a snippet, built from that text (./snippet.ts).
   */
  search(
    query: string,
    options: { prefix?: string | undefined; limit: number; accept?: (namespace: string, key: string) => boolean }
  ): Array<SearchHit> {
    const match = ftsQuery(query)
    if (match === "") return []
    // A put re-inserts, so rowids grow with time: the window is the most recently written matches.
    const floor =
      this.#sql
        .exec<{ rid: number }>("SELECT rowid AS rid FROM memory_fts WHERE memory_fts MATCH ? ORDER BY rowid DESC LIMIT 1 OFFSET ?", match, RANK_WINDOW - 1)
        .toArray()[0]?.rid ?? 0
    const best = this.#sql
      .exec<{ rid: number; score: number }>(
        "SELECT rowid AS rid, bm25(memory_fts) AS score FROM memory_fts WHERE memory_fts MATCH ? AND rowid >= ? ORDER BY score LIMIT ?",
        match,
        floor,
        options.limit * (options.prefix === undefined ? 4 : 20)
      )
      .toArray()
    if (best.length === 0) return []
    // Integers SQLite just returned, so inlining them is safe.
    const docs = new Map(
      this.#sql
        .exec<{ rid: number; namespace: string; key: string; body: string; tags: string }>(
          `SELECT d.rid AS rid, d.namespace AS namespace, d.key AS key, f.body AS body, f.tags AS tags
             FROM memory_docs d JOIN memory_fts f ON f.rowid = d.rid WHERE d.rid IN (${best.map(({ rid }) => Math.trunc(rid)).join(",")})`
        )
        .toArray()
        .map((row) => [row.rid, row] as const)
    )
    const terms = snippetTerms(query)
    const hits: Array<SearchHit> = []
    for (const { rid, score } of best) {
      const doc = docs.get(rid)
      if (!doc || (options.prefix !== undefined && !withinNamespace(doc.namespace, options.prefix))) continue
      if (options.accept && !options.accept(doc.namespace, doc.key)) continue
      hits.push({ namespace: doc.namespace, key: doc.key, score, snippet: snippet([doc.key, doc.body, doc.tags], terms) })
      if (hits.length === options.limit) break
    }
    return hits
  }

  /** Every document, ordered as documentsFor orders them: what the property test compares with a replay. */
  documents(): Array<IndexedDoc> {
    return this.#sql
      .exec<IndexedDoc>("SELECT d.namespace AS namespace, d.key AS key, f.body AS body, f.tags AS tags FROM memory_docs d JOIN memory_fts f ON f.rowid = d.rid")
      .toArray()
      .sort(byEntry)
  }
}

/** The documents the index should hold for a state: the replay side of the property test. */
export const documentsFor = (state: WorkspaceState): Array<IndexedDoc> =>
  Object.values(state.memory)
    .map((m) => ({ namespace: m.namespace, key: m.key, body: bodyOf(m.value), tags: m.tags.join(" ") }))
    .sort(byEntry)
