// Members' CLI sign-ins (`berth login`), one per plane URL, in
// `${XDG_CONFIG_HOME:-~/.config}/berth/credentials.json`, a private file (private-file.ts): it holds
// bearer tokens.
import { existsSync, readFileSync } from "node:fs"
import { Effect, Schema } from "effect"
import { FileError } from "./errors.ts"
import { CliIo, type Io } from "./io.ts"
import { configPath, writePrivateFile } from "./private-file.ts"

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

export const credentialsPath = (env: Io["env"]): string => configPath(env, "credentials.json")

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
    try: () => writePrivateFile(path, Object.keys(logins).length === 0 ? undefined : `${encodeFile(logins)}\n`),
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
