// What one CLI invocation sees of the outside world: environment, working directory, output
// streams and fetch. They are handed in rather than read from `process`, so tests run the CLI in-process.
import { Context } from "effect"

export interface TextSink {
  write(chunk: string): unknown
  readonly isTTY?: boolean
}

/** Where a secret comes from: piped stdin, or a prompt that does not echo when stdin is a terminal. */
export interface SecretSource {
  readonly isTTY?: boolean
  /** All of stdin, as text. */
  read(): Promise<string>
  /** Asks on the terminal without echoing what is typed. */
  prompt(question: string): Promise<string>
}

export interface Io {
  readonly env: Readonly<Record<string, string | undefined>>
  /** Where `.dev.vars` is looked for. */
  readonly cwd: string
  readonly stdout: TextSink
  readonly stderr: TextSink
  readonly fetch: typeof globalThis.fetch
  /** Credential values are read from here, never from argv (which reaches shell history). */
  readonly stdin?: SecretSource
}

export class CliIo extends Context.Service<CliIo, Io>()("berth/cli/CliIo") {}
