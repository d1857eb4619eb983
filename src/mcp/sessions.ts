// 2025-era sessions (Streamable HTTP with `Mcp-Session-Id`), held in the workspace's Durable Object:
// an `initialize` opens one, with its own long-lived server and transport (the SDK's), and the
// session's later POSTs, its GET stream and its DELETE go to them. A session belongs to the agent that
// opened it and to the endpoint (workspace or plugin mount) it was opened at; another agent naming it,
// or an id the object does not know (it restarted, the session was closed or went idle), gets 404,
// which tells a 2025 client to initialize again. A 2025 request without a session id, other than an
// `initialize`, is served statelessly as before, so a client may also ignore the id.
import type { AuthInfo, Server, ServerNotification } from "@modelcontextprotocol/server"
import { isInitializeRequest, WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/server"
import { notFound, peekJson } from "./http-errors.ts"
import type { Names } from "./namespacing.ts"

/** A session unused this long is closed at the next opening. */
const SESSION_IDLE_MS = 30 * 60_000
/** At most this many sessions per agent; opening one more closes the agent's least recently used. */
const MAX_SESSIONS_PER_AGENT = 64

interface Session {
  readonly agent: string
  /** The plugin the session's endpoint serves alone, if any. */
  readonly plugin: string | undefined
  readonly transport: WebStandardStreamableHTTPServerTransport
  readonly server: Server
  lastUsed: number
}

const SESSION_HEADER = "mcp-session-id"

export class LegacySessions {
  readonly #sessions = new Map<string, Session>()
  readonly #serverFor: (agent: string, names: Names, session: string) => Server
  readonly #maxBodyBytes: number
  readonly #onClosed: (session: string) => void

  /** `onClosed`: a session ended (DELETE, idle, or its agent's cap), so what it watched can be released. */
  constructor(serverFor: (agent: string, names: Names, session: string) => Server, maxBodyBytes: number, onClosed: (session: string) => void) {
    this.#serverFor = serverFor
    this.#maxBodyBytes = maxBodyBytes
    this.#onClosed = onClosed
  }

  /** The capabilities a session's client declared at its `initialize`; undefined for no such session. */
  clientCapabilities(session: string): Readonly<Record<string, unknown>> | undefined {
    return this.#sessions.get(session)?.server.getClientCapabilities()
  }

  /** Sends a notification on one session's GET stream; dropped if the session is gone or has no stream open. */
  notify(session: string, notification: ServerNotification): void {
    void this.#sessions.get(session)?.server.notification(notification).catch(() => undefined)
  }

  /** Sends a notification to every session whose endpoint serves `plugin` (the workspace endpoint serves them all; `"*"`: every session). */
  notifyServing(plugin: string, notification: ServerNotification): void {
    for (const [id, session] of this.#sessions)
      if (plugin === "*" || session.plugin === undefined || session.plugin === plugin) this.notify(id, notification)
  }

  /**
   * Serves a 2025-era request that names a session or opens one; undefined for a request the
   * stateless path serves (no session id, and not an `initialize`).
   */
  async handle(request: Request, agent: string, names: Names, authInfo: AuthInfo): Promise<Response | undefined> {
    const id = request.headers.get(SESSION_HEADER)
    if (id !== null) {
      const session = this.#sessions.get(id)
      if (!session || session.agent !== agent || session.plugin !== names.plugin) return notFound(`no session '${id.slice(0, 64)}' here; initialize again`)
      session.lastUsed = Date.now()
      return session.transport.handleRequest(request, { authInfo })
    }
    if (request.method !== "POST" || !isInitializeRequest(await peekJson(request, this.#maxBodyBytes))) return undefined
    this.#closeIdle(agent)
    const sessionId = crypto.randomUUID()
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: () => sessionId,
      onsessionclosed: (closed) => {
        this.#sessions.delete(closed)
        this.#onClosed(closed)
      },
      maxRequestBodySize: this.#maxBodyBytes
    })
    const server = this.#serverFor(agent, names, sessionId)
    await server.connect(transport)
    const response = await transport.handleRequest(request, { authInfo })
    // Kept only if the initialize succeeded (the transport took the id).
    if (transport.sessionId === sessionId) this.#sessions.set(sessionId, { agent, plugin: names.plugin, transport, server, lastUsed: Date.now() })
    else await server.close()
    return response
  }

  /** Closes sessions idle too long, and the agent's least recently used past its cap. */
  #closeIdle(agent: string): void {
    const now = Date.now()
    const mine: Array<[string, Session]> = []
    for (const [id, session] of this.#sessions) {
      if (now - session.lastUsed > SESSION_IDLE_MS) this.#close(id, session)
      else if (session.agent === agent) mine.push([id, session])
    }
    mine.sort((a, b) => a[1].lastUsed - b[1].lastUsed)
    for (const [id, session] of mine.slice(0, Math.max(0, mine.length - MAX_SESSIONS_PER_AGENT + 1))) this.#close(id, session)
  }

  #close(id: string, session: Session): void {
    this.#sessions.delete(id)
    this.#onClosed(id)
    void session.server.close().catch(() => undefined)
  }
}
