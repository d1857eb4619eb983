// Serves a fixture's fetch-shaped MCP endpoint at /mcp on a free loopback port. A Host that is not
// loopback is refused before the fixture sees the request: a local server's guard against DNS
// rebinding, which the dns-rebinding-protection scenario checks.
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import { toNodeHandler } from "@modelcontextprotocol/node"
import { hostHeaderValidationResponse, localhostAllowedHostnames } from "@modelcontextprotocol/server"

export interface Fixture {
  /** The MCP endpoint. */
  readonly url: string
  readonly stop: () => Promise<void>
}

export const serveOnLoopback = async (endpoint: (request: Request) => Promise<Response>, release: () => Promise<void>): Promise<Fixture> => {
  const hosts = localhostAllowedHostnames()
  const handle = toNodeHandler({
    fetch: async (request) => {
      if (new URL(request.url).pathname !== "/mcp") return new Response("Not found", { status: 404 })
      return hostHeaderValidationResponse(request, hosts) ?? endpoint(request)
    }
  })
  const server = createServer((request, response) => void handle(request, response))
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    stop: async () => {
      await release()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  }
}
