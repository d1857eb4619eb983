// Workspace memory as a capability of the Workspace object (STYLE §4a): it owns the search index,
// checks puts against the vault at the object's boundary (the vault's values are only known there),
// turns a TTL into an expiry time, and appends MemoryExpired from the object's alarm.
import type { Actor, Envelope } from "../../events/index.ts"
import { memoryKey, type WorkspaceState } from "../../projections/state.ts"
import type { Scrubber } from "../runs/redact.ts"
import type { WorkspaceCapability } from "../workspace/capability.ts"
import { type CommandOptions, type CommandOutcome, rejected, type Rejected } from "../workspace/execute.ts"
import { InvalidCommand } from "../workspace/errors.ts"
import { valueText } from "./commands.ts"
import { MemoryNotFound, MemoryValueHasSecret } from "./errors.ts"
import { withinNamespace } from "./names.ts"
import { MemorySearchIndex, type SearchHit } from "./search-index.ts"

const SYSTEM: Actor = { type: "system", id: "memory" }
/** Ten years: a TTL is for things that should go, not a way to say "never". */
export const MAX_TTL_SECONDS = 10 * 365 * 24 * 3600
const MAX_PAGE = 200

export interface MemoryHost {
  state(): WorkspaceState
  precheck(command: unknown, options: CommandOptions): CommandOutcome | undefined
  execute(command: unknown, options: CommandOptions): CommandOutcome
  scrubber(): Promise<Scrubber>
}

/** What a caller sends to put an entry: a TTL in seconds rather than a time. */
export interface PutInput {
  readonly namespace: string
  readonly key: string
  readonly value: unknown
  readonly tags?: ReadonlyArray<string> | undefined
  readonly ttlSeconds?: number | undefined
  readonly ifVersion?: number | undefined
}

export interface MemoryEntry {
  readonly namespace: string
  readonly key: string
  readonly value: unknown
  readonly version: number
  readonly tags: ReadonlyArray<string>
  readonly expiresAt?: string | undefined
  readonly updatedAt: string
}

export interface ListOptions {
  readonly prefix?: string | undefined
  readonly tags?: ReadonlyArray<string> | undefined
  readonly cursor?: string | undefined
  readonly limit?: number | undefined
}

const live = (entry: MemoryEntry, now: number) => entry.expiresAt === undefined || Date.parse(entry.expiresAt) > now

const ttlRule = (ttl: unknown) =>
  ttl === undefined || (Number.isInteger(ttl) && (ttl as number) >= 1 && (ttl as number) <= MAX_TTL_SECONDS)
    ? undefined
    : `ttlSeconds is a whole number of seconds from 1 to ${MAX_TTL_SECONDS}`

export class Memory implements WorkspaceCapability {
  readonly #host: MemoryHost
  readonly #index: MemorySearchIndex
  /** The entries with an expiry, by memoryKey: the alarm's work, without a walk over every entry. */
  readonly #expiring = new Map<string, { namespace: string; key: string; version: number; at: number }>()

  constructor(sql: SqlStorage, host: MemoryHost) {
    this.#host = host
    this.#index = new MemorySearchIndex(sql)
  }

  async start(): Promise<void> {
    const state = this.#host.state()
    this.#index.reconcile(state)
    for (const m of Object.values(state.memory)) this.#track(m.namespace, m.key, m.version, m.expiresAt)
  }

  withinAppend(events: ReadonlyArray<Envelope>): void {
    this.#index.apply(events)
  }

  onCommitted(events: ReadonlyArray<Envelope>): void {
    for (const e of events) {
      if (e.type !== "MemoryPut" && e.type !== "MemoryDeleted" && e.type !== "MemoryExpired") continue
      const { namespace, key, version, expiresAt } = e.data as { namespace: string; key: string; version: number; expiresAt?: string }
      this.#track(namespace, key, version, e.type === "MemoryPut" ? expiresAt : undefined)
    }
  }

