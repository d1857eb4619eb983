// How big a workspace's Durable Object database is on disk, read from a stopped plane's persist
// directory (wrangler keeps each object's SQLite at v3/do/<script>-<class>/<id>.sqlite, with its WAL).
// Sizes are read from a copy of the files, so nothing here can checkpoint or change the plane's own.
import { copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { DatabaseSync } from "node:sqlite"

const WORKSPACE_OBJECTS = "v3/do/berth-Workspace"

/** The SQLite file of each Workspace object in `persist`, by the name the object was addressed by. */
export const workspaceDatabases = (persist: string): Map<string, string> => {
  const dir = join(persist, WORKSPACE_OBJECTS)
  const found = new Map<string, string>()
  for (const file of readdirSync(dir)) {
    if (!file.endsWith(".sqlite") || file === "metadata.sqlite") continue
    // Miniflare records the object's name in its own database; read-only, a connection never checkpoints.
    const db = new DatabaseSync(join(dir, file), { readOnly: true })
    try {
      const row = db.prepare("SELECT name FROM __miniflare_do_name").get() as { name: string } | undefined
      if (row) found.set(row.name, join(dir, file))
    } finally {
      db.close()
    }
  }
  return found
}

/** Runs `read` on a private copy of the database at `path` (its WAL too), then deletes the copy. */
export const withCopy = <T>(path: string, read: (db: DatabaseSync) => T): T => {
  const dir = mkdtempSync(join(tmpdir(), "berth-do-copy-"))
  try {
    const copy = join(dir, "db.sqlite")
    copyFileSync(path, copy)
    if (existsSync(`${path}-wal`)) copyFileSync(`${path}-wal`, `${copy}-wal`)
    const db = new DatabaseSync(copy)
    try {
      return read(db)
    } finally {
      db.close()
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

export interface StoredObject {
  /** A table or index, as dbstat names it. */
  readonly name: string
  readonly table: string
  readonly kind: "table" | "index"
  readonly pages: number
  readonly bytes: number
  /** Bytes of cell content (keys and records) in its pages; the rest is headers, pointers and free space. */
  readonly payload: number
}

export interface DatabaseSize {
  readonly pageSize: number
  readonly pageCount: number
  /** page_count × page_size: the database as SQLite has it, the WAL's pages included. */
  readonly bytes: number
  readonly freelistPages: number
  readonly events: number
  /** UTF-8 bytes of every event's envelope as compact JSON, rebuilt from its columns (event-log.ts's toEnvelope). */
  readonly envelopeJsonBytes: number
  /** Each table and index, largest first (SQLite's dbstat). */
  readonly objects: ReadonlyArray<StoredObject>
  /** Envelope JSON bytes of the events in each seq range asked for (to check against the API's envelopes). */
  readonly sampledEnvelopeJsonBytes: ReadonlyArray<number>
  /** Events and bytes of their envelopes' JSON, by event type. */
  readonly byType: ReadonlyArray<{ readonly type: string; readonly events: number; readonly envelopeJsonBytes: number }>
}

// The envelope exactly as the admin API serves it: actor and data are stored as the JSON the hash covers.
const ENVELOPE_JSON = `json_object('seq', seq, 'id', id, 'type', type, 'v', v, 'at', at, 'actor', json(actor),
  'correlationId', correlation_id, 'causationId', causation_id, 'data', json(data), 'prevHash', prev_hash, 'hash', hash)`

/**
 * The size of one Workspace object's database (a stopped plane's), and where its bytes are; with the
 * envelope JSON bytes of the events in each of `samples` (inclusive seq ranges).
 */
export const databaseSize = (path: string, samples: ReadonlyArray<readonly [from: number, to: number]> = []): DatabaseSize =>
  withCopy(path, (db) => {
    const pragma = (name: string) => (db.prepare(`PRAGMA ${name}`).get() as Record<string, number>)[name]!
    const pageSize = pragma("page_size")
    const pageCount = pragma("page_count")
    const kinds = new Map(
      (db.prepare("SELECT name, type, tbl_name FROM sqlite_schema").all() as Array<{ name: string; type: string; tbl_name: string }>).map((r) => [r.name, r])
    )
    const objects = (
      db.prepare("SELECT name, count(*) AS pages, sum(pgsize) AS bytes, sum(payload) AS payload FROM dbstat GROUP BY name ORDER BY bytes DESC").all() as Array<{
        name: string
        pages: number
        bytes: number
        payload: number
      }>
    ).map((o) => ({
      ...o,
      table: o.name === "sqlite_schema" ? o.name : (kinds.get(o.name)?.tbl_name ?? o.name),
      kind: kinds.get(o.name)?.type === "index" ? ("index" as const) : ("table" as const)
    }))
    const byType = db
      .prepare(`SELECT type, count(*) AS events, sum(length(CAST(${ENVELOPE_JSON} AS BLOB))) AS envelopeJsonBytes FROM events GROUP BY type ORDER BY events DESC`)
      .all() as Array<{ type: string; events: number; envelopeJsonBytes: number }>
    const sampled = db.prepare(`SELECT coalesce(sum(length(CAST(${ENVELOPE_JSON} AS BLOB))), 0) AS n FROM events WHERE seq BETWEEN ? AND ?`)
    return {
      pageSize,
      pageCount,
      bytes: pageSize * pageCount,
      freelistPages: pragma("freelist_count"),
      events: byType.reduce((n, t) => n + t.events, 0),
      envelopeJsonBytes: byType.reduce((n, t) => n + t.envelopeJsonBytes, 0),
      objects,
      sampledEnvelopeJsonBytes: samples.map(([from, to]) => (sampled.get(from, to) as { n: number }).n),
      byType
    }
  })

/** UTF-8 bytes of envelopes as the admin API returned them, serialized compactly: the check on `envelopeJsonBytes`. */
export const envelopeJsonBytes = (envelopes: ReadonlyArray<unknown>): number =>
  envelopes.reduce<number>((n, e) => n + Buffer.byteLength(JSON.stringify(e)), 0)
