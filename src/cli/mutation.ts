// What every mutating command shares: the --expected-seq and --idempotency-key flags, sending
// the command with its routing fields, and reporting what it appended.
import { Effect, Option } from "effect"
import { Flag } from "effect/cli"
import { call, optionalField } from "./client.ts"
import { printJson, printLine } from "./output.ts"
import { jsonOutput, targetWorkspace } from "./root.ts"

export const mutationFlags = {
  expectedSeq: Flag.Int("expected-seq").pipe(
    Flag.withDescription("Refuse unless the log's head is exactly this seq (optimistic concurrency)"),
    Flag.optional
  ),
  idempotencyKey: Flag.String("idempotency-key").pipe(
    Flag.withDescription("A retry with the same key returns the first result and appends nothing"),
    Flag.optional
  )
}

export interface MutationOptions {
  readonly expectedSeq: Option.Option<number>
  readonly idempotencyKey: Option.Option<string>
}

/** The plane's answer to a command. */
export interface CommandResult {
  readonly seq: number
  readonly events: ReadonlyArray<{ readonly seq: number; readonly type: string; readonly data: Readonly<Record<string, unknown>> }>
  readonly replayed: boolean
  readonly [field: string]: unknown
}

/** Sends a command to a workspace: `-w`/BERTH_WORKSPACE unless `workspace` is given (as for CreateWorkspace). */
export const sendCommand = Effect.fn("Cli.sendCommand")(function* (
  tag: string,
  fields: Readonly<Record<string, unknown>>,
  options: MutationOptions,
  workspace?: string
) {
  const target = workspace ?? (yield* targetWorkspace)
  const body = {
    _tag: tag,
    workspace: target,
    ...optionalField("expectedSeq", options.expectedSeq),
    ...optionalField("idempotencyKey", options.idempotencyKey),
    ...fields
  }
  return { workspace: target, result: (yield* call(body)) as CommandResult }
})

/** `done` is the human sentence, e.g. `installed plugin gh`; --json prints the plane's result as is. */
export const reportCommand = Effect.fn("Cli.reportCommand")(function* (result: CommandResult, done: string) {
  if (yield* jsonOutput) return yield* printJson(result)
  if (result.replayed) return yield* printLine(`${done} (replayed: this idempotency key was already used; nothing appended)`)
  if (result.events.length === 0)
    return yield* printLine(`${done}: no change, the workspace already had it (nothing appended; head is seq ${result.seq})`)
  const types = result.events.map((e) => e.type).join(", ")
  yield* printLine(`${done} (seq ${result.seq}: ${types})`)
})

/** One-shot mutating subcommand body: send, then report. */
export const mutate = (tag: string, fields: Readonly<Record<string, unknown>>, options: MutationOptions, done: string) =>
  Effect.flatMap(sendCommand(tag, fields, options), ({ result }) => reportCommand(result, done))
