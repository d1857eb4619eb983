// `berth credential connect <name> --plugin P`: an OAuth credential. The plane discovers the
// plugin's authorization server and registers with it (or uses the team's app, `berth oauth-client
// set`); the member authorizes in the browser; the redirect lands on the plane, which exchanges the
// code and keeps the tokens in the vault. This command opens the browser (or prints the URL) and
// waits for the plane to say how it ended. No token ever reaches the CLI.
import { Effect, Option } from "effect"
import { Argument, Command, Flag } from "effect/cli"
import { call } from "./client.ts"
import { ConnectFailed } from "./errors.ts"
import { CliIo } from "./io.ts"
import { openBrowser } from "./open-browser.ts"
import { printJson, printLine, printNote } from "./output.ts"
import { jsonOutput, targetWorkspace } from "./root.ts"
import { waitingLine } from "./waiting-line.ts"

const POLL_MS = 1000

interface Started {
  readonly connect: string
  readonly authorizationUrl: string
  readonly redirectUri: string
  readonly expiresAt: string
}

interface Status {
  readonly status: "waiting" | "connected" | "failed"
  readonly credential: string
  readonly plugin: string
  readonly message: string | null
}

export const connect = Command.make(
  "connect",
  {
    name: Argument.String("name").pipe(Argument.withDescription("Credential name")),
    plugin: Flag.String("plugin").pipe(Flag.withDescription("The plugin whose authorization server issues it")),
    forMember: Flag.String("for-member").pipe(Flag.withDescription("The member whose credential it is (used for the agents they own)"), Flag.optional),
    scopes: Flag.String("scopes").pipe(Flag.withDescription("Scopes to ask for, comma-separated (default: what the server advertises)"), Flag.optional),
    noBrowser: Flag.Boolean("no-browser").pipe(Flag.withDescription("Print the URL to open instead of opening a browser"), Flag.withDefault(false))
  },
  Effect.fn(function* ({ name, plugin, forMember, scopes, noBrowser }) {
    const io = yield* CliIo
    const workspace = yield* targetWorkspace
    const member = Option.getOrUndefined(forMember)
    const asked = Option.getOrUndefined(scopes)?.split(",").map((s) => s.trim()).filter(Boolean)
    const started = (yield* call({
      _tag: "StartCredentialConnect",
      workspace,
      credential: name,
      plugin,
      ...(member === undefined ? {} : { forMember: member }),
      ...(asked === undefined || asked.length === 0 ? {} : { scopes: asked })
    })) as Started
    const server = new URL(started.authorizationUrl).host
    yield* printNote(
      `Authorize ${name} for plugin ${plugin} at ${server} in your browser. ${noBrowser ? "Open" : "If it did not open, open"} this URL:\n\n  ${started.authorizationUrl}\n`
    )
    if (!noBrowser) openBrowser(started.authorizationUrl, io.env)
    const until = Date.parse(started.expiresAt)
    const ended = yield* Effect.scoped(
      Effect.gen(function* () {
        yield* waitingLine(`connecting ${name}`, until)
        for (;;) {
          const status = (yield* call({ _tag: "CredentialConnectStatus", workspace, connect: started.connect })) as Status
          if (status.status !== "waiting") return status
          yield* Effect.sleep(POLL_MS)
        }
      })
    )
    if (ended.status === "failed") return yield* new ConnectFailed({ credential: name, reason: ended.message ?? "the connect failed" })
    if (yield* jsonOutput) return yield* printJson({ credential: name, plugin, status: ended.status, connect: started.connect })
    yield* printLine(`connected credential ${name} for plugin ${plugin} (OAuth); let calls carry it with: berth credential grant ${name} --plugin ${plugin}`)
  })
).pipe(
  Command.withDescription("Connect an OAuth credential: authorize in the browser; the plane keeps the tokens and refreshes them"),
  Command.withExamples([
    { command: "berth -w acme credential connect gh --plugin gh", description: "The team's GitHub account" },
    { command: "berth -w acme credential connect ada-linear --plugin linear --for-member ada@acme.dev --no-browser", description: "A member's own, URL printed" }
  ])
)
