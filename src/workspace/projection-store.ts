// Stores the inline projection as one row per entity, so a woken object loads its state without
// replaying the log. Writes only the entities a command changed, found by reference (evolve copies
// only what it touches).
import { ENTITY_KINDS, initialState, type WorkspaceState } from "../../projections/state.ts"

const SCHEMA = `
CREATE TABLE IF NOT EXISTS projection (
  kind TEXT NOT NULL,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (kind, key)
) WITHOUT ROWID;
`
const UPSERT = `INSERT INTO projection (kind, key, value) VALUES (?, ?, ?)
  ON CONFLICT (kind, key) DO UPDATE SET value = excluded.value`
const DELETE = `DELETE FROM projection WHERE kind = ? AND key = ?`
const WORKSPACE = "workspace"

export class ProjectionStore {
  readonly #sql: SqlStorage

  constructor(sql: SqlStorage) {
    this.#sql = sql
    sql.exec(SCHEMA)
  }

  load(): WorkspaceState {
    const state: { -readonly [K in keyof WorkspaceState]: any } = structuredClone(initialState)
    for (const row of this.#sql.exec<{ kind: string; key: string; value: string }>("SELECT kind, key, value FROM projection")) {
      const value = JSON.parse(row.value)
      if (row.kind === WORKSPACE) state.workspace = value
      else state[row.kind as keyof WorkspaceState][row.key] = value
    }
    return state
  }

  /** Writes the difference between two states. Call inside the same `transactionSync` as the append. */
  save(before: WorkspaceState, after: WorkspaceState): void {
    if (before.workspace !== after.workspace) {
      if (after.workspace === null) this.#sql.exec(DELETE, WORKSPACE, "")
      else this.#sql.exec(UPSERT, WORKSPACE, "", JSON.stringify(after.workspace))
    }
    for (const kind of ENTITY_KINDS) {
      const was: Record<string, unknown> = before[kind]
      const now: Record<string, unknown> = after[kind]
      if (was === now) continue
      for (const key in now) if (was[key] !== now[key]) this.#sql.exec(UPSERT, kind, key, JSON.stringify(now[key]))
      for (const key in was) if (!(key in now)) this.#sql.exec(DELETE, kind, key)
    }
  }
}
