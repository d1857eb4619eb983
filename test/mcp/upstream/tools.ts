// The test upstream's tools, in the order it registers them, with their descriptions: one list for
// the server (./server.ts) and for every test that counts or names what Berth discovers from it.
export const DESCRIPTIONS: Readonly<Record<string, string>> = {
  echo: "Echoes the text back",
  structured: "Weather for a city, as structured content",
  fail: "Always answers with a tool error (isError)",
  progress: "Reports progress for each step, then finishes",
  log: "Sends a logging notification, then answers",
  sample: "Asks the client's model to answer a prompt (sampling), then quotes it",
  elicit: "Asks the client's user for a city (form elicitation), then names it",
  region: "Answers in a region that clients mirror into the Mcp-Param-Region header (SEP-2243)",
  roots: "Asks the client for its roots (roots/list), then names them",
  "protocol-error": "Always answers with a JSON-RPC error (-32602)"
}

/** The tool names, in registration order (the order tools/list shows them). */
export const UPSTREAM_TOOLS: ReadonlyArray<string> = Object.keys(DESCRIPTIONS)
