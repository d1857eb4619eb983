// The workspace directory: slug → creation time in KV, so `workspace list` needs no fan-out to
// every Durable Object. The workspace's log stays the truth; a failed write is retried from the alarm.
const PENDING = "directory:pending"
const RETRY_MS = 5_000

export interface DirectoryEntry {
  readonly workspace: string
  readonly createdAt: string
}

export class Directory {
  readonly kv: KVNamespace
  readonly storage: DurableObjectStorage

  constructor(kv: KVNamespace, storage: DurableObjectStorage) {
    this.kv = kv
    this.storage = storage
  }

  static key(workspace: string): string {
    return `workspace:${workspace}`
  }

  async announce(workspace: string, createdAt: string): Promise<void> {
    const entry: DirectoryEntry = { workspace, createdAt }
    try {
      // The entry rides in the key's metadata, so `list` reads it without one `get` per workspace.
      await this.kv.put(Directory.key(workspace), "", { metadata: entry })
    } catch {
      this.storage.kv.put(PENDING, entry)
      await this.storage.setAlarm(Date.now() + RETRY_MS)
    }
  }

  async retry(): Promise<void> {
    const pending = this.storage.kv.get<DirectoryEntry>(PENDING)
    if (!pending) return
    this.storage.kv.delete(PENDING)
    await this.announce(pending.workspace, pending.createdAt)
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
