// The CLI's client for POST /admin/rpc: finds the plane and its admin token, sends one request,
// and turns every way it can go wrong into a named failure (errors.ts).
import { Effect, Option } from "effect"
import { devVarsPath, readDevToken } from "./dev-token.ts"
import {
  PlaneRejected,
  PlaneUnreachable,
  TokenMissing,
  TokenRefused,
  UnexpectedAnswer,
  UsageError
} from "./errors.ts"
import { CliIo, type Io } from "./io.ts"

export const DEFAULT_URL = "http://localhost:8787"
const LOCAL_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"])
const TIMEOUT_MS = 30_000

export interface Connection {
  readonly url: string
  readonly token: string
  /** Where the token came from, for the message when the plane refuses it. */
  readonly source: string
}

/** BERTH_URL and the admin token: BERTH_ADMIN_TOKEN, or for a local plane the `.dev.vars` that `npm start` wrote. */
export const resolveConnection = (io: Io): Connection | UsageError | TokenMissing => {
  const url = (io.env.BERTH_URL || DEFAULT_URL).replace(/\/+$/, "")
  if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol))
    return new UsageError({ reason: `BERTH_URL must be an http:// or https:// URL, got ${JSON.stringify(url)}` })
  const fromEnv = io.env.BERTH_ADMIN_TOKEN
  if (fromEnv) return { url, token: fromEnv, source: "BERTH_ADMIN_TOKEN" }
  if (!LOCAL_HOSTS.has(new URL(url).hostname))
    return new TokenMissing({ looked: `set BERTH_ADMIN_TOKEN (the plane at ${url} is not local, so .dev.vars is not read)` })
  const path = devVarsPath(io.cwd)
  const fromFile = readDevToken(io.cwd)
  if (fromFile) return { url, token: fromFile, source: path }
  return new TokenMissing({
    looked: `BERTH_ADMIN_TOKEN is unset and ${path} holds none (npm start writes it there)`
  })
}

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

/** Sends one admin request (`_tag` plus fields) and returns its `result`. */
export const call = Effect.fn("AdminClient.call")(function* (body: Readonly<Record<string, unknown>>) {
  const io = yield* CliIo
  const connection = resolveConnection(io)
  if (!("token" in connection)) return yield* connection
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
  if (response.status === 401) return yield* new TokenRefused({ url: connection.url, source: connection.source })
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
