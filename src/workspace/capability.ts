// How a capability plugs into the Workspace object (STYLE §4a) instead of being written into it:
// it owns its tables, may do async work when the object wakes, writes its rows inside the append's
// transaction (so its table and the log never disagree), and reacts once an append has committed.
import type { Envelope } from "../../events/index.ts"

export interface WorkspaceCapability {
  /** Runs once when the object wakes, inside blockConcurrencyWhile. */
  start?(): Promise<void>
  /** Runs inside the append's transactionSync; throwing rolls the append back. */
  withinAppend?(events: ReadonlyArray<Envelope>): void
  /** Runs after an append committed (not for an idempotent replay). */
  onCommitted?(events: ReadonlyArray<Envelope>): void
}
