// Memory events: workspace-scoped entries (a namespace path and a key) that outlive any single
// agent. Each put and delete is one event, its actor the agent or member who wrote it; an entry whose
// TTL ran out leaves by MemoryExpired, appended by the workspace's alarm, so replay shows when.
import { Schema } from "effect"
import { defineEvent } from "./define.ts"

export const MemoryPut = defineEvent("MemoryPut", {
  namespace: Schema.String,
  key: Schema.String,
  /** JSON: an object, array, number, boolean, null, or a string (text). */
  value: Schema.Unknown,
  /** 1 for a new entry, then one more for each put. */
  version: Schema.Number,
  tags: Schema.optional(Schema.Array(Schema.String)),
  /** When the entry expires (from the put's TTL); absent, never. */
  expiresAt: Schema.optional(Schema.String)
})
export const MemoryDeleted = defineEvent("MemoryDeleted", { namespace: Schema.String, key: Schema.String, version: Schema.Number })
export const MemoryExpired = defineEvent("MemoryExpired", {
  namespace: Schema.String,
  key: Schema.String,
  version: Schema.Number,
  expiresAt: Schema.String
})

export const MemoryEvents = [MemoryPut, MemoryDeleted, MemoryExpired] as const
export type MemoryEvent = Schema.Schema.Type<(typeof MemoryEvents)[number]>
