// The vault: the workspace's credentials, as a capability of its Durable Object (STYLE §4a). It seals
// a value at the object's method boundary (WebCrypto is async), then appends the event that names it
// and writes the sealed row in one transaction: CredentialConnected and CredentialRefreshed write a
// credential's row, OAuthClientConfigured its client secret's; CredentialRevoked and CredentialExpired
// delete the row in theirs. At dispatch it opens a credential into the headers it travels in, or, for
// an OAuth credential, into a session that refreshes it (oauth/). Keys: crypto.ts.
import type { Envelope } from "../../events/index.ts"
import { type Scrubber, SHAPES_ONLY, scrubberFor } from "../runs/redact.ts"
import type { WorkspaceCapability } from "../workspace/capability.ts"
import { type CommandOptions, type CommandOutcome, rejected, type Rejected } from "../workspace/execute.ts"
import { deriveVaultKeys, fingerprintOf, rewrap, seal, type SealedCredential, unseal, type VaultKeys } from "./crypto.ts"
import type { AuthProvider } from "@modelcontextprotocol/client"
import { InvalidCredentialValue, VaultKeyMissing } from "./errors.ts"
import { type ChosenCredential, headersFor } from "./grants.ts"
import { secretsIn } from "./oauth/material.ts"
import { clientSecretRow, VaultStore } from "./store.ts"

/** A fingerprint that passes the command's check before the vault has computed the real one. */
const PLACEHOLDER_FINGERPRINT = "0".repeat(32)
const MAX_VALUE_BYTES = 8192

/** What the vault needs of its object: the command pipeline, the slug, and the pool to forget clients. */
export interface VaultHost {
  workspace(): string
  precheck(command: unknown, options: CommandOptions): CommandOutcome | undefined
  execute(command: unknown, options: CommandOptions): CommandOutcome
  /** Drops the pooled upstream clients that carry this credential. */
  forget(credential: string): void
}

/**
 * A credential as the upstream pool sees it: which client it keys, and either its headers when
 * connecting (bearer, header) or an auth provider the transport asks before every request (oauth).
 */
export interface UpstreamCredential {
  readonly id: string
  readonly fingerprint: string
  headers(): Promise<Record<string, string>>
  readonly auth?: AuthProvider | undefined
}

/** The event that names a sealed row, and the row it names. */
const rowWrittenBy = (e: Envelope): string | undefined => {
  if (e.type === "CredentialConnected" || e.type === "CredentialRefreshed") return (e.data as { credential: string }).credential
  if (e.type === "OAuthClientConfigured") return (e.data as { secretRef?: string }).secretRef
  return undefined
}
const rowDeletedBy = (e: Envelope): string | undefined => {
  if (e.type === "CredentialRevoked" || e.type === "CredentialExpired") return (e.data as { credential: string }).credential
  // A client configured again without a secret (a public client) leaves no secret behind.
  if (e.type === "OAuthClientConfigured" && (e.data as { secretRef?: string }).secretRef === undefined)
    return clientSecretRow((e.data as { plugin: string }).plugin)
  return undefined
}


/** What a tool call needs of the vault. */
export interface CredentialAccess {
  /** A granted credential as the upstream pool keys and opens it (decrypted only when a client connects). */
  upstream(chosen: ChosenCredential): UpstreamCredential
  /** Scrubs every stored value (any encoding) from captured payloads and recorded error texts. */
  scrubber(): Promise<Scrubber>
}

/** Header values cannot carry line breaks or other control characters (RFC 9110 §5.5). */
const valueRule = (value: unknown): string | undefined => {
  if (typeof value !== "string" || value.length === 0) return "a value is required (from stdin or the prompt)"
  if (new TextEncoder().encode(value).byteLength > MAX_VALUE_BYTES) return `a value is at most ${MAX_VALUE_BYTES} bytes`
  if (/[\u0000-\u001f\u007f]/.test(value)) return "a value may not contain line breaks or other control characters"
  return undefined
}

