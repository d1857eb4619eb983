// What one CLI invocation sees of the outside world: environment, working directory, output
// streams and fetch. They are handed in rather than read from `process`, so tests run the CLI in-process.
import { Context } from "effect"

export interface TextSink {
  write(chunk: string): unknown
  readonly isTTY?: boolean
}

export interface Io {
  readonly env: Readonly<Record<string, string | undefined>>
  /** Where `.dev.vars` is looked for. */
  readonly cwd: string
  readonly stdout: TextSink
  readonly stderr: TextSink
  readonly fetch: typeof globalThis.fetch
}

export class CliIo extends Context.Service<CliIo, Io>()("berth/cli/CliIo") {}
