// The floor under Berth's MCP hop: a Worker that hands each request to one Durable Object, which
// passes it to the upstream byte for byte and passes the answer back, with no MCP parsing, no
// authentication and no policy. `?writes=1` adds one SQLite row before the request leaves (as Berth
// records RunStarted before dispatch, so the output gate holds the request until the row is
// durable); `writes=2` adds one more before answering (as Berth records FinishRun). Whatever this
// costs over calling the upstream directly, any relay built this way pays; bench/node/mcp-hop.bench.ts
// measures it beside Berth. Headers pass both ways, so a 2025-era upstream's Mcp-Session-Id reaches
// the client and comes back; a POST's SSE answer ends with the answer and is relayed whole, and a GET's
// stream (a 2025 session's standing one) is passed on as it flows. `/sdk` instead of `/` is the SDK
// floor (sdk-floor.ts): the same object speaking MCP on both sides through the SDK, with the same
// writes. Bench-only: its own config, never deployed.
import { DurableObject } from "cloudflare:workers"
import { SdkFloor } from "./sdk-floor.ts"

interface Env {
  readonly RELAY: DurableObjectNamespace<Relay>
}

/** About the size of one RunStarted row. */
const ROW = "x".repeat(600)
/** Hop-by-hop and routing headers that are the runtime's to set on the outgoing request. */
const NOT_FORWARDED = new Set(["host", "content-length", "connection", "accept-encoding"])

export class Relay extends DurableObject<Env> {
  readonly #sdk = new SdkFloor(() => this.#record(), this.ctx.storage.kv)

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env)
    ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS recorded (n INTEGER PRIMARY KEY, row TEXT NOT NULL)")
  }

  #record(): void {
    this.ctx.storage.sql.exec("INSERT INTO recorded (row) VALUES (?)", ROW)
  }

  override async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url)
    const to = url.searchParams.get("to")
    if (to === null) return new Response("?to=<upstream URL> is required", { status: 400 })
    // A GET is a 2025 session's standing stream: open for the session's life, not a call, so not recorded.
    const standing = request.method === "GET"
    const writes = standing ? 0 : Number(url.searchParams.get("writes") ?? "0")
    // `/sdk` speaks MCP on both sides instead of passing bytes (sdk-floor.ts), with the same writes.
    if (url.pathname === "/sdk") return this.#sdk.serve(request, to, writes)
    if (writes >= 1) this.#record()
    const headers = new Headers()
    request.headers.forEach((value, name) => {
      if (!NOT_FORWARDED.has(name)) headers.set(name, value)
    })
    const body = standing || request.method === "HEAD" ? undefined : await request.arrayBuffer()
    const upstream = await fetch(to, { method: request.method, headers, body })
    const answer = standing ? upstream.body : await upstream.arrayBuffer()
    if (writes >= 2) this.#record()
    // fetch has already decoded the body; passing the encoding on would have the runtime encode it again.
    const answerHeaders = new Headers(upstream.headers)
    answerHeaders.delete("content-encoding")
    answerHeaders.delete("content-length")
    const nullBody = [101, 204, 205, 304].includes(upstream.status)
    return new Response(nullBody ? null : answer, { status: upstream.status, headers: answerHeaders })
  }
}

export default {
  // `/healthz` answers without waking an object; `?object=` picks the relay object (default "floor"),
  // so a wake benchmark can wake a second one in a runtime that is already serving.
  fetch: (request: Request, env: Env) => {
    const url = new URL(request.url)
    if (url.pathname === "/healthz") return new Response("ok")
    return env.RELAY.getByName(url.searchParams.get("object") ?? "floor").fetch(request)
  }
} satisfies ExportedHandler<Env>
