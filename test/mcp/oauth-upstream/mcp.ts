// The MCP server behind the OAuth test upstream's provider (its apiHandler): stateless, SDK v2
// createMcpHandler like test/mcp/upstream, with two tools: `whoami` (the user the token was granted
// for) and `echo`. The provider has already checked the bearer when a request gets here.
import type { OAuthResourceContext } from "@cloudflare/workers-oauth-provider"
import { createMcpHandler, fromJsonSchema, McpServer } from "@modelcontextprotocol/server"
import type { Env, Props } from "./provider.ts"

const echoInput = fromJsonSchema<{ text: string }>({
  type: "object",
  properties: { text: { type: "string" } },
  required: ["text"],
  additionalProperties: false
})

const buildServer = (user: string) => {
  const server = new McpServer({ name: "berth-test-oauth-upstream", version: "1.0.0" })
  server.registerTool("whoami", { description: "Names the user the access token was granted for" }, async () => ({
    content: [{ type: "text", text: user }]
  }))
  server.registerTool("echo", { description: "Answers with the text it was given", inputSchema: echoInput }, async ({ text }) => ({
    content: [{ type: "text", text }]
  }))
  return server
}

// The factory runs once per HTTP request; the user rides in on authInfo.extra.
const mcp = createMcpHandler((ctx) => buildServer(String(ctx.authInfo?.extra?.user)), {
  onerror: (e) => console.warn("[test oauth upstream]", e.message)
})

export const mcpApi: ExportedHandler<Env> & Pick<Required<ExportedHandler<Env>>, "fetch"> = {
  fetch(request, _env, ctx) {
    const { auth, props } = ctx as OAuthResourceContext<Props>
    return mcp.fetch(request, {
      authInfo: {
        token: auth.token,
        clientId: auth.clientId ?? "",
        scopes: auth.scope,
        ...(auth.expiresAt === undefined ? {} : { expiresAt: auth.expiresAt }),
        extra: { user: props.user }
      }
    })
  }
}
