// Memory events: workspace-scoped key/value memory that outlives any single agent.
import { Schema } from "effect"
import { defineEvent } from "./define.ts"

export const MemoryPut = defineEvent("MemoryPut", {
  namespace: Schema.String,
  key: Schema.String,
  value: Schema.Unknown
})
export const MemoryDeleted = defineEvent("MemoryDeleted", { namespace: Schema.String, key: Schema.String })

export const MemoryEvents = [MemoryPut, MemoryDeleted] as const
export type MemoryEvent = Schema.Schema.Type<(typeof MemoryEvents)[number]>
