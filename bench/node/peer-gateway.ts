// The peer in the hop benchmark (issue 22): the gateway a team could write in an afternoon instead of
// Berth, from the same MCP SDK v2. An agent-facing server built per request by the SDK's handler, and
// one pooled upstream `Client` that every call goes through; no recording, no policy, no auth. Runs
// as its own process, so its CPU is its own and not the benchmark client's.
//
//   node bench/node/peer-gateway.ts <upstream MCP URL>   prints {"url":"http://127.0.0.1:<port>/mcp"} once listening
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client"
import { toNodeHandler } from "@modelcontextprotocol/node"
import { createMcpHandler, Server } from "@modelcontextprotocol/server"

const upstreamUrl = process.argv[2]
if (!upstreamUrl) throw new Error("usage: node bench/node/peer-gateway.ts <upstream MCP URL>")

// `auto`: 2026-07-28 where the upstream speaks it, else a 2025 session, as Berth's pool decides.
const upstream = new Client({ name: "peer-gateway", version: "1.0.0" }, { versionNegotiation: { mode: "auto" } })
await upstream.connect(new StreamableHTTPClientTransport(new URL(upstreamUrl)))

const handler = createMcpHandler(() => {
  const server = new Server({ name: "peer-gateway", version: "1.0.0" }, { capabilities: { tools: {} } })
  server.setRequestHandler("tools/list", (request) => upstream.listTools(request.params))
  server.setRequestHandler("tools/call", (request) => upstream.callTool(request.params))
  return server
})

const http = createServer(toNodeHandler(handler))
http.listen(0, "127.0.0.1", () => {
  console.log(JSON.stringify({ url: `http://127.0.0.1:${(http.address() as AddressInfo).port}/mcp` }))
})
