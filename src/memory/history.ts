// `berth memory history`: every version of one entry, who wrote it and when, read from the log rows
// the object holds (what retention pruned is in the archive, and not read here).
import type { Envelope } from "../../events/index.ts"

export const MEMORY_EVENT_TYPES = ["MemoryPut", "MemoryDeleted", "MemoryExpired"] as const

export const memoryHistory = (sql: SqlStorage, namespace: string, key: string, read: (row: any) => Envelope): Array<Envelope> =>
  sql
    .exec(
      `SELECT * FROM events
        WHERE type IN ('MemoryPut', 'MemoryDeleted', 'MemoryExpired')
          AND json_extract(data, '$.namespace') = ? AND json_extract(data, '$.key') = ?
        ORDER BY seq`,
      namespace,
      key
    )
    .toArray()
    .map(read)