/**
 * Options for a precheck that cannot know the value yet: with no fingerprint, a known idempotency key
 * passes to the pipeline, which compares it with the value's fingerprint joined in (`sealing`).
 */
export const withoutFingerprint = ({ fingerprint: _fingerprint, ...options }: CommandOptions): CommandOptions => options

export class Vault implements WorkspaceCapability, CredentialAccess {
  readonly #store: VaultStore
  readonly #secret: string | undefined
  readonly #previous: string | undefined
  readonly #host: VaultHost
  #keys: Promise<VaultKeys> | undefined
  /** Built from every stored value; dropped when a row is written or deleted. */
  #scrubber: Promise<Scrubber> | undefined
  /** Sealed rows waiting for the append of the event that names them, by row id. */
  readonly #pending = new Map<string, { readonly fingerprint: string | undefined; readonly row: SealedCredential }>()
  /** OAuth credentials open as sessions, by credential (oauth/session.ts); dropped with their row. */
  readonly #sessions = new Map<string, AuthProvider>()
  /** Makes a credential's OAuth session (set by the object once the OAuth part is wired). */
  openSession: ((chosen: ChosenCredential) => AuthProvider) | undefined

  constructor(sql: SqlStorage, secrets: { readonly current?: string | undefined; readonly previous?: string | undefined }, host: VaultHost) {
    this.#store = new VaultStore(sql)
    this.#secret = secrets.current || undefined
    this.#previous = secrets.previous || undefined
    this.#host = host
  }

  #currentKeys(): Promise<VaultKeys> | undefined {
    if (this.#secret === undefined) return undefined
    this.#keys ??= deriveVaultKeys(this.#secret, this.#host.workspace())
    return this.#keys
  }

