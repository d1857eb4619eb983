// The berth CLI's entry: assembles the command tree and runs one invocation, mapping how it
// ended to an exit code: 0 success, 1 the plane said no or could not be reached, 2 usage.
import { readFileSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { format } from "node:util"
import { NodeServices } from "@effect/platform-node"
import { Cause, Console, Effect, Exit } from "effect"
import { CliConfig, CliError, CliOutput, Command, GlobalFlag } from "effect/cli"
import { agent } from "./agent.ts"
import { audit } from "./audit.ts"
import { bot } from "./bot.ts"
import { connect } from "./connect.ts"
import { credential } from "./credential.ts"
import { agentClient } from "./agent-client.ts"
import { oauthClient } from "./oauth-client.ts"
import { isCliFailure, UsageError } from "./errors.ts"
import { events } from "./events.ts"
import { CliIo, type SecretSource, type TextSink } from "./io.ts"
import { job } from "./job.ts"
import { limit } from "./limit.ts"
import { installConfig } from "./install-config.ts"
import { identity } from "./login.ts"
import { member } from "./member.ts"
import { memory } from "./memory.ts"
import { formatFailure } from "./output.ts"
import { plugin } from "./plugin.ts"
import { policy } from "./policy.ts"
import { projection } from "./projection.ts"
import { printableLines } from "./printable.ts"
import { replay } from "./replay.ts"
import { root } from "./root.ts"
import { processSecretSource } from "./secret-input.ts"
import { run as runGroup } from "./run.ts"
import { runs } from "./runs.ts"
import { state } from "./state.ts"
import { tool } from "./tool.ts"
import { prompt, resource } from "./pinned-reads.ts"
import { verify } from "./verify.ts"
import { workspace } from "./workspace.ts"

export const EXIT = { ok: 0, failed: 1, usage: 2, interrupted: 130 } as const

const packageJson = join(dirname(fileURLToPath(import.meta.url)), "../../package.json")
const VERSION = (JSON.parse(readFileSync(packageJson, "utf8")) as { version: string }).version

const berth = root.pipe(Command.withSubcommands([
    workspace,
    member,
    agent,
    bot,
    agentClient,
    oauthClient,
    connect,
    plugin,
    credential,
    memory,
    tool,
    prompt,
    resource,
    policy,
    limit,
    runs,
    runGroup,
    job,
    events,
    state,
    verify,
    audit,
    replay,
    projection,
    installConfig,
    ...identity
  ]))

// --wizard and --log-level mean nothing for a one-shot admin client; they would only clutter every --help.
const cliConfig = CliConfig.make({ builtIns: [GlobalFlag.Help, GlobalFlag.Version, GlobalFlag.Completions] })

export interface RunOptions {
  readonly env?: Readonly<Record<string, string | undefined>>
  readonly cwd?: string
  readonly stdout?: TextSink
  readonly stderr?: TextSink
  readonly fetch?: typeof globalThis.fetch
  /** Where credential values are read (default: the process's stdin). */
  readonly stdin?: SecretSource
  /** Aborting it stops the invocation (how `events --follow` ends); the exit code is then 130. */
  readonly signal?: AbortSignal
}

/** Help and version on stdout; a usage error on stderr with a pointer to --help rather than the whole help page. */
const presenter = (formatter: CliOutput.Formatter): CliOutput.Presenter => ({
  present: (event) =>
    Effect.gen(function* () {
      switch (event._tag) {
        case "Help":
          return yield* Console.log(formatter.formatHelpDoc(event.helpDoc))
        case "Version":
          return yield* Console.log(formatter.formatVersion(event.name, event.version))
        case "InvalidInvocation":
          yield* Console.error(formatter.formatErrors(event.errors))
          return yield* Console.error(`\nRun '${event.commandPath.join(" ")} --help' for usage.`)
      }
    })
})

/** The Effect Console (used by help and parse errors) writing to the invocation's sinks. */
const consoleOn = (stdout: TextSink, stderr: TextSink): Console.Console => {
  const to = (sink: TextSink) => (...args: ReadonlyArray<unknown>) => void sink.write(`${format(...args)}\n`)
  return Object.assign(Object.create(console) as Console.Console, {
    log: to(stdout),
    info: to(stdout),
    error: to(stderr),
    warn: to(stderr),
    debug: to(stderr)
  })
}

/** Runs `berth <argv>` in-process and resolves to its exit code. */
export const run = async (argv: ReadonlyArray<string>, options: RunOptions = {}): Promise<number> => {
  const stdout = options.stdout ?? process.stdout
  const stderr = options.stderr ?? process.stderr
  const env = options.env ?? process.env
  const io = { env, cwd: options.cwd ?? process.cwd(), stdout, stderr, fetch: options.fetch ?? globalThis.fetch, stdin: options.stdin ?? processSecretSource() }
  const formatter = CliOutput.defaultFormatter({ colors: stdout.isTTY === true && !env.NO_COLOR })
  const sinks = consoleOn(stdout, stderr)

  const program = Command.runWith(berth, { version: VERSION })(argv).pipe(
    Effect.provideService(CliIo, io),
    Effect.provideService(Console.Console, sinks),
    Effect.provideService(CliOutput.Formatter, formatter),
    Effect.provideService(CliOutput.Presenter, presenter(formatter)),
    Effect.provideService(CliConfig.CliConfig, cliConfig),
    Effect.provide(NodeServices.layer)
  )
  const exit = await Effect.runPromiseExit(program, { signal: options.signal })
  if (Exit.isSuccess(exit)) return EXIT.ok
  if (Cause.hasInterruptsOnly(exit.cause)) return EXIT.interrupted
  const error = Cause.squash(exit.cause)
  // The presenter has already shown the parse errors, or the help for an incomplete command.
  if (CliError.isCliError(error)) return EXIT.usage
  if (isCliFailure(error)) {
    stderr.write(`${formatFailure(error, argv.includes("--json"))}\n`)
    return error instanceof UsageError ? EXIT.usage : EXIT.failed
  }
  stderr.write(`berth: unexpected failure: ${printableLines(Cause.pretty(exit.cause))}\n`)
  return EXIT.failed
}

/** The process entry (bin/berth.js): real argv, env and streams, and Ctrl-C ends the run cleanly. */
export const runProcess = async (): Promise<number> => {
  const controller = new AbortController()
  const stop = () => controller.abort()
  process.once("SIGINT", stop)
  process.once("SIGTERM", stop)
  try {
    return await run(process.argv.slice(2), { signal: controller.signal })
  } finally {
    process.off("SIGINT", stop)
    process.off("SIGTERM", stop)
  }
}
