// Queries across workspaces, answered from the D1 read models (projections/d1): runs, spans and
// events, filtered, newest first, paged by an opaque cursor (keyset pagination on the sort key, so
// a page costs the same however deep it is and rows appended meanwhile never shift a page).
import { Buffer } from "node:buffer"

export interface Page<T> {
  readonly items: ReadonlyArray<T>
  /** Pass back as `cursor` for the next page; null on the last page. */
  readonly next: string | null
}

export interface RunFilter {
  readonly workspace?: string | undefined
  readonly agent?: string | undefined
  readonly tool?: string | undefined
  readonly status?: string | undefined
  readonly since?: string | undefined
  readonly until?: string | undefined
  readonly cursor?: string | undefined
  readonly limit?: number | undefined
}

export interface SpanFilter {
  readonly workspace?: string | undefined
  readonly run?: string | undefined
  readonly name?: string | undefined
  readonly since?: string | undefined
  readonly until?: string | undefined
  readonly cursor?: string | undefined
  readonly limit?: number | undefined
}

export interface EventFilter {
  readonly workspace?: string | undefined
  readonly type?: string | undefined
  readonly actor?: string | undefined
  readonly since?: string | undefined
  readonly until?: string | undefined
  readonly cursor?: string | undefined
  readonly limit?: number | undefined
}

/** A cursor that is not one this API handed out. */
export class BadCursor extends Error {}

type Key = [string, string, string | number]

const encodeCursor = (key: Key): string => Buffer.from(JSON.stringify(key)).toString("base64url")
const decodeCursor = (cursor: string): Key => {
  try {
    const key = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"))
    const [a, b, c] = Array.isArray(key) && key.length === 3 ? key : []
    if (typeof a === "string" && typeof b === "string" && (typeof c === "string" || typeof c === "number")) return [a, b, c]
  } catch {}
  throw new BadCursor("cursor is not one this API returned; pass the `next` of the previous page")
}

const DEFAULT_LIMIT = 50

/** WHERE clauses from optional filters: only the given ones bind. */
class Where {
  readonly clauses: Array<string> = []
  readonly params: Array<string | number> = []
  add(clause: string, ...values: Array<string | number | undefined>): this {
    if (values.some((v) => v === undefined)) return this
    this.clauses.push(clause)
    this.params.push(...(values as Array<string | number>))
    return this
  }
  get sql(): string {
    return this.clauses.length === 0 ? "" : `WHERE ${this.clauses.join(" AND ")}`
  }
}

const page = async <Row, T>(
  db: D1Database,
  select: string,
  where: Where,
  order: [string, string, string],
  limit: number,
  toItem: (row: Row) => T,
  keyOf: (row: Row) => Key
): Promise<Page<T>> => {
  const sql = `${select} ${where.sql} ORDER BY ${order.map((c) => `${c} DESC`).join(", ")} LIMIT ?`
  const { results } = await db.prepare(sql).bind(...where.params, limit + 1).all<Row>()
  const rows = results.slice(0, limit)
  return { items: rows.map(toItem), next: results.length > limit ? encodeCursor(keyOf(rows[rows.length - 1]!)) : null }
}

const after = (where: Where, columns: [string, string, string], cursor: string | undefined) => {
  if (cursor === undefined) return where
  const [a, b, c] = decodeCursor(cursor)
  return where.add(`(${columns.join(", ")}) < (?, ?, ?)`, a, b, c)
}

export interface RunRow {
  workspace: string
  run: string
  agent: string
  tool: string
  status: string
  trace_id: string
  started_at: string
  finished_at: string | null
  duration_ms: number | null
  error: string | null
  start_seq: number
}

export const queryRuns = (db: D1Database, f: RunFilter) => {
  const order: [string, string, string] = ["started_at", "workspace", "run"]
  const where = new Where()
    .add("workspace = ?", f.workspace)
    .add("agent = ?", f.agent)
    .add("tool = ?", f.tool)
    .add("status = ?", f.status)
    .add("started_at >= ?", f.since)
    .add("started_at <= ?", f.until)
  return page(
    db,
    "SELECT workspace, run, agent, tool, status, trace_id, started_at, finished_at, duration_ms, error, start_seq FROM runs",
    after(where, order, f.cursor),
    order,
    f.limit ?? DEFAULT_LIMIT,
    (r: RunRow) => ({
      workspace: r.workspace,
      run: r.run,
      agent: r.agent,
      tool: r.tool,
      status: r.status,
      traceId: r.trace_id,
      startedAt: r.started_at,
      finishedAt: r.finished_at,
      durationMs: r.duration_ms,
      ...(r.error === null ? {} : { error: r.error }),
      startSeq: r.start_seq
    }),
    (r) => [r.started_at, r.workspace, r.run]
  )
}

interface SpanRow {
  workspace: string
  seq: number
  run: string
  trace_id: string
  span_id: string
  parent_span_id: string | null
  name: string
  start: string
  end: string
  status_code: string
  status_message: string | null
  attributes: string
}

export const querySpans = (db: D1Database, f: SpanFilter) => {
  const order: [string, string, string] = ["start", "workspace", "seq"]
  const where = new Where()
    .add("workspace = ?", f.workspace)
    .add("run = ?", f.run)
    .add("name = ?", f.name)
    .add("start >= ?", f.since)
    .add("start <= ?", f.until)
  return page(
    db,
    `SELECT workspace, seq, run, trace_id, span_id, parent_span_id, name, start, "end", status_code, status_message, attributes FROM spans`,
    after(where, order, f.cursor),
    order,
    f.limit ?? DEFAULT_LIMIT,
    (r: SpanRow) => ({
      workspace: r.workspace,
      seq: r.seq,
      run: r.run,
      traceId: r.trace_id,
      spanId: r.span_id,
      ...(r.parent_span_id === null ? {} : { parentSpanId: r.parent_span_id }),
      name: r.name,
      start: r.start,
      end: r.end,
      status: { code: r.status_code, ...(r.status_message === null ? {} : { message: r.status_message }) },
      attributes: JSON.parse(r.attributes)
    }),
    (r) => [r.start, r.workspace, r.seq]
  )
}

interface EventRow {
  workspace: string
  seq: number
  id: string
  type: string
  at: string
  actor_type: string
  actor_id: string
  correlation_id: string
  hash: string
}

/** `actor` filters by "type:id" (such as "agent:bot") or by type alone ("agent"). */
export const queryEvents = (db: D1Database, f: EventFilter) => {
  const order: [string, string, string] = ["at", "workspace", "seq"]
  const [actorType, actorId] = f.actor === undefined ? [undefined, undefined] : f.actor.split(/:(.*)/s)
  const where = new Where()
    .add("workspace = ?", f.workspace)
    .add("type = ?", f.type)
    .add("actor_type = ?", actorType)
    .add("actor_id = ?", actorId || undefined)
    .add("at >= ?", f.since)
    .add("at <= ?", f.until)
  return page(
    db,
    "SELECT workspace, seq, id, type, at, actor_type, actor_id, correlation_id, hash FROM events",
    after(where, order, f.cursor),
    order,
    f.limit ?? DEFAULT_LIMIT,
    (r: EventRow) => ({
      workspace: r.workspace,
      seq: r.seq,
      id: r.id,
      type: r.type,
      at: r.at,
      actor: { type: r.actor_type, id: r.actor_id },
      correlationId: r.correlation_id,
      hash: r.hash
    }),
    (r) => [r.at, r.workspace, r.seq]
  )
}
