// The command pipeline inside the Durable Object: role → decode → idempotency → expectedSeq →
// decide → append + project in one transactionSync. It is synchronous from start to end, so commands
// to one workspace never interleave and `seq` stays contiguous however many arrive at once.
import canonicalize from "canonicalize"
import { Cause, Effect, Exit, Schema } from "effect"
import type { Actor, Envelope, StoredEvent } from "../../events/index.ts"
import { applyEvents } from "../../projections/evolve.ts"
import type { EntityKind, WorkspaceState } from "../../projections/state.ts"
import { forbiddenIn, isAction } from "../auth/roles.ts"
import { Command, COMMAND_TAGS, decide, DomainError } from "./decide.ts"
import { ConcurrencyConflict, IdempotencyKeyReused, InvalidCommand } from "./errors.ts"
import type { EventLog } from "./event-log.ts"
import type { IdempotencyStore } from "./idempotency-store.ts"
import { invalidCommand } from "./invalid-command.ts"
import type { ProjectionStore } from "./projection-store.ts"
import { sha256Hex } from "./sha256-hex.ts"

export interface CommandOptions {
  readonly actor: Actor
  /** Refuse the command unless the log's head is exactly this seq (optimistic concurrency). */
  readonly expectedSeq?: number
  /** A retry with the same key returns the first result and appends nothing. */
  readonly idempotencyKey?: string
  /**
   * What a retry must match to count as the same command. Defaults to the command itself; the admin
   * edge passes the request as the admin sent it, because it adds values (a minted key's hash) that
   * differ on every attempt.
   */
  readonly fingerprint?: unknown
  readonly correlationId?: string
  readonly causationId?: string
}

/** A domain error as it crosses RPC: its tag, its fields and its message. */
export type ErrorBody = { readonly _tag: DomainError["_tag"]; readonly message: string } & Record<string, unknown>

export type Accepted = { readonly ok: true; readonly seq: number; readonly events: ReadonlyArray<Envelope>; readonly replayed: boolean }
export type Rejected = { readonly ok: false; readonly error: ErrorBody }
export type CommandOutcome = Accepted | Rejected

export interface WorkspaceStores {
  readonly log: EventLog
  readonly projection: ProjectionStore
  readonly idempotency: IdempotencyStore
  readonly transactionSync: <T>(fn: () => T) => T
}

const encodeError = Schema.encodeSync(DomainError)
const isDomainError = Schema.is(DomainError)
const encodeCommand = Schema.encodeSync(Command)

export const errorBody = (error: DomainError): ErrorBody => ({ ...encodeError(error), message: error.message }) as ErrorBody

export const rejected = (error: DomainError): Rejected => ({ ok: false, error: errorBody(error) })

// One decoder per command, built once: building it on every call took about as long as decoding.
const commandDecoders = new Map(
  Command.members.map((m) => [m.identifier, Schema.decodeUnknownExit(m as Schema.Codec<Command, unknown>)] as const)
)

/** Decodes a command, naming the bad field, and the command itself when its `_tag` is unknown. */
export const decodeCommand = (input: unknown): Exit.Exit<Command, InvalidCommand> => {
  const tag = (input as { _tag?: unknown } | null)?._tag
  const decode = typeof tag === "string" ? commandDecoders.get(tag) : undefined
  if (!decode)
    return Exit.fail(
      new InvalidCommand({ field: "_tag", reason: `unknown command ${JSON.stringify(tag)}; expected one of ${COMMAND_TAGS.join(", ")}` })
    )
  const exit = decode(input, { onExcessProperty: "error" })
  return Exit.isSuccess(exit) ? Exit.succeed(exit.value) : Exit.fail(invalidCommand(Cause.squash(exit.cause) as Schema.SchemaError))
}

/**
 * The caller's role, checked against the members as they are in this same synchronous step, so no
 * change of role can slip between the check and the append. It comes first, before the idempotency
 * replay: a forbidden caller must not learn a first result.
 */
const forbidden = (state: WorkspaceState, workspace: string, input: unknown, options: CommandOptions) => {
  const tag = (input as { _tag?: unknown } | null)?._tag
  const refusal = isAction(tag) ? forbiddenIn(state, workspace, options.actor, tag) : undefined
  return refusal && rejected(refusal)
}

/**
 * The answer an idempotency key already decides: the first result again for the same command, a
 * refusal for a different one (by `commandHash`), or nothing for a key never seen.
 */
