// The D1 read model as a pure function of one event: the SQL statements that apply it. Re-delivery
// in log order, which is what the pusher does (a batch again, or batches that overlap), leaves the
// same rows: inserts are keyed by (workspace, seq) or by the entity, and updates skip rows whose
// `seq` is already at or past the event's. A deleted row leaves no tombstone, so an old upsert
// delivered on its own after the delete would bring the row back; the next in-order pass removes it.
import canonicalize from "canonicalize"
import type { StoredEvent } from "../../events/index.ts"
import { toolId } from "../state.ts"

export interface Statement {
  readonly sql: string
  readonly params: ReadonlyArray<string | number | null>
}

/**
 * A lone surrogate (an agent chooses some of these strings: a refused call's tool name) becomes
 * U+FFFD: bound as it is, D1 stored it as bytes that are not UTF-8, and inside a gathered statement's
 * JSON (bulk.ts) it would have come out the same way. Well-formed text is stored the same either way.
 */
const statement = (sql: string, ...params: Array<string | number | null | undefined>): Statement => ({
  sql,
  params: params.map((p) => (p === undefined ? null : typeof p === "string" ? p.toWellFormed() : p))
})

/**
 * An insert that only adds rows (ON CONFLICT DO NOTHING), written two ways from one column list:
 * `one` row per statement, and `many` rows from one JSON array of rows (bulk.ts), for a batch to
 * send one statement where it had one per event.
 */
const addRows = (table: string, columns: ReadonlyArray<string>) => ({
  one: `INSERT INTO ${table} (${columns.join(", ")}) VALUES (${columns.map(() => "?").join(", ")}) ON CONFLICT DO NOTHING`,
  // `WHERE true` tells SQLite's parser that ON CONFLICT belongs to the INSERT, not to a join.
  many: `INSERT INTO ${table} (${columns.join(", ")}) SELECT ${columns.map((_, i) => `value ->> ${i}`).join(", ")} FROM json_each(?) WHERE true ON CONFLICT DO NOTHING`
})

const INDEX_EVENT = addRows("events", ["workspace", "seq", "id", "type", "at", "actor_type", "actor_id", "correlation_id", "hash"])

const UPSERT_WORKSPACE = `INSERT INTO workspaces (workspace, created_at, payload_capture, seq) VALUES (?, ?, 0, ?)
  ON CONFLICT (workspace) DO UPDATE SET created_at = excluded.created_at, payload_capture = 0, seq = excluded.seq
  WHERE workspaces.seq < excluded.seq`
const SET_CAPTURE = `UPDATE workspaces SET payload_capture = ?, seq = ? WHERE workspace = ? AND seq < ?`

const UPSERT_AGENT = `INSERT INTO agents (workspace, agent, status, via, key_prefix, client_id, owner, registered_at, seq)
  VALUES (?, ?, 'active', ?, ?, ?, ?, ?, ?)
  ON CONFLICT (workspace, agent) DO UPDATE SET status = 'active', via = excluded.via, key_prefix = excluded.key_prefix,
    client_id = excluded.client_id, owner = excluded.owner, registered_at = excluded.registered_at, seq = excluded.seq
  WHERE agents.seq < excluded.seq`
const SET_AGENT_STATUS = `UPDATE agents SET status = ?, seq = ? WHERE workspace = ? AND agent = ? AND seq < ?`

const UPSERT_PLUGIN = `INSERT INTO plugins (workspace, plugin, url, transport, auth, installed_at, seq) VALUES (?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT (workspace, plugin) DO UPDATE SET url = excluded.url, transport = excluded.transport, auth = excluded.auth,
    installed_at = excluded.installed_at, seq = excluded.seq
  WHERE plugins.seq < excluded.seq`
const DELETE_PLUGIN = `DELETE FROM plugins WHERE workspace = ? AND plugin = ? AND seq < ?`
const DELETE_PLUGIN_TOOLS = `DELETE FROM tools WHERE workspace = ? AND plugin = ? AND seq < ?`
const DELETE_UNLISTED_TOOLS = `DELETE FROM tools WHERE workspace = ? AND plugin = ? AND seq < ? AND name NOT IN (SELECT value FROM json_each(?))`
// A rediscovered tool keeps its status and approval, as in evolve; a new one is pending.
const UPSERT_TOOL = `INSERT INTO tools (workspace, tool, plugin, name, status, hash, description, seq) VALUES (?, ?, ?, ?, 'pending', ?, ?, ?)
  ON CONFLICT (workspace, tool) DO UPDATE SET hash = excluded.hash, description = excluded.description, seq = excluded.seq
  WHERE tools.seq < excluded.seq`
