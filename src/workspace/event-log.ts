// The append-only, hash-chained event log in Durable Object SQLite. Triggers refuse UPDATE and
// DELETE, so not even a bug elsewhere in this object can rewrite history. The one exception is
// retention: rows at or below the pruned horizon (`log_pruned`), which only moves forward and only
// past rows the archive has sealed (src/fanout/retention.ts), may be deleted.
import { monotonicFactory } from "ulid"
import { randomFraction } from "./random-pool.ts"
import type { Actor, DomainEvent, Envelope, FoldableEvent, Point } from "../../events/index.ts"
import { foldableEvent, GENESIS_HASH } from "../../events/index.ts"
import { currentVersion } from "../../events/upcast.ts"
import canonicalize from "canonicalize"
import { sealHash, sharedHashedText } from "./chain.ts"
import { wasmSha256HexOf4 } from "./sha256-wasm.ts"

const SCHEMA = `
CREATE TABLE IF NOT EXISTS events (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  type TEXT NOT NULL,
  v INTEGER NOT NULL,
  at TEXT NOT NULL,
  actor TEXT NOT NULL,
  correlation_id TEXT NOT NULL,
  causation_id TEXT,
  data TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_at ON events (at);
-- A run's events share its id as correlationId: "run show" reads them by it.
CREATE INDEX IF NOT EXISTS events_correlation ON events (correlation_id);
CREATE INDEX IF NOT EXISTS events_type ON events (type, seq);
CREATE TRIGGER IF NOT EXISTS events_append_only_update BEFORE UPDATE ON events
  BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;
-- The last pruned event: the horizon below which rows live only in the archive. One row, forward only.
CREATE TABLE IF NOT EXISTS log_pruned (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  seq INTEGER NOT NULL,
  hash TEXT NOT NULL,
  at TEXT NOT NULL
);
CREATE TRIGGER IF NOT EXISTS log_pruned_forward_only BEFORE UPDATE ON log_pruned WHEN NEW.seq < OLD.seq
  BEGIN SELECT RAISE(ABORT, 'the pruned horizon only moves forward'); END;
CREATE TRIGGER IF NOT EXISTS log_pruned_kept BEFORE DELETE ON log_pruned
  BEGIN SELECT RAISE(ABORT, 'the pruned horizon only moves forward'); END;
DROP TRIGGER IF EXISTS events_append_only_delete;
CREATE TRIGGER IF NOT EXISTS events_append_only_delete_past_horizon BEFORE DELETE ON events
  WHEN OLD.seq > coalesce((SELECT seq FROM log_pruned), 0)
  BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;
`

