// One MCP 2026-07-28 `tools/call` sent by hand, with the headers and body the SDK v2 client sends,
// timed until its answer is read: what the wake is measured by (wake-storage.bench.ts) and profiled
// by (profile-hop.ts --wake), without a client's own first-use cost in the timing.

/**
 * One `tools/call up__echo` as a 2026-07-28 client sends it (the SDK's own headers and body), its time
 * in ms; `refused`: with arguments the pinned schema refuses, so Berth answers without the upstream.
 */
export const timedCall = async (endpoint: string, key: string | undefined, n: number, refused = false, tool = "up__echo"): Promise<number> => {
  const text = `wake ${n}`
  const body = JSON.stringify({
    jsonrpc: "2.0",
    id: n,
    method: "tools/call",
    params: {
      name: tool,
      arguments: refused ? { wake: n } : { text },
      _meta: {
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientInfo": { name: "berth-bench-agent", version: "1.0.0" },
        "io.modelcontextprotocol/clientCapabilities": {}
      }
    }
  })
  const headers = {
    accept: "application/json, text/event-stream",
    ...(key === undefined ? {} : { authorization: `Bearer ${key}` }),
    "content-type": "application/json",
    "mcp-method": "tools/call",
    "mcp-name": tool,
    "mcp-protocol-version": "2026-07-28"
  }
  const t0 = performance.now()
  const response = await fetch(endpoint, { method: "POST", headers, body })
  const answer = (await response.json()) as { result?: { content?: Array<{ text?: string }>; isError?: boolean } }
  const ms = performance.now() - t0
  const expected = refused ? answer.result?.isError === true : !answer.result?.isError && answer.result?.content?.[0]?.text === `echo: ${text}`
  if (!expected) throw new Error(`unexpected answer: ${JSON.stringify(answer)}`)
  return ms
}
