// Connects in progress: one row per `berth credential connect`, from its start to its callback and
// for a while after, so the CLI can poll how it ended. The flow's own secrets (PKCE verifier, a
// registered client's secret) are sealed in the row and dropped when the flow ends. No event is
// appended until the callback connects the credential.
import type { Actor } from "../../../events/index.ts"
import type { SealedCredential } from "../crypto.ts"

const SCHEMA = `
CREATE TABLE IF NOT EXISTS vault_oauth_connects (
  connect TEXT PRIMARY KEY,
  state TEXT NOT NULL UNIQUE,
  credential TEXT NOT NULL,
  plugin TEXT NOT NULL,
  for_member TEXT,
  scopes TEXT NOT NULL,
  actor TEXT NOT NULL,
  started_at INTEGER NOT NULL,
  status TEXT NOT NULL,
  message TEXT,
  key_id TEXT,
  wrapped_key BLOB,
  ciphertext BLOB
) WITHOUT ROWID;
`
/** How long a started connect waits for its callback. */
export const CONNECT_WINDOW_MS = 10 * 60_000
/** How long an ended connect is kept for the CLI to read. */
const KEEP_MS = 60 * 60_000

export type ConnectStatus = "waiting" | "connected" | "failed"

export interface PendingConnect {
  readonly connect: string
  readonly state: string
  readonly credential: string
  readonly plugin: string
  readonly forMember: string | undefined
  readonly scopes: ReadonlyArray<string>
  readonly actor: Actor
  readonly startedAt: number
  readonly status: ConnectStatus
  readonly message: string | undefined
  readonly sealed: SealedCredential | undefined
}

type Row = {
  connect: string
  state: string
  credential: string
  plugin: string
  for_member: string | null
  scopes: string
  actor: string
  started_at: number
  status: ConnectStatus
  message: string | null
  key_id: string | null
  wrapped_key: ArrayBuffer | null
  ciphertext: ArrayBuffer | null
}

const toConnect = (r: Row): PendingConnect => ({
  connect: r.connect,
  state: r.state,
  credential: r.credential,
  plugin: r.plugin,
  forMember: r.for_member ?? undefined,
  scopes: JSON.parse(r.scopes) as Array<string>,
  actor: JSON.parse(r.actor) as Actor,
  startedAt: r.started_at,
  status: r.status,
  message: r.message ?? undefined,
  sealed:
    r.key_id !== null && r.wrapped_key !== null && r.ciphertext !== null
      ? { credential: r.connect, keyId: r.key_id, wrappedKey: new Uint8Array(r.wrapped_key), ciphertext: new Uint8Array(r.ciphertext) }
      : undefined
})

export class PendingConnects {
  readonly #sql: SqlStorage

  constructor(sql: SqlStorage) {
    this.#sql = sql
    sql.exec(SCHEMA)
  }

  add(c: Omit<PendingConnect, "status" | "message" | "sealed">, sealed: SealedCredential, now = Date.now()): void {
    this.#sql.exec("DELETE FROM vault_oauth_connects WHERE started_at < ?", now - KEEP_MS)
    this.#sql.exec(
      `INSERT INTO vault_oauth_connects (connect, state, credential, plugin, for_member, scopes, actor, started_at, status, key_id, wrapped_key, ciphertext)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'waiting', ?, ?, ?)`,
      c.connect,
      c.state,
      c.credential,
      c.plugin,
      c.forMember ?? null,
      JSON.stringify(c.scopes),
      JSON.stringify(c.actor),
      c.startedAt,
      sealed.keyId,
      sealed.wrappedKey,
      sealed.ciphertext
    )
  }

  byState(state: string): PendingConnect | undefined {
    const row = this.#sql.exec<Row>("SELECT * FROM vault_oauth_connects WHERE state = ?", state).toArray()[0]
    return row && toConnect(row)
  }

  get(connect: string): PendingConnect | undefined {
    const row = this.#sql.exec<Row>("SELECT * FROM vault_oauth_connects WHERE connect = ?", connect).toArray()[0]
    return row && toConnect(row)
  }

  /** Ends a connect: its sealed flow goes, its outcome stays for the CLI. */
  end(connect: string, status: Exclude<ConnectStatus, "waiting">, message: string): void {
    this.#sql.exec(
      "UPDATE vault_oauth_connects SET status = ?, message = ?, key_id = NULL, wrapped_key = NULL, ciphertext = NULL WHERE connect = ?",
      status,
      message,
      connect
    )
  }
}