const SET_TOOL_STATUS = `UPDATE tools SET status = ?, approved_hash = coalesce(?, approved_hash), seq = ? WHERE workspace = ? AND tool = ? AND seq < ?`

const INSERT_RUN = addRows("runs", ["workspace", "run", "agent", "tool", "status", "trace_id", "started_at", "start_seq", "seq"])
const FINISH_RUN = `UPDATE runs SET status = ?, finished_at = ?, duration_ms = ?, error = ?, seq = ? WHERE workspace = ? AND run = ? AND seq < ?`
const INSERT_SPAN = addRows("spans", [
  "workspace", "seq", "run", "trace_id", "span_id", "parent_span_id", "name", "start", '"end"', "status_code", "status_message", "attributes"
])

/** The inserts a batch may send as one statement of many rows, by their one-row SQL. */
export const MANY_ROWS: ReadonlyMap<string, string> = new Map([INDEX_EVENT, INSERT_RUN, INSERT_SPAN].map((sql) => [sql.one, sql.many]))

/** The statements that apply one event of `workspace`'s log to the read model, in order. */
export const d1Statements = (workspace: string, event: StoredEvent): Array<Statement> => {
  const { seq, at } = event
  const index = statement(INDEX_EVENT.one, workspace, seq, event.id, event.type, at, event.actor.type, event.actor.id, event.correlationId, event.hash)
  switch (event.type) {
    case "WorkspaceCreated":
      return [index, statement(UPSERT_WORKSPACE, workspace, at, seq)]
    case "PayloadCaptureSet":
      return [index, statement(SET_CAPTURE, event.data.enabled ? 1 : 0, seq, workspace, seq)]
    case "AgentRegistered": {
      const { agent, via, keyPrefix, clientId, owner } = event.data
      return [index, statement(UPSERT_AGENT, workspace, agent, via, keyPrefix, clientId, owner, at, seq)]
    }
    case "AgentSuspended":
      return [index, statement(SET_AGENT_STATUS, "suspended", seq, workspace, event.data.agent, seq)]
    case "AgentRevoked":
      return [index, statement(SET_AGENT_STATUS, "revoked", seq, workspace, event.data.agent, seq)]
    case "PluginInstalled": {
      const { plugin, url, transport, auth } = event.data
      return [index, statement(UPSERT_PLUGIN, workspace, plugin, url, transport, auth, at, seq)]
    }
    case "PluginRemoved":
      return [
        index,
        statement(DELETE_PLUGIN, workspace, event.data.plugin, seq),
        statement(DELETE_PLUGIN_TOOLS, workspace, event.data.plugin, seq)
      ]
    case "ToolsDiscovered": {
      const { plugin, tools } = event.data
      return [
        index,
        statement(DELETE_UNLISTED_TOOLS, workspace, plugin, seq, JSON.stringify(tools.map((t) => t.name))),
        ...tools.map((t) => statement(UPSERT_TOOL, workspace, toolId(plugin, t.name), plugin, t.name, t.hash, t.description, seq))
      ]
    }
    case "ToolApproved":
      return [index, statement(SET_TOOL_STATUS, "approved", event.data.hash, seq, workspace, event.data.tool, seq)]
    case "ToolQuarantined":
      return [index, statement(SET_TOOL_STATUS, "quarantined", null, seq, workspace, event.data.tool, seq)]
    case "RunStarted": {
      const { run, agent, tool, traceId } = event.data
      return [index, statement(INSERT_RUN.one, workspace, run, agent, tool, "open", traceId, at, seq, seq)]
    }
    case "SpanRecorded": {
      const { run, span } = event.data
      return [
        index,
        statement(
          INSERT_SPAN.one,
          workspace,
          seq,
          run,
          span.traceId,
          span.spanId,
          span.parentSpanId,
          span.name,
          span.start,
          span.end,
          span.status.code,
          span.status.message,
          // Canonical (keys sorted), so the text is the same whether the event was read back from
          // the log or came from memory as appended (the D1 push reads the latter).
          canonicalize(span.attributes)
        )
      ]
    }
    case "RunFinished": {
      const { run, status, durationMs, error } = event.data
      return [index, statement(FINISH_RUN, status, at, durationMs, error, seq, workspace, run, seq)]
    }
    default:
      return [index]
  }
}

/** Removes every row of one workspace, before a rebuild from its log. */
export const d1ClearWorkspace = (workspace: string): Array<Statement> =>
  ["events", "workspaces", "agents", "plugins", "tools", "runs", "spans"].map((table) => statement(`DELETE FROM ${table} WHERE workspace = ?`, workspace))
