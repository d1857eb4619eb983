// The SDK floor under Berth's hop: the peer gateway (bench/node/peer-gateway.ts) moved into the floor
// relay's Durable Object, so it runs where Berth runs and pays the same Worker → object hop. An
// agent-facing `Server` built per request by the SDK's handler, and one pooled upstream `Client` per
// upstream URL that every call goes through; no authentication, no policy, no spans. With `writes`
// it records as the byte relay does (one SQLite row before the call leaves, one before answering),
// so against Berth it isolates what Berth adds beyond speaking MCP on both sides, and against the
// byte relay what speaking MCP costs on this runtime. Bench-only: never deployed.
import { Client, type PriorDiscovery, StreamableHTTPClientTransport } from "@modelcontextprotocol/client"
import { createMcpHandler, isJsonContentType, Server } from "@modelcontextprotocol/server"

/** As Berth's endpoint caps an agent's body (src/mcp/endpoint.ts). */
const MAX_BODY_BYTES = 1024 * 1024

/** Where an upstream's era verdict is kept in the object's KV, under its URL. */
const PRIOR_KEY = "prior:"

/**
 * One per relay object, never at module scope: what it holds (the clients' streams, the object's
 * storage behind `record`) belongs to the object that made it, and the runtime refuses it to another.
 */
export class SdkFloor {
  /** Writes one row to the object's SQLite. */
  readonly #record: () => void
  /** The object's KV, where each upstream's era verdict is kept, as Berth's pool keeps its probes' answers. */
  readonly #kv: SyncKvStorage
  /** The pooled upstream clients, one per upstream URL, connected on first use. */
  readonly #clients = new Map<string, Promise<Client>>()
  /** The SDK's handlers, built once per upstream and number of writes, as Berth builds its one per object. */
  readonly #handlers = new Map<string, ReturnType<typeof createMcpHandler>>()

  constructor(record: () => void, kv: SyncKvStorage) {
    this.#record = record
    this.#kv = kv
  }

  /** Serves one MCP request through the SDK, relaying tools/list and tools/call to `to`, with `writes` rows per call. */
  async serve(request: Request, to: string, writes: number): Promise<Response> {
    const handler = this.#handler(to, writes)
    // The body read once and handed over parsed, as Berth's endpoint does (McpEndpoint.#serve), so the
    // floor pays no clone Berth does not.
    if (request.method !== "POST" || !isJsonContentType(request.headers.get("content-type"))) return handler.fetch(request)
    return handler.fetch(request, { parsedBody: await request.json() })
  }

  #handler(to: string, writes: number): ReturnType<typeof createMcpHandler> {
    const key = `${writes} ${to}`
    let handler = this.#handlers.get(key)
    if (!handler) {
      handler = createMcpHandler(
        () => {
          const server = new Server({ name: "berth-sdk-floor", version: "1.0.0" }, { capabilities: { tools: {} } })
          server.setRequestHandler("tools/list", async (list) => (await this.#client(to)).listTools(list.params))
          server.setRequestHandler("tools/call", async (call) => {
            if (writes >= 1) this.#record()
            const result = await (await this.#client(to)).callTool(call.params)
            if (writes >= 2) this.#record()
            return result
          })
          return server
        },
        { legacy: "stateless", maxRequestBodySize: MAX_BODY_BYTES }
      )
      this.#handlers.set(key, handler)
    }
    return handler
  }

  #client(url: string): Promise<Client> {
    let client = this.#clients.get(url)
    if (!client) {
      // `auto`: 2026-07-28 where the upstream speaks it, else a 2025 session, as the peer gateway decides.
      const connecting = new Client({ name: "berth-sdk-floor", version: "1.0.0" }, { versionNegotiation: { mode: "auto" } })
      // An upstream this object has connected to before is connected without its probe, as Berth's pool
      // does (storedPriors in src/mcp/upstream-pool.ts), so a woken floor makes no round trip Berth does not.
      const prior = this.#kv.get<PriorDiscovery>(PRIOR_KEY + url)
      client = connecting.connect(new StreamableHTTPClientTransport(new URL(url)), prior ? { prior } : {}).then(() => {
        const discover = connecting.getDiscoverResult()
        this.#kv.put<PriorDiscovery>(PRIOR_KEY + url, discover ? { kind: "modern", discover } : { kind: "legacy" })
        return connecting
      })
      // A failed connection is forgotten, so the next request tries again.
      client.catch(() => this.#clients.delete(url))
      this.#clients.set(url, client)
    }
    return client
  }
}
