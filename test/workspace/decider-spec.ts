// The given/when/then spec for every command handler (emmett's DeciderSpecification, the Berth way):
// fold `given` events through evolve, run decide on the command, assert the exact events or the error.
import { Cause, Effect, Exit } from "effect"
import { expect } from "vitest"
import { type DomainEvent, GENESIS_HASH, type StoredEvent } from "../../events/index.ts"
import { replay } from "../../projections/evolve.ts"
import { initialState, type WorkspaceState } from "../../projections/state.ts"
import { type Command, decide, type DomainError } from "../../src/workspace/decide.ts"
import { InvalidCommand } from "../../src/workspace/errors.ts"
import { decodeCommand } from "../../src/workspace/execute.ts"

/** The slug every spec addresses its command to. */
export const WORKSPACE = "acme"

const T0 = Date.parse("2026-11-01T09:00:00.000Z")

/** Wraps domain events in minimal envelopes (seq from 1, one second apart), as the log would hand them to evolve. */
export const stored = (events: ReadonlyArray<DomainEvent>, firstSeq = 1): ReadonlyArray<StoredEvent> =>
  events.map((e, i) => {
    const seq = firstSeq + i
    return {
      seq,
      id: `01JTEST${String(seq).padStart(19, "0")}`,
      v: 1,
      at: new Date(T0 + (seq - 1) * 1000).toISOString(),
      actor: { type: "admin", id: "test" },
      correlationId: "spec",
      causationId: null,
      prevHash: GENESIS_HASH,
      hash: GENESIS_HASH,
      ...e
    }
  })

/** The state after `events`, folded from the empty workspace. */
export const stateAfter = (...events: ReadonlyArray<DomainEvent>): WorkspaceState => replay(stored(events), initialState)

/** A domain error class: a Schema.TaggedError, whose static `fields` name what the error carries. */
type ErrorClass = (abstract new (fields: any) => DomainError) & { readonly fields: object }

/** The error's own fields, read through its Schema so inherited Error properties are left out. */
const fieldsOf = (Class: { readonly fields: object }, error: DomainError): Record<string, unknown> =>
  Object.fromEntries(
    Object.keys(Class.fields)
      .filter((k) => k !== "_tag")
      .map((k) => [k, (error as unknown as Record<string, unknown>)[k]])
  )

export interface Then {
  /** decide succeeds with exactly these events, in this order. */
  then(...expected: ReadonlyArray<DomainEvent>): void
  /** decide fails with an error of this class (and, if given, exactly these fields), whose message names them. */
  thenFails<C extends ErrorClass>(Class: C, fields?: ConstructorParameters<C>[0]): void
  /** decide succeeds and appends nothing: the command changes nothing. */
  thenNothing(): void
}

export const given = (...history: ReadonlyArray<DomainEvent>) => ({
  when: (command: Command): Then => {
    const state = stateAfter(...history)
    const run = () => Effect.runSyncExit(decide(state, command, WORKSPACE))
    const succeeded = () => {
      const exit = run()
      if (Exit.isFailure(exit)) expect.fail(`expected ${command._tag} to succeed, but it failed: ${Cause.pretty(exit.cause)}`)
      return exit.value
    }
    return {
      then: (...expected) => {
        expect(expected.length, "use thenNothing() for a command that appends no events").toBeGreaterThan(0)
        expect(succeeded()).toEqual(expected)
      },
      thenNothing: () => expect(succeeded()).toEqual([]),
      thenFails: (Class, fields) => {
        const exit = run()
        if (Exit.isSuccess(exit))
          return expect.fail(`expected ${command._tag} to fail with ${Class.name}, but it decided ${JSON.stringify(exit.value)}`)
        expect(Cause.hasDies(exit.cause), `a defect, not a domain error: ${Cause.pretty(exit.cause)}`).toBe(false)
        const error = Cause.squash(exit.cause) as DomainError
        expect(error).toBeInstanceOf(Class)
        expect(error._tag).toBe(Class.name)
        const actual = fieldsOf(Class, error)
        if (fields !== undefined) expect(actual).toEqual(fields)
        // Invariant 4: a rejected command's error names the field or the entity it is about.
        expect(error.message.length).toBeGreaterThan(0)
        for (const value of Object.values(actual)) if (typeof value === "string") expect(error.message).toContain(value)
      }
    }
  }
})

/** The InvalidCommand that the command Schemas refuse `input` with (decodeCommand, before decide runs). */
export const refusal = (input: unknown): InvalidCommand => {
  const exit = decodeCommand(input)
  if (Exit.isSuccess(exit)) return expect.fail(`expected ${JSON.stringify(input)} to be refused, but it decoded`)
  const error = Cause.squash(exit.cause)
  expect(error).toBeInstanceOf(InvalidCommand)
  const invalid = error as InvalidCommand
  expect(invalid.message).toContain(invalid.field)
  return invalid
}
