// Test helpers for the hosted endpoint: a workspace with an agent and the test upstream installed,
// and a real v2 MCP client speaking to /w/{workspace}/mcp through the Worker's fetch handler.
import { Client, type ClientOptions, StreamableHTTPClientTransport } from "@modelcontextprotocol/client"
import { SELF } from "cloudflare:test"
import { ok } from "../admin/rpc-client.ts"
import { freshSlug } from "../workspace/workspace-client.ts"
import { testUpstream } from "./upstream/control.ts"

export type Era = "modern" | "legacy"

export const endpoint = (slug: string) => `http://berth.test/w/${slug}/mcp`
/** One plugin's own mount, which serves it under the upstream's names. */
export const mountEndpoint = (slug: string, plugin: string) => `${endpoint(slug)}/${plugin}`

/** What an agent can answer when an upstream asks (sampling, elicitation): declared as the client's capabilities. */
export const ANSWERING = { sampling: {}, elicitation: { form: {} } }

export const mcpClient = async (
  slug: string,
  key: string,
  era: Era,
  capabilities: Record<string, unknown> = {},
  options: ClientOptions = {},
  url: string = endpoint(slug)
) => {
  const client = new Client(
    { name: "berth-test-agent", version: "1.0.0" },
    { ...options, capabilities, ...(era === "modern" ? { versionNegotiation: { mode: { pin: "2026-07-28" } } } : {}) }
  )
  await client.connect(
    new StreamableHTTPClientTransport(new URL(url), {
      fetch: (input, init) => SELF.fetch(new Request(input as RequestInfo, init)),
      requestInit: { headers: { authorization: `Bearer ${key}` } }
    })
  )
  return client
}

/** A workspace with agent `bot` and the test upstream installed as plugin `up`. */
export const dockedWorkspace = async (options: { review?: boolean } = {}) => {
  const slug = freshSlug("mcp")
  const upstream = testUpstream()
  await ok({ _tag: "CreateWorkspace", workspace: slug })
  const { key } = await ok({ _tag: "RegisterAgent", workspace: slug, agent: "bot" })
  await ok({
    _tag: "InstallPlugin",
    workspace: slug,
    plugin: "up",
    url: upstream.url,
    transport: "streamable-http",
    auth: "none",
    ...(options.review ? { review: true } : {})
  })
  return { slug, key: key as string, upstream }
}

/** A raw JSON-RPC POST to the endpoint, for the refusals an SDK client would hide. */
export const rawCall = (slug: string, headers: Record<string, string>, body: unknown = toolCall("up__echo", { text: "hi" })) =>
  SELF.fetch(endpoint(slug), {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json, text/event-stream", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body)
  })

export const toolCall = (name: string, args: Record<string, unknown>) => ({
  jsonrpc: "2.0",
  id: 1,
  method: "tools/call",
  params: { name, arguments: args }
})