const recalled = (stores: WorkspaceStores, idempotencyKey: string | undefined, commandHash: string): CommandOutcome | undefined => {
  const first = idempotencyKey === undefined ? undefined : stores.idempotency.recall<Accepted>(idempotencyKey)
  if (!first) return undefined
  if (first.commandHash !== commandHash) return rejected(new IdempotencyKeyReused({ idempotencyKey: idempotencyKey! }))
  return { ...first.result, replayed: true }
}

const hashOf = (command: unknown) => sha256Hex(canonicalize(command)!)

/**
 * Checks a command against the current state without appending, so the edge can refuse it before
 * slow I/O (connecting to an upstream). Its fields are checked first, always. A command whose
 * idempotency key is known is answered here, with the replay or the refusal, so nothing is dialled
 * for it; when the caller gave no fingerprint (the probe differs from what will be hashed) it
 * passes, and the pipeline decides.
 */
export const precheckCommand = (
  stores: WorkspaceStores,
  workspace: string,
  state: WorkspaceState,
  input: unknown,
  options: CommandOptions
): CommandOutcome | undefined => {
  const refused = forbidden(state, workspace, input, options)
  if (refused) return refused
  const decoded = decodeCommand(input)
  if (Exit.isFailure(decoded)) return rejected(Cause.squash(decoded.cause) as InvalidCommand)
  if (options.idempotencyKey !== undefined && stores.idempotency.recall(options.idempotencyKey))
    return options.fingerprint === undefined ? undefined : recalled(stores, options.idempotencyKey, hashOf(options.fingerprint))
  const decided = Effect.runSyncExit(decide(state, decoded.value, workspace))
  if (Exit.isFailure(decided)) {
    const error = Cause.squash(decided.cause)
    if (isDomainError(error)) return rejected(error)
    throw error
  }
  return undefined
}

/** Memory is changed in place by the live append (draft.ts): copying 10,000 entries per put costs milliseconds. */
const IN_PLACE: ReadonlySet<EntityKind> = new Set(["memory"])

export interface Executed {
  readonly outcome: CommandOutcome
  readonly state: WorkspaceState
}

export const executeCommand = (
  stores: WorkspaceStores,
  workspace: string,
  state: WorkspaceState,
  input: unknown,
  options: CommandOptions,
  /** Capabilities' writes that belong with the append (a vault row): same transaction, or neither. */
  withinAppend?: (events: ReadonlyArray<Envelope>) => void
): Executed => {
  const refused = forbidden(state, workspace, input, options)
  if (refused) return { outcome: refused, state }
  const decoded = decodeCommand(input)
  if (Exit.isFailure(decoded)) return { outcome: rejected(Cause.squash(decoded.cause) as InvalidCommand), state }
  const command = decoded.value

  const commandHash = options.idempotencyKey === undefined ? "" : hashOf(options.fingerprint ?? encodeCommand(command))
  const answered = recalled(stores, options.idempotencyKey, commandHash)
  if (answered) return { outcome: answered, state }

  const head = stores.log.head
  if (options.expectedSeq !== undefined && options.expectedSeq !== head.seq)
    return { outcome: rejected(new ConcurrencyConflict({ expectedSeq: options.expectedSeq, currentSeq: head.seq })), state }

  const decided = Effect.runSyncExit(decide(state, command, workspace))
  if (Exit.isFailure(decided)) {
    const error = Cause.squash(decided.cause)
    if (isDomainError(error)) return { outcome: rejected(error), state }
    throw error
  }

  const commandId = stores.log.newId()
  let undo = () => {}
  const appending = () => {
    const envelopes = stores.log.append(decided.value, {
      actor: options.actor,
      correlationId: options.correlationId ?? commandId,
      causationId: options.causationId ?? commandId
    })
    // The envelopes wrap the events decide just built, so their data is already typed: no decode needed.
    const applied = applyEvents(state, envelopes as ReadonlyArray<StoredEvent>, IN_PLACE)
    undo = applied.undo
    const { state: next, changes } = applied
    stores.projection.save(next, changes)
    withinAppend?.(envelopes)
    const outcome: Accepted = { ok: true, seq: envelopes.at(-1)?.seq ?? head.seq, events: envelopes, replayed: false }
    if (options.idempotencyKey !== undefined) stores.idempotency.remember(options.idempotencyKey, commandHash, outcome)
    return { outcome, next }
  }
  let appended: { outcome: Accepted; next: WorkspaceState }
  try {
    appended = stores.transactionSync(appending)
  } catch (error) {
    // Rolled back: the in-place records go back to how the log still has them.
    undo()
    throw error
  }
  const { outcome, next } = appended
  stores.log.advance(outcome.events)
  return { outcome, state: next }
}
