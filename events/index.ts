// The event catalog: the contract of the log. Every event type, as a Schema, and the union of them.
import { Schema } from "effect"
import { AgentEvents } from "./agent.ts"
import { BotEvents } from "./bot.ts"
import { CredentialEvents } from "./credential.ts"
import type { Envelope } from "./envelope.ts"
import { JobEvents } from "./job.ts"
import { MemoryEvents } from "./memory.ts"
import { PluginEvents } from "./plugin.ts"
import { PolicyEvents } from "./policy.ts"
import { RunEvents } from "./run.ts"
import { currentVersion, upcast } from "./upcast.ts"
import { WorkspaceEvents } from "./workspace.ts"

export * from "./agent.ts"
export * from "./bot.ts"
export * from "./credential.ts"
export * from "./envelope.ts"
export * from "./job.ts"
export * from "./memory.ts"
export * from "./names.ts"
export * from "./plugin.ts"
export * from "./policy.ts"
export * from "./run.ts"
export * from "./workspace.ts"

export const EventSchemas = [
  ...WorkspaceEvents,
  ...AgentEvents,
  ...BotEvents,
  ...PluginEvents,
  ...CredentialEvents,
  ...PolicyEvents,
  ...MemoryEvents,
  ...RunEvents,
  ...JobEvents
] as const

/** A domain event: `{ type, data }`, before the log wraps it in an envelope. */
export const DomainEvent = Schema.Union(EventSchemas)
export type DomainEvent = typeof DomainEvent.Type
export type EventType = DomainEvent["type"]
export type EventOf<T extends EventType> = Extract<DomainEvent, { type: T }>

export const EVENT_TYPES: ReadonlyArray<EventType> = EventSchemas.map((s) => s.fields.type.literal)

/** An envelope whose data has been upcast and checked: what projections fold. */
export type StoredEvent = Omit<Envelope, "type" | "data"> & DomainEvent

const decodeDomainEvent = Schema.decodeUnknownSync(DomainEvent)

/** Validates a stored envelope's payload against the catalog, upcasting older versions first. */
export const decodeEvent = (envelope: Envelope): StoredEvent => {
  const event = decodeDomainEvent({ type: envelope.type, data: upcast(envelope.type as EventType, envelope.v, envelope.data) })
  return { ...envelope, ...event } as StoredEvent
}

/** What a fold needs of an event: its type, data and time. */
export type FoldableEvent = DomainEvent & { readonly at: string }

const KNOWN_TYPES: ReadonlySet<string> = new Set(EVENT_TYPES)

/**
 * An event this plane appended, for replay. Older versions are upcast and checked against the
 * catalog, as decodeEvent does. Data at the current version is folded as written: the append path
 * built it from typed handlers, and the live projection folded exactly these values. Replay does not
 * re-check what the append path produced; whether the bytes are still the ones written is for the
 * chain (`verify`) and, in the archive, the segments' sha256 to say. Skipping the re-check is what
 * lets a replay run at the speed of reading the log (docs/benchmarks.md).
 */
export const foldableEvent = (type: string, v: number, at: string, data: unknown): FoldableEvent => {
  if (KNOWN_TYPES.has(type) && v === currentVersion(type as EventType)) return { type, at, data } as FoldableEvent
  return { at, ...decodeDomainEvent({ type, data: upcast(type as EventType, v, data) }) }
}

/** Builds a domain event, typed by its name. */
export const event = <T extends EventType>(type: T, data: EventOf<T>["data"]): EventOf<T> =>
  ({ type, data }) as EventOf<T>
