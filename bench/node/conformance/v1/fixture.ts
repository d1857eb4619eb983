// Berth's conformance fixture on the SDK v1: an upstream that speaks only the 2025 protocols, served as
// stateful Streamable HTTP sessions. It has no 2026-07-28 path, so a 2026 client reaches it only through
// a gateway that speaks 2025 to it.
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js"
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js"
import { SessionEventLog } from "../event-store.ts"
import { type Fixture, serveOnLoopback } from "../serve.ts"
import { sessionTable } from "../sessions.ts"
import { makeServer } from "./server.ts"

/** How long a client that lost its SSE stream waits before it reconnects (the `retry` field, SEP-1699). */
const RETRY_MS = 1_000

export const startV1Fixture = async (): Promise<Fixture> => {
  const sessions = sessionTable(async (hooks) => {
    const transport = new WebStandardStreamableHTTPServerTransport({
      ...hooks,
      eventStore: new SessionEventLog<JSONRPCMessage>(),
      retryInterval: RETRY_MS
    })
    await makeServer().connect(transport)
    return transport
  })
  return serveOnLoopback(sessions.route, sessions.closeAll)
}
