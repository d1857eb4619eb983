// The stores the append benchmark drives inside one Workspace Durable Object: the real EventLog,
// ProjectionStore and IdempotencyStore on the object's SQLite, and two scratch copies of the events
// table, for the raw-INSERT baseline and for the chain's floor. Built once per object and reused across runInDurableObject calls.
import type { DomainEvent, StoredEvent } from "../events/index.ts"
import { applyEvents } from "../projections/evolve.ts"
import type { WorkspaceState } from "../projections/state.ts"
import { EventLog } from "../src/workspace/event-log.ts"
import { executeCommand, type CommandOptions, type WorkspaceStores } from "../src/workspace/execute.ts"
import { IdempotencyStore } from "../src/workspace/idempotency-store.ts"
import { ProjectionStore } from "../src/workspace/projection-store.ts"
import { sealHash, sharedHashedText } from "../src/workspace/chain.ts"
import { wasmSha256HexOf4 } from "../src/workspace/sha256-wasm.ts"
import canonicalize from "canonicalize"

export type RawRow = ReadonlyArray<SqlStorageValue>

/** Events per transaction: a fixed number, or a repeating pattern of group sizes. */
export type TransactionSizes = number | ReadonlyArray<number>

const COLUMNS = "seq, id, type, v, at, actor, correlation_id, causation_id, data, prev_hash, hash"
const SELECT_ROWS = `SELECT ${COLUMNS} FROM events WHERE seq > ? ORDER BY seq`
const INSERT_BASELINE = `INSERT INTO baseline_events (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
const INSERT_FLOOR = `INSERT INTO floor_events (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

/** Each row's `data` as the object an event carries (parsed untimed), for the floor to canonicalize. */
export const eventData = (rows: ReadonlyArray<RawRow>): Array<unknown> => rows.map((row) => JSON.parse(row[8] as string))

/** The agent the run-recording workload records calls for. */
export const BENCH_AGENT = "bot"
const agentActor = { type: "agent", id: BENCH_AGENT } as const
export const adminOptions: CommandOptions = { actor: { type: "admin", id: "bench" } }

export class BenchWorkspace {
  readonly stores: WorkspaceStores
  readonly sql: SqlStorage
  readonly slug: string
  state: WorkspaceState

  constructor(ctx: DurableObjectState, slug: string) {
    const sql = ctx.storage.sql
    this.sql = sql
    this.slug = slug
    const projection = new ProjectionStore(sql)
    this.stores = {
      log: new EventLog(sql),
      projection,
      idempotency: new IdempotencyStore(sql),
      transactionSync: (fn) => ctx.storage.transactionSync(fn)
    }
    this.state = projection.load()
    copyEventsTable(sql)
    if (this.state.workspace === null) this.execute({ _tag: "CreateWorkspace", workspace: slug })
    // The agent the run-recording workload records calls for.
    if (!this.state.agents[BENCH_AGENT]) {
      this.execute({ _tag: "RegisterAgent", agent: BENCH_AGENT, keyHash: "0".repeat(64), keyPrefix: `berth_${slug}_0000000` })
    }
  }

  /** The append path of executeCommand without decode and decide: append + evolve + save in one transaction. */
  append(events: ReadonlyArray<DomainEvent>): void {
    const { log, projection, transactionSync } = this.stores
    const before = this.state
    const correlationId = log.newId()
    const { sealed, next } = transactionSync(() => {
      const sealed = log.append(events, { actor: agentActor, correlationId, causationId: correlationId })
      const { state: next, changes } = applyEvents(before, sealed as ReadonlyArray<StoredEvent>)
      projection.save(next, changes)
      return { sealed, next }
    })
    log.advance(sealed)
    this.state = next
  }

  /** The whole command pipeline, as Workspace.execute runs it. */
  execute(command: unknown): void {
    const { outcome, state } = executeCommand(this.stores, this.slug, this.state, command, adminOptions)
    if (!outcome.ok) throw new Error(`bench command rejected: ${outcome.error._tag}: ${outcome.error.message}`)
    this.state = state
  }

  /** The hashes the floor computed for seqs after `afterSeq`, in order (they must be the log's own). */
  floorHashesAfter(afterSeq: number): Array<string> {
    return this.sql.exec<{ hash: string }>("SELECT hash FROM floor_events WHERE seq > ? ORDER BY seq", afterSeq).toArray().map((r) => r.hash)
  }

  /** The log's rows after `afterSeq`, column values exactly as stored. */
  rowsAfter(afterSeq: number): Array<RawRow> {
    return Array.from(this.sql.exec(SELECT_ROWS, afterSeq).raw())
  }

  /** The baseline: the same rows, precomputed, inserted into the scratch copy of the table, in transactions of the given sizes. */
  insertRaw(rows: ReadonlyArray<RawRow>, perTransaction: TransactionSizes): void {
    inTransactions(this.stores.transactionSync, rows.length, perTransaction, (j) => this.sql.exec(INSERT_BASELINE, ...rows[j]!))
  }

  /**
   * The floor of this hash chain: the same INSERTs, each row's `data` canonicalized with the
   * RFC 8785 library the append uses and its hash computed as the append computes it (the shared
   * text built once for a run of rows that share it, as once per append). No ids, envelope objects,
   * evolve or projection: what no implementation of this log's format can skip.
   */
  insertChained(rows: ReadonlyArray<RawRow>, data: ReadonlyArray<unknown>, perTransaction: TransactionSizes): void {
    let shared = ""
    let sharedBy: ReadonlyArray<unknown> = []
    inTransactions(this.stores.transactionSync, rows.length, perTransaction, (j) => {
      const [seq, id, type, v, at, actor, correlationId, causationId, , prevHash] = rows[j]! as [number, string, string, number, string, string, string, string | null, string, string]
      const text = canonicalize(data[j])!
      if (at !== sharedBy[0] || actor !== sharedBy[1] || causationId !== sharedBy[2] || correlationId !== sharedBy[3]) {
        sharedBy = [at, actor, causationId, correlationId]
        shared = sharedHashedText(at, actor, causationId, correlationId)
      }
      const hash = sealHash({ seq, id, type, v, prevHash }, shared, text, wasmSha256HexOf4)
      this.sql.exec(INSERT_FLOOR, seq, id, type, v, at, actor, correlationId, causationId, text, prevHash, hash)
    })
  }
}

/** Runs `row(j)` for j in 0..count, in transactions of the given sizes. */
const inTransactions = (transactionSync: WorkspaceStores["transactionSync"], count: number, perTransaction: TransactionSizes, row: (j: number) => void) => {
  const sizes = typeof perTransaction === "number" ? [perTransaction] : perTransaction
  for (let i = 0, t = 0; i < count; t++) {
    const end = Math.min(i + sizes[t % sizes.length]!, count)
    transactionSync(() => {
      for (let j = i; j < end; j++) row(j)
    })
    i = end
  }
}

/** `baseline_events` and `floor_events`: the events table's own DDL (columns, keys, index, triggers) under other names. */
const copyEventsTable = (sql: SqlStorage): void => {
  const ddl = sql.exec<{ sql: string }>("SELECT sql FROM sqlite_master WHERE tbl_name = 'events' AND sql IS NOT NULL").toArray()
  for (const name of ["baseline_events", "floor_events"]) {
    const exists = sql.exec("SELECT 1 FROM sqlite_master WHERE name = ?", name).toArray().length > 0
    if (!exists) for (const { sql: statement } of ddl) sql.exec(statement.replace(/\bevents/g, name))
  }
}

const opened = new WeakMap<DurableObjectState, BenchWorkspace>()

export const benchWorkspace = (ctx: DurableObjectState, slug: string): BenchWorkspace => {
  let ws = opened.get(ctx)
  if (!ws) opened.set(ctx, (ws = new BenchWorkspace(ctx, slug)))
  return ws
}
