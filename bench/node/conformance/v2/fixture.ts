// Berth's own conformance fixture on the SDK v2, both eras on one endpoint: a request with the 2026-07-28
// `_meta` envelope goes to the stateless per-request handler, and 2025-era traffic to stateful sessions
// (Mcp-Session-Id, the GET stream, DELETE, resumable streams), which the handler alone does not keep.
import {
  createMcpHandler,
  InMemoryServerEventBus,
  isLegacyRequest,
  type JSONRPCMessage,
  WebStandardStreamableHTTPServerTransport
} from "@modelcontextprotocol/server"
import { SessionEventLog } from "../event-store.ts"
import { type Fixture, serveOnLoopback } from "../serve.ts"
import { sessionTable } from "../sessions.ts"
import { makeServer } from "./server.ts"

/** How long a client that lost its SSE stream waits before it reconnects (the `retry` field, SEP-1699). */
const RETRY_MS = 1_000

export const startV2Fixture = async (): Promise<Fixture> => {
  const bus = new InMemoryServerEventBus()
  const modern = createMcpHandler(() => makeServer(bus), { legacy: "reject", bus })
  const sessions = sessionTable(async (hooks) => {
    const transport = new WebStandardStreamableHTTPServerTransport({
      ...hooks,
      eventStore: new SessionEventLog<JSONRPCMessage>(),
      retryInterval: RETRY_MS
    })
    await makeServer(bus).connect(transport)
    return transport
  })
  return serveOnLoopback(
    async (request) => ((await isLegacyRequest(request)) ? sessions.route(request) : modern.fetch(request)),
    async () => {
      await sessions.closeAll()
      await modern.close()
    }
  )
}