const INSERT = `INSERT INTO events (seq, id, type, v, at, actor, correlation_id, causation_id, data, prev_hash, hash)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
const SELECT_FROM = `SELECT * FROM events WHERE seq >= ? ORDER BY seq LIMIT ?`
const SELECT_HEAD = `SELECT seq, hash, at FROM events ORDER BY seq DESC LIMIT 1`

type FoldRow = { seq: number; type: string; v: number; at: string; data: string }

type Row = {
  seq: number
  id: string
  type: string
  v: number
  at: string
  actor: string
  correlation_id: string
  causation_id: string | null
  data: string
  prev_hash: string
  hash: string
}

export const toEnvelope = (row: Row): Envelope => ({
  seq: row.seq,
  id: row.id,
  type: row.type,
  v: row.v,
  at: row.at,
  actor: JSON.parse(row.actor),
  correlationId: row.correlation_id,
  causationId: row.causation_id,
  data: JSON.parse(row.data),
  prevHash: row.prev_hash,
  hash: row.hash
})

export interface Head {
  readonly seq: number
  readonly hash: string
  readonly at: string
}

export interface AppendMeta {
  readonly actor: Actor
  readonly correlationId: string
  readonly causationId: string | null
}

/** How many of the latest envelopes the log keeps in memory for `recent`: well over what the D1 push lags by. */
export const RECENT_ENVELOPES = 500
/**
 * An event whose data is longer than this (captured payloads can be up to a request's megabyte) is
 * not kept in memory: memory then starts again after it, and `recent` sends readers to the log.
 * So the envelopes kept hold at most 2 × RECENT_ENVELOPES × this much data.
 */
export const RECENT_MAX_DATA_CHARS = 4 * 1024

export class EventLog {
  readonly #sql: SqlStorage
  /** ulid's default PRNG calls getRandomValues once per character; the pool draws the same bytes in bulk. */
  readonly #ulid = monotonicFactory(randomFraction)
  #head: Head
  /** The envelopes appended since this object woke (or since the last big one), the latest RECENT_ENVELOPES at least, in order. */
  #recent: Array<Envelope> = []
  /** Whether the append `advance` is about to move past had an event too big to keep in memory. */
  #appendedBig = false

  constructor(sql: SqlStorage) {
    this.#sql = sql
    sql.exec(SCHEMA)
    const head = sql.exec<{ seq: number; hash: string; at: string }>(SELECT_HEAD).toArray()[0]
    this.#head = head ?? this.prunedThrough() ?? { seq: 0, hash: GENESIS_HASH, at: "" }
  }

  /** The last event pruned from this object (it and all before it are only in the archive), or null. */
  prunedThrough(): Head | null {
    return this.#sql.exec<{ seq: number; hash: string; at: string }>("SELECT seq, hash, at FROM log_pruned").toArray()[0] ?? null
  }

  /**
   * Deletes the rows up to and including `seq` and moves the horizon there. Call inside
   * `transactionSync`. The caller guarantees the archive has sealed them (retention.ts); the head is never pruned.
   */
  prune(seq: number): void {
    if (seq >= this.#head.seq) throw new Error(`seq ${seq} is not below the head ${this.#head.seq}; the head is never pruned`)
    const last = this.read(seq, 1)[0]
    if (!last || last.seq !== seq) return
    this.#sql.exec("INSERT INTO log_pruned (id, seq, hash, at) VALUES (1, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash, at = excluded.at", seq, last.hash, last.at)
    this.#sql.exec("DELETE FROM events WHERE seq <= ?", seq)
  }

  get head(): Head {
    return this.#head
  }

  newId(): string {
    return this.#ulid()
  }

  /**
   * Appends events after the head. Call inside `transactionSync`, together with the projection write.
   * The `actor` and `data` columns hold the same canonical JSON the hash covers, serialized once.
   */
  append(events: ReadonlyArray<DomainEvent>, meta: AppendMeta): ReadonlyArray<Envelope> {
    // `at` never goes backwards, so "state at time T" is exactly a prefix of the log.
    const now = new Date().toISOString()
    const at = now > this.#head.at ? now : this.#head.at
    const actor = canonicalize(meta.actor)!
    const { correlationId, causationId } = meta
    let { seq, hash } = this.#head
    const sealed: Array<Envelope> = []
    this.#appendedBig = false
    // The text between prevHash and data is the same for every event of this append.
    const shared = sharedHashedText(at, actor, causationId, correlationId)
    for (const e of events) {
      // Built once with an empty hash and sealed in place: the copy per event this replaced cost the
      // headline append benchmark about 0.03 of its ratio to a raw INSERT.
      const envelope = { seq: ++seq, id: this.#ulid(), type: e.type, v: currentVersion(e.type), at, actor: meta.actor, correlationId, causationId, data: e.data, prevHash: hash, hash: "" }
      const data = canonicalize(e.data)!
      if (data.length > RECENT_MAX_DATA_CHARS) this.#appendedBig = true
      hash = envelope.hash = sealHash(envelope, shared, data, wasmSha256HexOf4)
      this.#sql.exec(INSERT, envelope.seq, envelope.id, envelope.type, envelope.v, at, actor, correlationId, causationId, data, envelope.prevHash, hash)
      sealed.push(envelope)
    }
    return sealed
  }

  /** Moves the in-memory head after the transaction that appended `sealed` has committed. */
  advance(sealed: ReadonlyArray<Envelope>): void {
    const last = sealed.at(-1)
    if (!last) return
    this.#head = { seq: last.seq, hash: last.hash, at: last.at }
    if (this.#appendedBig) this.#recent = []
    else this.#recent.push(...sealed)
    if (this.#recent.length > 2 * RECENT_ENVELOPES) this.#recent = this.#recent.slice(-RECENT_ENVELOPES)
  }

  /**
   * Up to `limit` envelopes from `fromSeq`, as they were appended (their `data` the objects `decide`
   * built, not parsed back from the row), or undefined when `fromSeq` is older than memory holds.
   * For the D1 push, which reads what was just appended; readers that must return the log exactly
   * as stored (exports, the archive) use `read`.
   */
  recent(fromSeq: number, limit: number): ReadonlyArray<Envelope> | undefined {
    const first = this.#recent[0]?.seq ?? this.#head.seq + 1
    if (fromSeq < first) return undefined
    const from = fromSeq - first
    return this.#recent.slice(from, from + limit)
  }

  /** One page of the log, from `fromSeq`, in order. */
  read(fromSeq: number, limit: number): Array<Envelope> {
    return this.#sql.exec<Row>(SELECT_FROM, fromSeq, limit).toArray().map(toEnvelope)
  }

  /**
   * The events up to a point, as a fold takes them, read straight off one cursor with only the
   * columns a fold needs: a full replay is bound by reading, so it reads as little as it can.
   */
  *foldable(upTo: Point): Generator<FoldableEvent & { readonly seq: number }> {
    const rows =
      "seq" in upTo
        ? this.#sql.exec<FoldRow>("SELECT seq, type, v, at, data FROM events WHERE seq <= ? ORDER BY seq", upTo.seq)
        : this.#sql.exec<FoldRow>("SELECT seq, type, v, at, data FROM events WHERE at <= ? ORDER BY seq", upTo.time)
    for (const row of rows) yield Object.assign(foldableEvent(row.type, row.v, row.at, JSON.parse(row.data)), { seq: row.seq })
  }

  /** The newest seq at or below `limit` appended before `time`, if any. */
  newestBefore(time: string, limit: number): number | undefined {
    const row = this.#sql.exec<{ seq: number | null }>("SELECT max(seq) AS seq FROM events WHERE seq <= ? AND at < ?", limit, time).toArray()[0]
    return row?.seq ?? undefined
  }

  /** When the event at one seq was appended, if the log holds it; reads that column alone. */
  appendedAt(seq: number): string | undefined {
    return this.#sql.exec<{ at: string }>("SELECT at FROM events WHERE seq = ?", seq).toArray()[0]?.at
  }

  /** The envelope at one seq, if the log holds it. */
  at(seq: number): Envelope | undefined {
    return this.read(seq, 1).find((e) => e.seq === seq)
  }

  /** The whole log from `fromSeq`, lazily, in pages (a cursor per page keeps memory flat). */
  *scan(fromSeq = 1, pageSize = 2_000): Generator<Envelope> {
    let next = fromSeq
    for (;;) {
      const page = this.read(next, pageSize)
      yield* page
      if (page.length < pageSize) return
      next = page[page.length - 1]!.seq + 1
    }
  }
}
