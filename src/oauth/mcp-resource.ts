// Each workspace's MCP endpoint as an OAuth 2.1 protected resource (RFC 9728), hosted by the
// provider's OAuthResourceServer: it publishes `/.well-known/oauth-protected-resource/w/{ws}/mcp`,
// answers a request without a token with the Bearer challenge that points there, and takes only
// tokens whose audience is this workspace's endpoint (RFC 8707). A token issued for another
// workspace's endpoint is refused with 403 and recorded in that workspace's log, as a key presented
// at the wrong workspace is. The token itself stops here: the workspace's object is told only which
// agent is calling, and nothing reaches an upstream.
import { OAuthError, OAuthResourceServer } from "@cloudflare/workers-oauth-provider"
import type { Env } from "../env.ts"
import { OAUTH_AGENT_HEADER } from "../mcp/authenticate.ts"
import { MCP_MAX_BODY_BYTES } from "../mcp/endpoint.ts"
import { peekToolCall } from "../mcp/http-errors.ts"
import { workspaceStub } from "../workspace/stub.ts"
import { AGENT_SCOPE, type AgentProps, mcpResource, workspaceIssuer, workspaceServer } from "./servers.ts"
import { rememberedToken, validateToken } from "./token-cache.ts"

/** `userId:grantId:secret`: the provider's token shape. Agent keys (`berth_…`) never contain ':'. */
export const isOAuthToken = (token: string): boolean => token.split(":").length === 3

const MAX_CACHED = 512
const cache = new Map<string, OAuthResourceServer<Env, AgentProps>>()

export const mcpResourceServer = (origin: string, workspace: string): OAuthResourceServer<Env, AgentProps> => {
  const key = `${origin} ${workspace}`
  let server = cache.get(key)
  if (server) return server
  if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value!)
  server = new OAuthResourceServer<Env, AgentProps>({
    resourceMetadata: {
      resource: mcpResource(origin, workspace),
      authorization_servers: [workspaceIssuer(origin, workspace)],
      bearer_methods_supported: ["header"],
      resource_name: `Berth workspace ${workspace}`
    },
    requiredScopes: [AGENT_SCOPE],
    validateToken: (env, request) => async (resource, token) =>
      (await validateToken<AgentProps>(workspaceServer(origin, workspace), resource, token, env, AGENT_SCOPE)) ??
      (await refuseForeign(env, request, origin, workspace, token)),
    handler: { fetch: (request, env, ctx) => forwardAs(env, workspace, ctx.props.agent, request) }
  })
  cache.set(key, server)
  return server
}

/** The request, without its token, to the workspace's object, which is told only which agent calls. */
const forwardAs = (env: Env, workspace: string, agent: string, request: Request) => {
  const headers = new Headers(request.headers)
  headers.delete("authorization")
  headers.set(OAUTH_AGENT_HEADER, agent)
  return env.WORKSPACE.getByName(workspace).fetch(new Request(request, { headers }))
}

/**
 * An MCP request with an OAuth token. A token validated here in the last few seconds goes straight
 * to the workspace (the hot path: no provider code runs); any other goes through the resource
 * server, which validates it, remembers a yes, and answers a no with its challenge.
 */
export const serveWithToken = (request: Request, env: Env, ctx: ExecutionContext, origin: string, workspace: string, token: string) => {
  const remembered = rememberedToken<AgentProps>(mcpResource(origin, workspace), token)
  return remembered ? forwardAs(env, workspace, remembered.props.agent, request) : mcpResourceServer(origin, workspace).fetch(request, env, ctx)
}

/**
 * A token this plane issued for another workspace's endpoint: recorded there (its agent tried to
 * reach this workspace) and refused here with 403. Anything else is simply not valid here (null: 401).
 */
const refuseForeign = async (env: Env, request: Request, origin: string, workspace: string, token: string): Promise<null> => {
  const summary = await workspaceServer(origin, workspace).getOAuthApi(env).unwrapToken<AgentProps>(token)
  const home = summary?.grant.props.workspace
  if (!summary || home === undefined || home === workspace || summary.audience !== mcpResource(origin, home)) return null
  const call = await peekToolCall(request, MCP_MAX_BODY_BYTES)
  await workspaceStub(env, home).refuseForeignAgent(summary.grant.props.agent, workspace, call)
  throw new OAuthError("access_denied", {
    description: `this token was issued for workspace '${home}', not '${workspace}'`,
    statusCode: 403
  })
}
