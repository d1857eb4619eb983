// `berth connect`'s relay: every JSON-RPC message the local client writes on stdio goes to the
// hosted endpoint through the SDK's Streamable HTTP client transport, and every message the plane
// sends (responses, notifications, and the requests an upstream asks of the agent: sampling,
// elicitation) goes back on stdout. It relays messages rather than re-serving them, so the local
// client's own protocol era, clientInfo and capabilities reach the plane unchanged: the plane's
// bot allowlist sees the real client, and a 2026-07-28 `input_required` travels as it is.
//
// What the relay adds: a message the plane could not be reached for is retried with backoff
// (it never arrived, so a retry is safe), and a request the relay cannot deliver, or whose answer
// stream broke off (the plane restarted mid-call), is answered with a JSON-RPC error rather than
// left hanging. A session the endpoint no longer knows is opened again with the client's own
// `initialize` before the message is retried, once.
import {
  type JSONRPCMessage,
  type JSONRPCRequest,
  CLIENT_INFO_META_KEY,
  isInitializeRequest,
  isJSONRPCErrorResponse,
  isJSONRPCNotification,
  isJSONRPCRequest,
  isJSONRPCResultResponse,
  PROTOCOL_VERSION_META_KEY,
  SdkHttpError,
  StreamableHTTPClientTransport,
  type Transport,
  UnauthorizedError
} from "@modelcontextprotocol/client"
import { Effect, Schedule } from "effect"

/** JSON-RPC error codes the relay answers with when the plane could not give an answer of its own. */
export const RELAY_ERROR = {
  /** The plane could not be reached within the retry window. */
  unreachable: -32010,
  /** The plane's answer stream ended before it answered (it restarted mid-request). */
  interrupted: -32011,
  /** The plane refused the request at the HTTP level without a JSON-RPC body. */
  refused: -32012
} as const

export interface BridgeOptions {
  /** The hosted endpoint, `<plane>/w/<workspace>/mcp`. */
  readonly url: URL
  /** The local client's side: stdio in production. */
  readonly local: Transport
  /** The remote transport's options: the agent key's header, or an OAuth provider. */
  readonly remote: ConstructorParameters<typeof StreamableHTTPClientTransport>[1]
  /** How long a message is retried while the plane cannot be reached. */
  readonly retryMs: number
  /** Lines for stderr. */
  readonly log: (line: string) => void
  /** Signs in interactively after the plane said 401 and the OAuth provider had to redirect; returns the callback's query. */
  readonly authorize?: () => Promise<URLSearchParams>
  /** Hears the local client's name and version, from its `initialize` or a 2026-07-28 request's `_meta`, once. */
  readonly onClient?: (client: { readonly name: string; readonly version?: string }) => void
}

interface Pending {
  readonly request: JSONRPCRequest
  readonly modern: boolean
  readonly abort: AbortController
}

/** The connection failed before the request could reach the plane: retrying cannot run it twice. */
const UNREACHED = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH", "EADDRNOTAVAIL"])

const causeCode = (error: unknown): string | undefined => {
  for (let e: unknown = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code
    if (typeof code === "string" && UNREACHED.has(code)) return code
  }
  return undefined
}

/** 502-504 from the local runtime while it restarts: answered by the proxy in front, not the plane. */
const GATEWAY = new Set([502, 503, 504])

const unreached = (error: unknown) => causeCode(error) !== undefined || (error instanceof SdkHttpError && GATEWAY.has(error.status))

/**
 * The endpoint no longer knows the session: 404 by the spec, 400 from servers that treat an unknown
 * id as a missing one (server-everything, the SDK's examples). Either way it refused before running
 * anything, so one retry on a new session is safe; a genuine bad request fails the same way again.
 */
const sessionLost = (error: unknown) => error instanceof SdkHttpError && (error.status === 404 || error.status === 400)

/** The JSON-RPC error in an HTTP refusal's body (the plane answers refusals as JSON-RPC), if any. */
const bodyError = (error: SdkHttpError): { code: number; message: string } | undefined => {
  const text = (error.data as { text?: unknown }).text
  if (typeof text !== "string") return undefined
  try {
    const body = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } }
    const { code, message } = body.error ?? {}
    return typeof code === "number" && typeof message === "string" ? { code, message } : undefined
  } catch {
    return undefined
  }
}