  /** Key rotation: rows still wrapped under BERTH_VAULT_KEY_PREVIOUS are rewrapped under BERTH_VAULT_KEY. */
  async start(): Promise<void> {
    const current = this.#currentKeys()
    if (!current || this.#previous === undefined) return
    const [to, from] = await Promise.all([current, deriveVaultKeys(this.#previous, this.#host.workspace())])
    for (const row of this.#store.wrappedUnderOtherKeys(to.keyId))
      if (row.keyId === from.keyId) this.#store.put(await rewrap(from, to, row))
  }

  /** The keys, or the refusal a plane without BERTH_VAULT_KEY answers. */
  keys(): Promise<VaultKeys> | Rejected {
    return this.#currentKeys() ?? rejected(new VaultKeyMissing())
  }

  /** SetCredential: check, seal the value, then append and store the row together. */
  async set(input: Record<string, unknown>, value: unknown, options: CommandOptions): Promise<CommandOutcome> {
    const command = { ...input, _tag: "SetCredential" }
    const refused = this.#host.precheck({ ...command, fingerprint: PLACEHOLDER_FINGERPRINT }, withoutFingerprint(options))
    if (refused) return refused
    const credential = String(input.credential)
    const rule = valueRule(value)
    if (rule) return rejected(new InvalidCredentialValue({ credential, rule }))
    return this.sealing(credential, value as string, value as string, (fingerprint) => ({ ...command, fingerprint }), options)
  }

  /**
   * Seals `value` as row `id` and executes the command built from its fingerprint (of `identity`,
   * the part of the value that names it), writing the row in the same transaction as the event that
   * names it. `identity` absent: the command carries no fingerprint.
   */
  async sealing(
    id: string,
    value: string,
    identity: string | undefined,
    command: (fingerprint: string) => unknown,
    options: CommandOptions
  ): Promise<CommandOutcome> {
    const keys = this.keys()
    if (!(keys instanceof Promise)) return keys
    const k = await keys
    const [row, fingerprint] = await Promise.all([seal(k, id, value), identity === undefined ? undefined : fingerprintOf(k, identity)])
    this.#pending.set(id, { fingerprint, row })
    // A retry is the same command only with the same value: the admin edge's fingerprint leaves the
    // value out, so its keyed fingerprint joins it here (never the value itself).
    const retried = options.fingerprint === undefined || fingerprint === undefined ? options : { ...options, fingerprint: { command: options.fingerprint, value: fingerprint } }
    try {
      return this.#host.execute(command(fingerprint ?? ""), retried)
    } finally {
      this.#pending.delete(id)
    }
  }

  withinAppend(events: ReadonlyArray<Envelope>): void {
    for (const e of events) {
      const deleted = rowDeletedBy(e)
      if (deleted !== undefined) this.#store.delete(deleted)
      const written = rowWrittenBy(e)
      if (written === undefined) continue
      const pending = this.#pending.get(written)
      const fingerprint = e.type === "CredentialConnected" ? (e.data as { fingerprint: string }).fingerprint : undefined
      // No event without its material: an event naming a row the vault did not seal rolls back.
      if (!pending || (fingerprint !== undefined && pending.fingerprint !== fingerprint))
        throw new Error(`${e.type} for '${written}' without a value sealed by the vault`)
      this.#store.put(pending.row)
    }
  }

  onCommitted(events: ReadonlyArray<Envelope>): void {
    for (const e of events) {
      if (rowWrittenBy(e) === undefined && rowDeletedBy(e) === undefined) continue
      this.#scrubber = undefined
      const credential = (e.data as { credential?: string }).credential
      if (e.type === "OAuthClientConfigured") this.#sessions.clear()
      // A refresh keeps the connection (the session holds the new tokens); anything else ends it.
      if (credential === undefined || e.type === "CredentialRefreshed") continue
      this.#sessions.delete(credential)
      this.#host.forget(credential)
    }
  }

  scrubber(): Promise<Scrubber> {
    // A scrubber that could not be built is built again next time, not cached as a failure.
    this.#scrubber ??= this.#buildScrubber().catch(() => ((this.#scrubber = undefined), SHAPES_ONLY))
    return this.#scrubber
  }

  async #buildScrubber(): Promise<Scrubber> {
    const current = this.#currentKeys()
    const rows = this.#store.all()
    if (!current || rows.length === 0) return SHAPES_ONLY
    const keys = await current
    const values = await Promise.all(rows.filter((r) => r.keyId === keys.keyId).map((r) => unseal(keys, r).catch(() => undefined)))
    return scrubberFor(values.filter((v): v is string => v !== undefined).flatMap(secretsIn))
  }

  /** A row's plaintext, or undefined when there is none. Throws a message that never holds the value. */
  async open(id: string): Promise<string | undefined> {
    const current = this.#currentKeys()
    if (!current) throw new VaultKeyMissing()
    const row = this.#store.get(id)
    if (!row) return undefined
    const keys = await current
    const opener =
      row.keyId === keys.keyId
        ? keys
        : this.#previous !== undefined
          ? await deriveVaultKeys(this.#previous, this.#host.workspace())
          : undefined
    if (!opener || opener.keyId !== row.keyId)
      throw new Error(`'${id}' was sealed under another BERTH_VAULT_KEY; set BERTH_VAULT_KEY_PREVIOUS to that key, or set it again`)
    return unseal(opener, row)
  }

  /** The credential's value, in the headers it travels in. Throws a message that never holds the value. */
  async headers(chosen: ChosenCredential): Promise<Record<string, string>> {
    const value = await this.open(chosen.credential)
    if (value === undefined) throw new Error(`credential '${chosen.credential}' has no value in the vault`)
    return headersFor(chosen, value)
  }

  /** The credential as the upstream pool keys and opens it. */
  upstream(chosen: ChosenCredential): UpstreamCredential {
    const base = { id: chosen.credential, fingerprint: chosen.fingerprint, headers: () => this.headers(chosen) }
    if (chosen.kind !== "oauth" || !this.openSession) return base
    let session = this.#sessions.get(chosen.credential)
    if (!session) this.#sessions.set(chosen.credential, (session = this.openSession(chosen)))
    return { ...base, headers: async () => ({}), auth: session }
  }
}
