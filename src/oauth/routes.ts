// OAuth 2.1 for agents and the CLI. The provider serves discovery, registration, tokens and
// revocation; Berth serves the consent pages. Workspace routes answer 404 for a workspace the
// directory does not know, before anything is stored.
import type { Env } from "../env.ts"
import { notFound } from "../mcp/http-errors.ts"
import { workspaceExists } from "../workspace/known-workspaces.ts"
import { agentAuthorize } from "./agent-consent.ts"
import { cliAuthorize } from "./cli-consent.ts"
import { mcpResourceServer } from "./mcp-resource.ts"
import { noOAuthHere, oauthOrigin } from "./origin.ts"
import { planeServer, workspaceServer } from "./servers.ts"

const PLANE_PROTOCOL = new Set(["/.well-known/oauth-authorization-server", "/oauth/token", "/oauth/register"])
const RESOURCE_METADATA = /^\/\.well-known\/oauth-protected-resource\/w\/([a-z0-9-]+)\/mcp$/
const WORKSPACE_METADATA = /^\/\.well-known\/oauth-authorization-server\/w\/([a-z0-9-]+)$/
const WORKSPACE_ROUTE = /^\/w\/([a-z0-9-]+)\/(authorize|oauth\/token|oauth\/register)$/

export const handleOAuth = async (request: Request, env: Env, ctx: ExecutionContext): Promise<Response | undefined> => {
  const { pathname } = new URL(request.url)
  const plane = PLANE_PROTOCOL.has(pathname) || pathname === "/authorize"
  const resource = plane ? undefined : RESOURCE_METADATA.exec(pathname)
  const metadata = plane || resource ? undefined : WORKSPACE_METADATA.exec(pathname)
  const route = plane || resource || metadata ? undefined : WORKSPACE_ROUTE.exec(pathname)
  const workspace = (resource ?? metadata ?? route)?.[1]
  if (!plane && workspace === undefined) return undefined
  const origin = oauthOrigin(request.url)
  if (origin === null) return noOAuthHere()
  if (pathname === "/authorize") return cliAuthorize(request, env)
  if (plane) return planeServer(origin).fetch(request, env, ctx)
  if (!(await workspaceExists(env, workspace!))) return notFound(`no workspace '${workspace}'`)
  if (resource) return mcpResourceServer(origin, workspace!).fetch(request, env, ctx)
  if (route?.[2] === "authorize") return agentAuthorize(request, env, workspace!)
  return workspaceServer(origin, workspace!).fetch(request, env, ctx)
}
