// The vault: the workspace's credentials, as a capability of its Durable Object (STYLE §4a). It seals
// a value at the object's method boundary (WebCrypto is async), then appends CredentialConnected and
// writes the sealed row in one transaction; CredentialRevoked deletes the row in its transaction.
// At dispatch it opens a credential into the headers it travels in. Keys: crypto.ts.
import type { Envelope } from "../../events/index.ts"
import { type Scrubber, SHAPES_ONLY, scrubberFor } from "../runs/redact.ts"
import type { WorkspaceCapability } from "../workspace/capability.ts"
import { type CommandOptions, type CommandOutcome, rejected, type Rejected } from "../workspace/execute.ts"
import { deriveVaultKeys, fingerprintOf, rewrap, seal, type SealedCredential, unseal, type VaultKeys } from "./crypto.ts"
import { InvalidCredentialValue, VaultKeyMissing } from "./errors.ts"
import { type ChosenCredential, headersFor } from "./grants.ts"
import { VaultStore } from "./store.ts"

/** A fingerprint that passes the command's check before the vault has computed the real one. */
const PLACEHOLDER_FINGERPRINT = "0".repeat(32)
const MAX_VALUE_BYTES = 8192

/** What the vault needs of its object: the command pipeline, the slug, and the pool to forget clients. */
export interface VaultHost {
  workspace(): string
  precheck(command: unknown, options: CommandOptions): Rejected | undefined
  execute(command: unknown, options: CommandOptions): CommandOutcome
  /** Drops the pooled upstream clients that carry this credential. */
  forget(credential: string): void
}

/** A credential as the upstream pool sees it: which client it keys, and its headers when connecting. */
export interface UpstreamCredential {
  readonly id: string
  readonly fingerprint: string
  headers(): Promise<Record<string, string>>
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

export class Vault implements WorkspaceCapability, CredentialAccess {
  readonly #store: VaultStore
  readonly #secret: string | undefined
  readonly #previous: string | undefined
  readonly #host: VaultHost
  #keys: Promise<VaultKeys> | undefined
  /** Built from every stored value; dropped when a credential is set or revoked. */
  #scrubber: Promise<Scrubber> | undefined
  /** Sealed rows waiting for the append of their CredentialConnected, by credential. */
  readonly #pending = new Map<string, { readonly fingerprint: string; readonly row: SealedCredential }>()

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

  /** SetCredential: check, seal the value, then append and store the row together. */
  async set(input: Record<string, unknown>, value: unknown, options: CommandOptions): Promise<CommandOutcome> {
    const command = { ...input, _tag: "SetCredential" }
    const refused = this.#host.precheck({ ...command, fingerprint: PLACEHOLDER_FINGERPRINT }, options)
    if (refused) return refused
    const keys = this.#currentKeys()
    if (!keys) return rejected(new VaultKeyMissing())
    const credential = String(input.credential)
    const rule = valueRule(value)
    if (rule) return rejected(new InvalidCredentialValue({ credential, rule }))
    const [k, row] = await keys.then(async (k) => [k, await seal(k, credential, value as string)] as const)
    const fingerprint = await fingerprintOf(k, value as string)
    this.#pending.set(credential, { fingerprint, row })
    try {
      return this.#host.execute({ ...command, fingerprint }, options)
    } finally {
      this.#pending.delete(credential)
    }
  }

  withinAppend(events: ReadonlyArray<Envelope>): void {
    for (const e of events) {
      if (e.type === "CredentialRevoked") this.#store.delete((e.data as { credential: string }).credential)
      if (e.type !== "CredentialConnected") continue
      const { credential, fingerprint } = e.data as { credential: string; fingerprint: string }
      const pending = this.#pending.get(credential)
      // No event without its material: a CredentialConnected the vault did not seal rolls back.
      if (!pending || pending.fingerprint !== fingerprint) throw new Error(`CredentialConnected for '${credential}' without a value sealed by the vault`)
      this.#store.put(pending.row)
    }
  }

  onCommitted(events: ReadonlyArray<Envelope>): void {
    for (const e of events)
      if (e.type === "CredentialConnected" || e.type === "CredentialRevoked") {
        this.#scrubber = undefined
        this.#host.forget((e.data as { credential: string }).credential)
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
    return scrubberFor(values.filter((v): v is string => v !== undefined))
  }

  /** The credential's value, in the headers it travels in. Throws a message that never holds the value. */
  async headers(chosen: ChosenCredential): Promise<Record<string, string>> {
    const current = this.#currentKeys()
    if (!current) throw new VaultKeyMissing()
    const row = this.#store.get(chosen.credential)
    if (!row) throw new Error(`credential '${chosen.credential}' has no value in the vault`)
    const keys = await current
    const opener =
      row.keyId === keys.keyId
        ? keys
        : this.#previous !== undefined
          ? await deriveVaultKeys(this.#previous, this.#host.workspace())
          : undefined
    if (!opener || opener.keyId !== row.keyId)
      throw new Error(`credential '${chosen.credential}' was sealed under another BERTH_VAULT_KEY; set BERTH_VAULT_KEY_PREVIOUS to that key, or set the credential again`)
    return headersFor(chosen, await unseal(opener, row))
  }

  /** The credential as the upstream pool keys and opens it. */
  upstream(chosen: ChosenCredential): UpstreamCredential {
    return { id: chosen.credential, fingerprint: chosen.fingerprint, headers: () => this.headers(chosen) }
  }
}
