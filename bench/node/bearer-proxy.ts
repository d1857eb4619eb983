// A loopback HTTP proxy that adds `Authorization: Bearer <key>` to every request, for clients that
// cannot send a header of their own (the MCP conformance runner). Bodies stream both ways, so an SSE
// response reaches the client event by event, and the client's Host and Origin go on unchanged.
import { createServer, type IncomingHttpHeaders, type OutgoingHttpHeaders, request } from "node:http"
import type { AddressInfo } from "node:net"

// RFC 9110 §7.6.1: connection-specific fields are the proxy's own and are not forwarded.
const HOP_BY_HOP = new Set(["connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer", "upgrade"])

const forwardable = (headers: IncomingHttpHeaders): OutgoingHttpHeaders =>
  Object.fromEntries(Object.entries(headers).filter(([name, value]) => value !== undefined && !HOP_BY_HOP.has(name)))

/** Listens on a free loopback port; `url` is `target`'s origin as seen through the proxy. */
export const startBearerProxy = async (target: string, key: string) => {
  const upstream = new URL(target)
  const server = createServer((incoming, outgoing) => {
    const forward = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: incoming.method,
        path: incoming.url,
        headers: { ...forwardable(incoming.headers), authorization: `Bearer ${key}` }
      },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.statusMessage, forwardable(answer.headers))
        outgoing.flushHeaders()
        answer.pipe(outgoing)
      }
    )
    forward.on("error", (error) => {
      if (!outgoing.headersSent) outgoing.writeHead(502, { "content-type": "text/plain" })
      outgoing.end(`bearer proxy: ${error.message}`)
    })
    // A client that hangs up (a scenario closing its SSE stream) closes the request upstream too.
    outgoing.on("close", () => forward.destroy())
    incoming.pipe(forward)
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
}
