// Berth's OAuth 2.1 authorization servers, from @cloudflare/workers-oauth-provider:
// - one per workspace, for its agents: issuer `{origin}/w/{ws}`, resource `{origin}/w/{ws}/mcp`;
// - one for the plane, for members' CLI sign-ins (`berth login`): issuer `{origin}`, resource
//   `{origin}/admin/rpc`.
// The provider fixes an issuer's resources when it is built, and workspaces come and go, so each
// workspace is its own issuer (RFC 8414 metadata at `/.well-known/oauth-authorization-server/w/{ws}`,
// the path-insertion form MCP clients try first). Every issuer shares one store, OAUTH_KV.
import { OAuthAuthorizationServer } from "@cloudflare/workers-oauth-provider"
import type { Env } from "../env.ts"

/** The scope every agent token carries, and the one a 401 from an MCP endpoint asks for. */
export const AGENT_SCOPE = "mcp"
/** The scope of a member's CLI token. */
export const MEMBER_SCOPE = "member"
const REFRESH_SCOPE = "offline_access"

/** An hour: a revoked agent is refused at once by its workspace anyway (src/mcp/authenticate.ts). */
const ACCESS_TOKEN_SECONDS = 60 * 60

export const workspaceIssuer = (origin: string, workspace: string) => `${origin}/w/${workspace}`
export const mcpResource = (origin: string, workspace: string) => `${origin}/w/${workspace}/mcp`
export const adminResource = (origin: string) => `${origin}/admin/rpc`

/** The user id a grant is stored under: the agent within its workspace, or the member. */
export const agentUserId = (workspace: string, agent: string) => `${workspace}/${agent}`

/** What an agent's token stands for, encrypted in its grant. */
export interface AgentProps {
  readonly workspace: string
  readonly agent: string
}

/** What a member's CLI token stands for. */
export interface MemberProps {
  readonly member: string
}

// Built on first use per origin (and workspace); a few hundred stay cached per isolate.
const MAX_CACHED = 512
const cache = new Map<string, OAuthAuthorizationServer<Env>>()

const cached = (key: string, build: () => OAuthAuthorizationServer<Env>) => {
  let server = cache.get(key)
  if (!server) {
    if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value!)
    server = build()
    cache.set(key, server)
  }
  return server
}

const common = {
  clientIdMetadataDocumentEnabled: true,
  accessTokenTTL: ACCESS_TOKEN_SECONDS
} as const

export const workspaceServer = (origin: string, workspace: string): OAuthAuthorizationServer<Env> =>
  cached(`${origin} ${workspace}`, () => {
    const issuer = workspaceIssuer(origin, workspace)
    const base = `/w/${workspace}`
    return new OAuthAuthorizationServer<Env>({
      ...common,
      issuer,
      resources: [mcpResource(origin, workspace)],
      authorizeEndpoint: `${base}/authorize`,
      tokenEndpoint: `${base}/oauth/token`,
      clientRegistrationEndpoint: `${base}/oauth/register`,
      scopesSupported: [AGENT_SCOPE, REFRESH_SCOPE]
    })
  })

export const planeServer = (origin: string): OAuthAuthorizationServer<Env> =>
  cached(origin, () =>
    new OAuthAuthorizationServer<Env>({
      ...common,
      issuer: origin,
      resources: [adminResource(origin)],
      authorizeEndpoint: "/authorize",
      tokenEndpoint: "/oauth/token",
      clientRegistrationEndpoint: "/oauth/register",
      scopesSupported: [MEMBER_SCOPE, REFRESH_SCOPE]
    })
  )