/** The local client's own name and version, as the message carries them (the plane's allowlist reads the same). */
const clientInfoOf = (request: JSONRPCRequest): { name: string; version?: string } | undefined => {
  const params = request.params as { clientInfo?: unknown; _meta?: Record<string, unknown> } | undefined
  const info = (isInitializeRequest(request) ? params?.clientInfo : params?._meta?.[CLIENT_INFO_META_KEY]) as { name?: unknown; version?: unknown } | undefined
  if (typeof info?.name !== "string") return undefined
  return { name: info.name, ...(typeof info.version === "string" ? { version: info.version } : {}) }
}

const isModern = (request: JSONRPCRequest) => (request.params?._meta as Record<string, unknown> | undefined)?.[PROTOCOL_VERSION_META_KEY] !== undefined

export class Bridge {
  readonly #options: BridgeOptions
  readonly #remote: StreamableHTTPClientTransport
  readonly #pending = new Map<string | number, Pending>()
  /** The local client's `initialize`, to open a new session with when the plane has forgotten the old one. */
  #initialize: JSONRPCRequest | undefined
  /** Ids of the relay's own re-initialize requests, whose answers the local client never sees. */
  readonly #ownRequests = new Set<string>()
  #reopens = 0
  #clientKnown = false
  #closed = false
  readonly #done = Promise.withResolvers<void>()

  constructor(options: BridgeOptions) {
    this.#options = options
    this.#remote = new StreamableHTTPClientTransport(options.url, options.remote)
    this.#remote.onmessage = (message) => this.#fromPlane(message)
    this.#remote.onerror = (error) => {
      if (!this.#closed) options.log(`plane: ${error.message}`)
    }
    options.local.onmessage = (message) => void this.#toPlane(message)
    options.local.onclose = () => void this.close()
    options.local.onerror = (error) => options.log(`local client: ${error.message}`)
  }

  /** Resolves when the local client has gone (stdin closed) and the relay has shut down. */
  get closed(): Promise<void> {
    return this.#done.promise
  }

  async start(): Promise<void> {
    await this.#remote.start()
    await this.#options.local.start()
  }

  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    for (const pending of this.#pending.values()) pending.abort.abort()
    await this.#remote.close().catch(() => undefined)
    await this.#options.local.close().catch(() => undefined)
    this.#done.resolve()
  }

  #fromPlane(message: JSONRPCMessage): void {
    if (isJSONRPCResultResponse(message) || isJSONRPCErrorResponse(message)) {
      if (message.id !== undefined && this.#ownRequests.delete(String(message.id))) return
      const pending = message.id === undefined ? undefined : this.#pending.get(message.id)
      if (pending) {
        this.#pending.delete(message.id!)
        // A 2025-era session: later requests carry the negotiated version's header.
        if (isInitializeRequest(pending.request) && isJSONRPCResultResponse(message)) {
          const version = (message.result as { protocolVersion?: unknown }).protocolVersion
          if (typeof version === "string") this.#remote.setProtocolVersion(version)
        }
      }
    }
    this.#options.local.send(message).catch((error: unknown) => this.#options.log(`could not write to the local client: ${String(error)}`))
  }

