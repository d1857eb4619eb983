// Members' CLI sign-ins (`berth login`), one per plane URL, in
// `${XDG_CONFIG_HOME:-~/.config}/berth/credentials.json`. The directory is 0700 and the file 0600:
// it holds bearer tokens. Written whole through a temp file and a rename, so a crash leaves the old one.
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs"
import { homedir } from "node:os"
import { dirname, isAbsolute, join } from "node:path"
import { Effect, Schema } from "effect"
import { FileError } from "./errors.ts"
import { CliIo, type Io } from "./io.ts"

export const StoredLogin = Schema.Struct({
  /** The CLI's client id at that plane's authorization server (dynamic registration). */
  clientId: Schema.String,
  accessToken: Schema.String,
  refreshToken: Schema.optional(Schema.String),
  /** When the access token expires, ISO-8601. */
  expiresAt: Schema.String,
  /** The member the plane said the token is for, once `berth whoami` or login learned it. */
  member: Schema.optional(Schema.String)
})
export type StoredLogin = typeof StoredLogin.Type

const CredentialsFile = Schema.fromJsonString(Schema.Record(Schema.String, StoredLogin))
const decodeFile = Schema.decodeUnknownExit(CredentialsFile)
const encodeFile = Schema.encodeSync(CredentialsFile)

/** XDG: a relative XDG_CONFIG_HOME is ignored. */
export const credentialsPath = (env: Io["env"]): string => {
  const xdg = env.XDG_CONFIG_HOME
  const config = xdg && isAbsolute(xdg) ? xdg : join(env.HOME || homedir(), ".config")
  return join(config, "berth", "credentials.json")
}

const failure = (path: string) => (cause: unknown) =>
  new FileError({ path, reason: cause instanceof Error ? cause.message : String(cause) })

const readAll = (path: string) =>
  Effect.gen(function* () {
    if (!existsSync(path)) return {}
    const text = yield* Effect.try({ try: () => readFileSync(path, "utf8"), catch: failure(path) })
    const decoded = decodeFile(text)
    if (decoded._tag === "Failure")
      return yield* new FileError({ path, reason: "not a berth credentials file (delete it and run berth login again)" })
    return decoded.value
  })

const writeAll = (path: string, logins: Readonly<Record<string, StoredLogin>>) =>
  Effect.try({
    try: () => {
      if (Object.keys(logins).length === 0) return rmSync(path, { force: true })
      const dir = dirname(path)
      mkdirSync(dir, { recursive: true, mode: 0o700 })
      // mkdir's mode is filtered by the umask and leaves an existing directory as it was.
      chmodSync(dir, 0o700)
      const temp = `${path}.${process.pid}.tmp`
      writeFileSync(temp, `${encodeFile(logins)}\n`, { mode: 0o600 })
      chmodSync(temp, 0o600)
      renameSync(temp, path)
    },
    catch: failure(path)
  })

/** The stored sign-in for this plane URL, if any. */
export const storedLogin = Effect.fn("Credentials.read")(function* (planeUrl: string) {
  const io = yield* CliIo
  const logins = yield* readAll(credentialsPath(io.env))
  return logins[planeUrl]
})

export const saveLogin = Effect.fn("Credentials.save")(function* (planeUrl: string, login: StoredLogin) {
  const io = yield* CliIo
  const path = credentialsPath(io.env)
  const logins = yield* readAll(path)
  yield* writeAll(path, { ...logins, [planeUrl]: login })
  return path
})

/** Deletes this plane's entry; the file goes when it was the last. */
export const forgetLogin = Effect.fn("Credentials.forget")(function* (planeUrl: string) {
  const io = yield* CliIo
  const path = credentialsPath(io.env)
  const { [planeUrl]: _, ...rest } = yield* readAll(path)
  yield* writeAll(path, rest)
  return path
})
