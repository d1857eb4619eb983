// Stateful 2025-era Streamable HTTP for either SDK: `initialize` opens a session (a server connected to
// its own transport), and every later request names it in Mcp-Session-Id. The SDK transport does the
// protocol; this only keeps the table of live sessions, which a stateless endpoint has no use for.

/** What both SDKs' web-standard session transports offer. */
export interface SessionTransport {
  handleRequest(request: Request, options?: { parsedBody?: unknown }): Promise<Response>
  close(): Promise<void>
}

/** The transport options through which a new session reports its id and its end. */
export interface SessionHooks {
  readonly sessionIdGenerator: () => string
  readonly onsessioninitialized: (id: string) => void
  readonly onsessionclosed: (id: string) => void
}

const refusal = (status: number, code: number, message: string) => Response.json({ jsonrpc: "2.0", id: null, error: { code, message } }, { status })

const isInitialize = (body: unknown) => typeof body === "object" && body !== null && (body as { method?: unknown }).method === "initialize"

/** Routes 2025-era requests to their session; `open` makes a connected transport for a new one. */
export const sessionTable = (open: (hooks: SessionHooks) => Promise<SessionTransport>) => {
  const live = new Map<string, SessionTransport>()
  const route = async (request: Request): Promise<Response> => {
    // Read from a clone, so the transport can still read the body itself when it is not JSON.
    const body: unknown =
      request.method === "POST"
        ? await request
            .clone()
            .json()
            .catch(() => undefined)
        : undefined
    const options = body === undefined ? {} : { parsedBody: body }
    const id = request.headers.get("mcp-session-id")
    if (id !== null) {
      const session = live.get(id)
      return session ? session.handleRequest(request, options) : refusal(404, -32001, "Session not found")
    }
    if (request.method !== "POST" || !isInitialize(body)) return refusal(400, -32000, "Bad Request: Mcp-Session-Id header is required")
    const transport = await open({
      sessionIdGenerator: () => crypto.randomUUID(),
      onsessioninitialized: (opened) => void live.set(opened, transport),
      onsessionclosed: (closed) => void live.delete(closed)
    })
    return transport.handleRequest(request, options)
  }
  const closeAll = async () => {
    await Promise.all([...live.values()].map((session) => session.close()))
    live.clear()
  }
  return { route, closeAll }
}