  async #toPlane(message: JSONRPCMessage): Promise<void> {
    if (this.#closed) return
    if (isJSONRPCNotification(message) && message.method === "notifications/cancelled") {
      const pending = this.#pending.get((message.params as { requestId?: string | number }).requestId!)
      // The client expects no answer to a request it cancelled, not even the relay's own.
      if (pending) this.#pending.delete(pending.request.id)
      // MCP 2026-07-28 cancels a request by ending its stream; the 2025 protocol by the notification.
      if (pending?.modern) {
        pending.abort.abort()
        return
      }
    }
    let pending: Pending | undefined
    if (isJSONRPCRequest(message)) {
      if (isInitializeRequest(message)) this.#initialize = message
      const client = this.#clientKnown ? undefined : clientInfoOf(message)
      if (client) {
        this.#clientKnown = true
        this.#options.onClient?.(client)
      }
      pending = { request: message, modern: isModern(message), abort: new AbortController() }
      this.#pending.set(message.id, pending)
    }
    const failure = await Effect.runPromise(this.#deliver(message, pending).pipe(Effect.flip, Effect.option))
    if (failure._tag === "None" || this.#closed) return
    const error = failure.value
    if (pending?.abort.signal.aborted) return
    this.#options.log(`could not relay ${describe(message)}: ${reason(error)}`)
    if (pending) this.#answerError(pending, errorFor(error, this.#options.url, this.#options.retryMs))
  }

  /** Sends one message, retrying while the plane cannot be reached, signing in or reopening the session once if it asks. */
  #deliver(message: JSONRPCMessage, pending: Pending | undefined): Effect.Effect<void, unknown> {
    const send = Effect.tryPromise({
      try: () =>
        this.#remote.send(message, {
          ...(pending ? { requestSignal: pending.abort.signal, onRequestStreamEnd: () => this.#streamEnded(pending) } : {})
        }),
      catch: (error) => error
    })
    let reported = false
    const retrying = send.pipe(
      Effect.tapError((error) =>
        Effect.sync(() => {
          if (unreached(error) && !reported) {
            reported = true
            this.#options.log(`the plane at ${this.#options.url.origin} cannot be reached (${reason(error)}); retrying for up to ${this.#options.retryMs / 1000} s`)
          }
        })
      ),
      Effect.retry({
        schedule: Schedule.min([Schedule.exponential("100 millis"), Schedule.spaced("2 seconds")]).pipe(Schedule.upTo({ duration: `${this.#options.retryMs} millis` })),
        while: unreached
      }),
      Effect.tap(() => Effect.sync(() => reported && this.#options.log(`the plane at ${this.#options.url.origin} answers again`)))
    )
    return retrying.pipe(
      Effect.catch((error) => {
        if (error instanceof UnauthorizedError && this.#options.authorize) return this.#signIn().pipe(Effect.andThen(retrying))
        if (sessionLost(error) && this.#remote.sessionId !== undefined && this.#initialize && !isInitializeRequest(message))
          return this.#reopen().pipe(Effect.andThen(retrying))
        return Effect.fail(error)
      })
    )
  }

  /** The interactive OAuth sign-in, then the code's redemption by the transport. */
  #signIn(): Effect.Effect<void, unknown> {
    return Effect.tryPromise({
      try: async () => {
        const params = await this.#options.authorize!()
        await this.#remote.finishAuth(params)
        this.#options.log("signed in")
      },
      catch: (error) => error
    })
  }

  /** Opens a new session with the local client's own initialize; its answer is the relay's, not the client's. */
  #reopen(): Effect.Effect<void, unknown> {
    const id = `berth-connect-reopen-${++this.#reopens}`
    this.#ownRequests.add(id)
    this.#options.log("the plane no longer knows this session (it restarted?); opening a new one")
    const initialize = { ...this.#initialize!, id }
    return Effect.tryPromise({
      try: async () => {
        await this.#remote.send(initialize)
        await this.#remote.send({ jsonrpc: "2.0", method: "notifications/initialized" })
      },
      catch: (error) => error
    })
  }

  /** The plane's answer stream ended: a request it did not answer gets an error, never silence. */
  #streamEnded(pending: Pending): void {
    if (this.#closed || pending.abort.signal.aborted || this.#pending.get(pending.request.id) !== pending) return
    this.#answerError(pending, {
      code: RELAY_ERROR.interrupted,
      message: `the plane's answer to ${pending.request.method} broke off before it was complete (the plane may have restarted); it may or may not have run, so check before retrying`
    })
  }

  #answerError(pending: Pending, error: { code: number; message: string }): void {
    this.#pending.delete(pending.request.id)
    this.#options.local
      .send({ jsonrpc: "2.0", id: pending.request.id, error })
      .catch((e: unknown) => this.#options.log(`could not write to the local client: ${String(e)}`))
  }
}

const describe = (message: JSONRPCMessage) =>
  "method" in message ? `${message.method}${"id" in message ? ` (id ${String(message.id)})` : ""}` : `the answer to id ${String((message as { id?: unknown }).id)}`

const reason = (error: unknown): string => {
  const code = causeCode(error)
  if (code) return code
  if (error instanceof SdkHttpError) return bodyError(error)?.message ?? `HTTP ${error.status}${error.statusText ? ` ${error.statusText}` : ""}`
  return error instanceof Error ? error.message : String(error)
}

/** The JSON-RPC error a request gets when the relay could not deliver it. */
const errorFor = (error: unknown, url: URL, retryMs: number): { code: number; message: string } => {
  if (unreached(error))
    return { code: RELAY_ERROR.unreachable, message: `the Berth plane at ${url.origin} could not be reached for ${retryMs / 1000} s (${reason(error)}); is it running?` }
  if (error instanceof SdkHttpError) return bodyError(error) ?? { code: RELAY_ERROR.refused, message: `the Berth plane refused the request: ${reason(error)}` }
  if (error instanceof UnauthorizedError)
    return { code: RELAY_ERROR.refused, message: `the Berth plane needs a sign-in: set BERTH_AGENT_KEY in this server's environment, or let berth connect sign in with OAuth` }
  return { code: RELAY_ERROR.refused, message: `berth connect could not relay the request: ${reason(error)}` }
}
