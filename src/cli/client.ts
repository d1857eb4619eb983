// The CLI's client for POST /admin/rpc: finds the plane and a bearer token, sends one request,
// and turns every way it can go wrong into a named failure (errors.ts).
import { Effect, Option } from "effect"
import { credentialsPath, saveLogin, storedLogin } from "./credentials.ts"
import { devVarsPath, readDevToken } from "./dev-token.ts"
import {
  LoginFailed,
  PlaneRejected,
  PlaneUnreachable,
  TokenMissing,
  TokenRefused,
  UnexpectedAnswer,
  UsageError
} from "./errors.ts"
import { CliIo, type Io } from "./io.ts"
import { discoverPlane, refreshTokens } from "./plane-oauth.ts"

export const DEFAULT_URL = "http://localhost:8787"
const LOCAL_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"])
const TIMEOUT_MS = 30_000
/** A stored token this close to its expiry is refreshed before use. */
const REFRESH_MARGIN_MS = 60_000

export interface Connection {
  readonly url: string
  readonly token: string
  /** Where the token came from, for the message when the plane refuses it. */
  readonly source: string
  /** A member's token from `berth login`, rather than an admin token. */
  readonly member?: boolean
}

/** BERTH_URL without trailing slashes: the plane, and the key of its stored sign-in. */
export const planeUrl = (io: Io): string | UsageError => {
  const url = (io.env.BERTH_URL || DEFAULT_URL).replace(/\/+$/, "")
  if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol))
    return new UsageError({ reason: `BERTH_URL must be an http:// or https:// URL, got ${JSON.stringify(url)}` })
  return url
}

/** The member's sign-in for this plane, refreshed with its refresh token when it has (nearly) expired. */
const memberConnection = Effect.fn("AdminClient.memberConnection")(function* (url: string) {
  const io = yield* CliIo
  const login = yield* storedLogin(url)
  if (!login) return undefined
  const source = `the berth login for ${url} in ${credentialsPath(io.env)}`
  if (Date.parse(login.expiresAt) - REFRESH_MARGIN_MS > Date.now()) return { url, token: login.accessToken, source, member: true }
  if (!login.refreshToken) return yield* new TokenMissing({ looked: `${source} has expired; run berth login again` })
  const tokens = yield* refreshTokens(yield* discoverPlane(url), login.clientId, login.refreshToken).pipe(
    Effect.mapError((failed) => new LoginFailed({ url: failed.url, step: failed.step, reason: `${failed.reason}; run berth login again` }))
  )
  yield* saveLogin(url, { ...login, ...tokens, refreshToken: tokens.refreshToken ?? login.refreshToken })
  return { url, token: tokens.accessToken, source, member: true }
})

/**
 * The plane and the bearer token to send it, from the first of (docs/cli.md, "Which token is sent"):
 * 1. BERTH_ADMIN_TOKEN, for automation;
 * 2. the member's sign-in for this BERTH_URL that `berth login` stored;
 * 3. for a local BERTH_URL only, BERTH_ADMIN_TOKEN in `.dev.vars`, which `npm start` writes.
 */
export const connect = Effect.fn("AdminClient.connect")(function* () {
  const io = yield* CliIo
  const url = planeUrl(io)
  if (typeof url !== "string") return yield* url
  const fromEnv = io.env.BERTH_ADMIN_TOKEN
  if (fromEnv) return { url, token: fromEnv, source: "BERTH_ADMIN_TOKEN" } satisfies Connection
  const member = yield* memberConnection(url)
  if (member) return member satisfies Connection
  if (!LOCAL_HOSTS.has(new URL(url).hostname))
    return yield* new TokenMissing({
      looked: `set BERTH_ADMIN_TOKEN, or sign in with berth login (the plane at ${url} is not local, so .dev.vars is not read)`
    })
  const path = devVarsPath(io.cwd)
  const fromFile = readDevToken(io.cwd)
  if (fromFile) return { url, token: fromFile, source: path } satisfies Connection
  return yield* new TokenMissing({
    looked: `BERTH_ADMIN_TOKEN is unset and ${path} holds none (npm start writes it there), and berth login has not signed in to ${url}`
  })
})

const describeFetchFailure = (cause: unknown): string => {
  if (cause instanceof Error && cause.name === "TimeoutError") return `no answer within ${TIMEOUT_MS / 1000} s`
  const inner = (cause as { cause?: { code?: unknown; message?: unknown } } | null)?.cause
  if (typeof inner?.code === "string") return inner.code
  if (typeof inner?.message === "string") return inner.message
  return cause instanceof Error ? cause.message : String(cause)
}

const excerpt = (text: string) => (text.length > 200 ? `${text.slice(0, 200)}…` : text).replace(/\s+/g, " ").trim()

type Answer = { ok: true; result: unknown } | { ok: false; error: PlaneRejected["error"] }

const isAnswer = (u: unknown): u is Answer => {
  if (typeof u !== "object" || u === null) return false
  const a = u as { ok?: unknown; error?: { _tag?: unknown; message?: unknown } }
  if (a.ok === true) return "result" in a
  return a.ok === false && typeof a.error?._tag === "string" && typeof a.error.message === "string"
}

/** Sends one admin request (`_tag` plus fields) with the token `connect` finds, and returns its `result`. */
export const call = Effect.fn("AdminClient.call")(function* (body: Readonly<Record<string, unknown>>) {
  return yield* send(yield* connect(), body)
})

/** Sends one admin request over this connection and returns its `result`. */
export const send = Effect.fn("AdminClient.send")(function* (connection: Connection, body: Readonly<Record<string, unknown>>) {
  const io = yield* CliIo
  const endpoint = `${connection.url}/admin/rpc`
  const response = yield* Effect.tryPromise({
    try: (signal) =>
      io.fetch(endpoint, {
        method: "POST",
        headers: { authorization: `Bearer ${connection.token}`, "content-type": "application/json" },
        body: JSON.stringify(body),
        signal: AbortSignal.any([signal, AbortSignal.timeout(TIMEOUT_MS)])
      }),
    catch: (cause) => new PlaneUnreachable({ url: connection.url, reason: describeFetchFailure(cause) })
  })
  const text = yield* Effect.tryPromise({
    try: () => response.text(),
    catch: (cause) => new PlaneUnreachable({ url: connection.url, reason: describeFetchFailure(cause) })
  })
  if (response.status === 401)
    return yield* new TokenRefused({ url: connection.url, source: connection.source, ...(connection.member ? { member: true } : {}) })
  let answer: unknown
  try {
    answer = JSON.parse(text)
  } catch {
    answer = undefined
  }
  if (!isAnswer(answer))
    return yield* new UnexpectedAnswer({ url: endpoint, status: response.status, excerpt: excerpt(text) })
  if (!answer.ok) return yield* new PlaneRejected({ status: response.status, error: answer.error })
  return answer.result
})

/** `{ [name]: value }` when a flag was given, `{}` when not: for spreading into a request body. */
export const optionalField = <A>(name: string, value: Option.Option<A>): Record<string, A> =>
  Option.match(value, { onNone: () => ({}), onSome: (v) => ({ [name]: v }) })