  #track(namespace: string, key: string, version: number, expiresAt: string | undefined) {
    if (expiresAt === undefined) this.#expiring.delete(memoryKey(namespace, key))
    else this.#expiring.set(memoryKey(namespace, key), { namespace, key, version, at: Date.parse(expiresAt) })
  }

  /** The next moment an entry expires, for the object's alarm. */
  due(): number | null {
    let next: number | null = null
    for (const { at } of this.#expiring.values()) next = Math.min(next ?? Infinity, at)
    return next
  }

  /** Appends MemoryExpired for each entry whose time has come. */
  onAlarm(now: number): void {
    for (const { namespace, key, version, at } of [...this.#expiring.values()])
      if (at <= now) {
        const outcome = this.#host.execute({ _tag: "ExpireMemory", namespace, key, version }, { actor: SYSTEM })
        // Put again or deleted since (decide appended nothing): it is tracked as the state has it.
        if (outcome.ok && outcome.events.length === 0) this.#expiring.delete(memoryKey(namespace, key))
      }
  }

  /** PutMemory at the boundary: the TTL becomes a time, and a value carrying a vault secret is refused. */
  async put(input: PutInput, options: CommandOptions): Promise<CommandOutcome> {
    const rule = ttlRule(input.ttlSeconds)
    if (rule) return rejected(new InvalidCommand({ field: "ttlSeconds", reason: rule }))
    const { ttlSeconds, ...fields } = input
    const command = {
      ...fields,
      _tag: "PutMemory",
      ...(ttlSeconds === undefined ? {} : { expiresAt: new Date(Date.now() + ttlSeconds * 1000).toISOString() })
    }
    // The role, the fields and decide first: only a caller who may write learns that a value matched the vault.
    const refused = this.#host.precheck(command, options)
    if (refused) return refused
    // The plane fills it in from ttlSeconds, which is held to its range; a caller's own would skip that.
    if ((input as { expiresAt?: unknown }).expiresAt !== undefined)
      return rejected(new InvalidCommand({ field: "expiresAt", reason: "expiresAt is filled in by the plane from ttlSeconds; send ttlSeconds" }))
    const scrubber = await this.#host.scrubber()
    const text = `${valueText(input.value)} ${(input.tags ?? []).join(" ")}`
    if (scrubber.text(text) !== text) return rejected(new MemoryValueHasSecret({ namespace: String(input.namespace), key: String(input.key) }))
    return this.#host.execute(command, options)
  }

  get(namespace: string, key: string): MemoryEntry | MemoryNotFound {
    const entry = this.#host.state().memory[memoryKey(namespace, key)]
    return entry && live(entry, Date.now()) ? entry : new MemoryNotFound({ namespace, key })
  }

  /**
   * Entries within a namespace prefix, carrying every tag asked, ordered by namespace then key. The
   * cursor is the last entry's `namespace/key`, so a page is stable while entries come and go.
   */
  list(options: ListOptions, readable: (namespace: string) => boolean = () => true) {
    const now = Date.now()
    const limit = Math.min(Math.max(options.limit ?? 50, 1), MAX_PAGE)
    const tags = options.tags ?? []
    const entries = Object.values(this.#host.state().memory)
      .filter((m) => live(m, now))
      .filter((m) => options.prefix === undefined || withinNamespace(m.namespace, options.prefix))
      .filter((m) => tags.every((t) => m.tags.includes(t)))
      .filter((m) => readable(m.namespace))
      .map((m) => ({ m, at: `${m.namespace}/${m.key}` }))
      .filter(({ at }) => options.cursor === undefined || at > options.cursor)
      .sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0))
    const page = entries.slice(0, limit).map(({ m }) => m)
    const more = entries.length > limit
    return { entries: page, cursor: more ? `${page.at(-1)!.namespace}/${page.at(-1)!.key}` : null }
  }

  search(query: string, options: { prefix?: string | undefined; limit?: number | undefined }, readable: (namespace: string) => boolean = () => true) {
    const limit = Math.min(Math.max(options.limit ?? 10, 1), 100)
    const now = Date.now()
    const state = this.#host.state()
    const accept = (namespace: string, key: string) => {
      const entry = state.memory[memoryKey(namespace, key)]
      return entry !== undefined && live(entry, now) && readable(namespace)
    }
    const hits = this.#index.search(query, { prefix: options.prefix, limit, accept }).map((hit) => {
      const entry = state.memory[memoryKey(hit.namespace, hit.key)]!
      return { ...hit, version: entry.version, tags: entry.tags }
    })
    return { hits }
  }

  /** For the property test: what the index holds. */
  indexed() {
    return this.#index.documents()
  }
}
