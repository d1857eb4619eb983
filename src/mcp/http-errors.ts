// Refusals at the MCP edge, as JSON-RPC error bodies with the matching HTTP status, so MCP clients
// and plain HTTP clients both read them.
import { readRequestBody } from "@modelcontextprotocol/server"

const refusal = (status: number, code: number, message: string, headers: Record<string, string> = {}) =>
  Response.json({ jsonrpc: "2.0", error: { code, message }, id: null }, { status, headers })

/** `challenge` points an OAuth-capable client at the endpoint's metadata (src/oauth/challenge.ts). */
export const unauthorized = (challenge: string) =>
  refusal(401, -32001, "unauthorized: sign in with OAuth, or send 'Authorization: Bearer <agent key>' (from 'berth agent register')", {
    "www-authenticate": challenge
  })

export const forbidden = (reason: string) => refusal(403, -32003, `forbidden: ${reason}`)

export const notFound = (message: string) => refusal(404, -32004, message)

/** The SDK's own answer to a body over its cap (createMcpHandler's 413), word for word. */
export const payloadTooLarge = (maxBytes: number) => refusal(413, -32000, `Payload Too Large: Request body must not exceed ${maxBytes} bytes`)

/**
 * A POST's JSON body, read from a clone (the request stays readable); undefined if it is not JSON
 * or is over `maxBytes`, whether it says so in Content-Length or only by running on (the SDK's
 * capped reader).
 */
export const peekJson = async (request: Request, maxBytes: number): Promise<unknown> => {
  if (request.method !== "POST") return undefined
  try {
    const body = await readRequestBody(request.clone(), maxBytes)
    return body.tooLarge ? undefined : JSON.parse(body.text)
  } catch {
    return undefined
  }
}

/** The JSON-RPC tools/call in a request body, if that is what it is; read from a clone, capped. */
export const peekToolCall = async (request: Request, maxBytes: number) => {
  const body = (await peekJson(request, maxBytes)) as { method?: unknown; params?: { name?: unknown; arguments?: unknown } } | null | undefined
  if (body?.method !== "tools/call" || typeof body.params?.name !== "string") return undefined
  return { name: body.params.name, arguments: (body.params.arguments ?? {}) as Record<string, unknown> }
}

/**
 * Reads an unread request body to its end and drops it, up to `maxBytes` and for at most `ms`, then
 * cancels whatever is left. Nothing is decoded or kept, and a client that stalls mid-body holds the
 * answer for `ms` at most.
 */
export const discardBody = async (body: ReadableStream<Uint8Array>, maxBytes: number, ms: number): Promise<void> => {
  const reader = body.getReader()
  // Cancelled once the body ends, so a refusal leaves no timer behind for the rest of `ms`.
  const timer = new AbortController()
  const late = scheduler.wait(ms, { signal: timer.signal }).then(
    () => "late" as const,
    () => "late" as const
  )
  try {
    for (let read = 0; read <= maxBytes; ) {
      const next = await Promise.race([reader.read(), late])
      if (next === "late" || next.done) return
      read += next.value.byteLength
    }
  } finally {
    timer.abort()
    await reader.cancel().catch(() => undefined)
  }
}
