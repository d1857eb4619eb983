// The workspace directory: slug → creation time in KV, so `workspace list` needs no fan-out to
// every Durable Object. The log stays the truth: an object whose workspace exists but whose
// directory entry is not confirmed writes it on wake, and retries from its alarm until it lands.
// (The alarm is shared with the fan-out, so this only says when it is due: `due()`.)
const ANNOUNCED = "directory:announced"
const RETRY_MS = 5_000

export interface DirectoryEntry {
  readonly workspace: string
  readonly createdAt: string
}

export class Directory {
  readonly kv: KVNamespace
  readonly storage: DurableObjectStorage
  #retryAt: number | null = null

  constructor(kv: KVNamespace, storage: DurableObjectStorage) {
    this.kv = kv
    this.storage = storage
  }

  /** Writes the entry unless an earlier write was confirmed; on failure, a retry falls due. */
  async ensure(entry: DirectoryEntry | null): Promise<void> {
    if (entry === null || this.storage.kv.get(ANNOUNCED) === true) return
    try {
      // The entry rides in the key's metadata, so `list` reads it without one `get` per workspace.
      await this.kv.put(`workspace:${entry.workspace}`, "", { metadata: entry })
      this.storage.kv.put(ANNOUNCED, true)
      this.#retryAt = null
    } catch {
      this.#retryAt = Date.now() + RETRY_MS
    }
  }

  /** When a failed write should be retried (epoch ms), or null. */
  due(): number | null {
    return this.#retryAt
  }

  static async list(kv: KVNamespace): Promise<Array<DirectoryEntry>> {
    const entries: Array<DirectoryEntry> = []
    let cursor: string | undefined
    do {
      const page: KVNamespaceListResult<DirectoryEntry, string> = await kv.list({ prefix: "workspace:", ...(cursor ? { cursor } : {}) })
      for (const key of page.keys) if (key.metadata) entries.push(key.metadata)
      cursor = page.list_complete ? undefined : page.cursor
    } while (cursor)
    return entries.sort((a, b) => a.workspace.localeCompare(b.workspace))
  }
}
