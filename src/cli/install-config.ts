// `berth install-config <client>`: puts one workspace's server entry into an MCP client's own config
// file (docs/clients.md), merged with what is there, the previous file kept as a backup, never a secret.
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs"
import { dirname, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { Effect, Option, Schema } from "effect"
import { Argument, Command, Flag } from "effect/cli"
import { WorkspaceSlug } from "../../events/names.ts"
import { planeUrl } from "./client.ts"
import { isConfigProblem, mergeServer, type Placement } from "./config-merge.ts"
import { ConfigInvalid, FileError, UsageError } from "./errors.ts"
import { CliIo, type Io } from "./io.ts"
import { CLIENTS, type ClientId, defaultConfigPath, MCP_CLIENTS, type Server } from "./mcp-clients.ts"
import { printJson, printLine } from "./output.ts"
import { jsonOutput, targetWorkspace } from "./root.ts"

/** This checkout's executable. The entry runs it with the Node running this CLI, so Berth need not be published or on PATH. */
export const BERTH_BIN = fileURLToPath(new URL("../../bin/berth.js", import.meta.url))

/** Beside the file: the file as it was before install-config last changed it. */
const BACKUP_SUFFIX = ".berth-backup"

/** Bare in TOML, and accepted as a server name by every client here. */
const NAME_RULE = /^[A-Za-z0-9_-]{1,64}$/

const isSlug = Schema.is(WorkspaceSlug)

/** The plane's base URL as the entry will carry it: no user info (a secret), query or fragment. */
const basePlaneUrl = (io: Io): string | UsageError => {
  const plane = planeUrl(io)
  if (typeof plane !== "string") return plane
  const url = new URL(plane)
  if (url.username || url.password || url.search || url.hash)
    return new UsageError({ reason: "BERTH_URL must be the plane's base URL, without user info, query or fragment: install-config writes it into a config file" })
  return plane
}

/** What the client runs or reaches. The stdio entry's env holds BERTH_URL alone: the agent key or token stays out of the file. */
const serverFor = (transport: Server["transport"], plane: string, workspace: string): Server =>
  transport === "http"
    ? { transport, url: `${plane}/w/${workspace}/mcp` }
    : { transport, command: process.execPath, args: [BERTH_BIN, "connect", "-w", workspace], env: { BERTH_URL: plane } }

/** The client's entry for this server; --http for a client whose file cannot express a remote server is refused, saying what to do instead. */
const entryFor = (client: ClientId, server: Server): Record<string, unknown> | UsageError => {
  const { stdio, http } = MCP_CLIENTS[client]
  if (server.transport === "stdio") return stdio(server)
  return "refusal" in http ? new UsageError({ reason: `${client}: ${http.refusal(server.url)}` }) : http.entry(server.url)
}

const fileFailure = (path: string) => (cause: unknown) => new FileError({ path, reason: cause instanceof Error ? cause.message : String(cause) })

/** The whole file through a temp file and a rename, so a crash leaves the old one; an existing file keeps its mode. */
const writeWhole = (path: string, text: string, mode: number) => {
  mkdirSync(dirname(path), { recursive: true })
  const temp = `${path}.${process.pid}.tmp`
  try {
    writeFileSync(temp, text, { mode })
    chmodSync(temp, mode)
    renameSync(temp, path)
  } finally {
    rmSync(temp, { force: true })
  }
}

interface Installed {
  readonly path: string
  readonly changed: boolean
  readonly created: boolean
  readonly backup: string | null
}

/** Merges the entry into the file at `path`; a file that does not read as the client's format is left untouched. */
const installInto = Effect.fn("InstallConfig.write")(function* (path: string, placement: Placement) {
  // A symlinked config (a dotfiles repo) is written through to its target, not replaced by a plain file.
  const target = yield* Effect.try({ try: () => (existsSync(path) ? realpathSync(path) : path), catch: fileFailure(path) })
  const existing = existsSync(target)
  const before = existing ? yield* Effect.try({ try: () => readFileSync(target, "utf8"), catch: fileFailure(path) }) : ""
  const merged = mergeServer(before, placement)
  if (isConfigProblem(merged)) return yield* new ConfigInvalid({ path, ...merged })
  if (!merged.changed) return { path, changed: false, created: false, backup: null } satisfies Installed
  const backup = existing ? `${path}${BACKUP_SUFFIX}` : null
  yield* Effect.try({
    try: () => {
      const mode = existing ? statSync(target).mode & 0o777 : 0o600
      if (backup) copyFileSync(target, backup)
      writeWhole(target, merged.text, mode)
    },
    catch: fileFailure(path)
  })
  return { path, changed: true, created: !existing, backup } satisfies Installed
})

const describe = (server: Server, workspace: string, client: ClientId, name: string) => {
  const { title, http } = MCP_CLIENTS[client]
  if (server.transport === "stdio") return `${title} runs berth connect -w ${workspace} against ${server.env.BERTH_URL}`
  const signIn = "signIn" in http && http.signIn ? http.signIn(name) : "it signs in to the plane with OAuth when it first connects"
  return `${title} reaches ${server.url}; ${signIn}`
}

export const installConfig = Command.make(
  "install-config",
  {
    client: Argument.Literals("client", CLIENTS).pipe(Argument.withDescription(`The MCP client whose config file to write: ${CLIENTS.join(", ")}`)),
    stdio: Flag.Boolean("stdio").pipe(Flag.withDescription("The client starts `berth connect` (the default)"), Flag.withDefault(false)),
    http: Flag.Boolean("http").pipe(
      Flag.withDescription("The client reaches <plane>/w/<workspace>/mcp itself and signs in with OAuth (not claude-desktop)"),
      Flag.withDefault(false)
    ),
    print: Flag.Boolean("print").pipe(Flag.withDescription("Print the entry in the client's format instead of writing any file"), Flag.withDefault(false)),
    config: Flag.String("config").pipe(
      Flag.withDescription("Write this file instead of the client's user config file"),
      Flag.withMetavar("PATH"),
      Flag.optional
    ),
    name: Flag.String("name").pipe(Flag.withDescription("The server's name in the client (default berth-<workspace>)"), Flag.optional)
  },
  Effect.fn("InstallConfig.run")(function* ({ client, stdio, http, print, config, name }) {
    const io = yield* CliIo
    if (stdio && http) return yield* new UsageError({ reason: "--stdio and --http exclude each other: pick one" })
    const workspace = yield* targetWorkspace
    if (!isSlug(workspace)) return yield* new UsageError({ reason: `workspace '${workspace}' is not a workspace slug (1-63 lowercase letters, digits or dashes)` })
    const plane = basePlaneUrl(io)
    if (typeof plane !== "string") return yield* plane
    const serverName = Option.getOrElse(name, () => `berth-${workspace}`)
    if (!NAME_RULE.test(serverName))
      return yield* new UsageError({ reason: `--name '${serverName}' must be 1-64 letters, digits, '_' or '-'` })

    const spec = MCP_CLIENTS[client]
    const server = serverFor(http ? "http" : "stdio", plane, workspace)
    const entry = entryFor(client, server)
    if (entry instanceof UsageError) return yield* entry
    const placement = { format: spec.format, serversKey: spec.serversKey, name: serverName, entry }

    if (print) {
      const block = mergeServer("", placement)
      if (isConfigProblem(block)) return yield* new ConfigInvalid({ path: "the printed block", ...block })
      return yield* printLine(block.text.trimEnd())
    }
    const path = Option.match(config, {
      onNone: () => defaultConfigPath(client, { platform: process.platform, env: io.env }),
      onSome: (given) => resolve(io.cwd, given)
    })
    const installed = yield* installInto(path, placement)
    if (yield* jsonOutput) return yield* printJson({ client, path, name: serverName, changed: installed.changed, backup: installed.backup })
    if (!installed.changed) return yield* printLine(`${serverName} is already in ${path} as asked: nothing written`)
    yield* printLine(
      installed.created
        ? `created ${path} with ${serverName}`
        : `wrote ${serverName} to ${path} (the previous file is ${installed.backup})`
    )
    yield* printLine(`${describe(server, workspace, client, serverName)}. Restart ${spec.title} or reload its MCP servers to use it.`)
  })
).pipe(
  Command.withDescription(
    "Add this workspace to an MCP client's config file, merged with what is there (other servers and comments stay; a backup is kept). Never writes a key or token"
  ),
  Command.withExamples([
    { command: "berth -w acme install-config claude-code", description: "Claude Code starts berth connect for workspace acme" },
    { command: "berth -w acme install-config cursor --http", description: "Cursor reaches the plane's endpoint itself and signs in with OAuth" },
    { command: "berth -w acme install-config codex --print", description: "Show the TOML block without writing it" }
  ])
)
