// Stores the inline projection as one row per entity, so a woken object loads its state without
// replaying the log. Writes only the entities a batch of events changed (projections/draft.ts).
import type { Changes } from "../../projections/draft.ts"
import { initialState, type WorkspaceState } from "../../projections/state.ts"

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

  /** Writes the entities `changes` names, as they are in `state`. Call inside the append's `transactionSync`. */
  save(state: WorkspaceState, changes: Changes): void {
    if (changes.workspace) {
      if (state.workspace === null) this.#sql.exec(DELETE, WORKSPACE, "")
      else this.#sql.exec(UPSERT, WORKSPACE, "", JSON.stringify(state.workspace))
    }
    for (const [kind, keys] of changes.keys) {
      const entities: Record<string, unknown> = state[kind]
      for (const key of keys) {
        const value = entities[key]
        if (value === undefined) this.#sql.exec(DELETE, kind, key)
        else this.#sql.exec(UPSERT, kind, key, JSON.stringify(value))
      }
    }
  }
}
