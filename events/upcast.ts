// Upcasters turn an older shape of an event's data into the current one, so the log is never
// rewritten. An event type's current version is 1 + the number of upcasters registered for it.
// Register a change as `upcasters.PluginInstalled = [(v1) => v2]`, and add a test for it.
import type { EventType } from "./index.ts"

type Upcaster = (data: any) => unknown

export const upcasters: Partial<Record<EventType, ReadonlyArray<Upcaster>>> = {
  // v1 → v2: agents docked only with keys before OAuth.
  AgentRegistered: [(v1) => ({ ...v1, via: "key" })]
}

export const currentVersion = (type: EventType): number => 1 + (upcasters[type]?.length ?? 0)

/** Brings `data` stored at version `v` up to the current version of `type`. */
export const upcast = (type: EventType, v: number, data: unknown): unknown => {
  const steps = upcasters[type] ?? []
  let out = data
  for (let i = v - 1; i < steps.length; i++) out = steps[i]!(out)
  return out
}
