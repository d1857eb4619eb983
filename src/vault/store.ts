// The vault's table in the workspace's Durable Object: one row per credential (and per pre-registered
// OAuth client secret), the wrapped data key and the ciphertext (crypto.ts). Nothing here is the value. Rows are written and deleted inside the
// transaction that appends the credential's event, so the table and the log never disagree.
import type { SealedCredential } from "./crypto.ts"

const SCHEMA = `
CREATE TABLE IF NOT EXISTS vault_credentials (
  credential TEXT PRIMARY KEY,
  key_id TEXT NOT NULL,
  wrapped_key BLOB NOT NULL,
  ciphertext BLOB NOT NULL
) WITHOUT ROWID;
`
const PUT = `INSERT INTO vault_credentials (credential, key_id, wrapped_key, ciphertext) VALUES (?, ?, ?, ?)
  ON CONFLICT (credential) DO UPDATE SET key_id = excluded.key_id, wrapped_key = excluded.wrapped_key, ciphertext = excluded.ciphertext`

/** The row of a plugin's pre-registered OAuth client secret (a name no credential can take: `:`). */
export const clientSecretRow = (plugin: string) => `oauth-client:${plugin}`

type Row = { credential: string; key_id: string; wrapped_key: ArrayBuffer; ciphertext: ArrayBuffer }

const sealed = (row: Row): SealedCredential => ({
  credential: row.credential,
  keyId: row.key_id,
  wrappedKey: new Uint8Array(row.wrapped_key),
  ciphertext: new Uint8Array(row.ciphertext)
})

export class VaultStore {
  readonly #sql: SqlStorage

  constructor(sql: SqlStorage) {
    this.#sql = sql
    sql.exec(SCHEMA)
  }

  get(credential: string): SealedCredential | undefined {
    const row = this.#sql.exec<Row>("SELECT * FROM vault_credentials WHERE credential = ?", credential).toArray()[0]
    return row && sealed(row)
  }

  /** Call inside the append's transactionSync. */
  put(row: SealedCredential): void {
    this.#sql.exec(PUT, row.credential, row.keyId, row.wrappedKey, row.ciphertext)
  }

  /** Crypto-shredding: the wrapped key and the ciphertext go. Call inside the append's transactionSync. */
  delete(credential: string): void {
    this.#sql.exec("DELETE FROM vault_credentials WHERE credential = ?", credential)
  }

  all(): Array<SealedCredential> {
    return this.#sql.exec<Row>("SELECT * FROM vault_credentials").toArray().map(sealed)
  }

  /** Rows wrapped under a key other than `keyId` (to rewrap after a rotation). */
  wrappedUnderOtherKeys(keyId: string): Array<SealedCredential> {
    return this.#sql.exec<Row>("SELECT * FROM vault_credentials WHERE key_id <> ?", keyId).toArray().map(sealed)
  }
}
