// The Worker's side of /w/{workspace}/mcp: a slug the directory does not know is a 404 before any
// Durable Object is reached, so strangers wake and store nothing. An OAuth token goes through the
// workspace's protected resource (src/oauth/mcp-resource.ts), which validates it here, at the edge.
// A key goes to the workspace's object, except for a key that names another workspace, which that
// workspace refuses (403) and records. A wrong key, or one naming a workspace that does not exist,
// is a plain 401, whose challenge tells an OAuth-capable client where to sign in.
import { WorkspaceSlug } from "../../events/index.ts"
import { keyWorkspace } from "../agent/agent-key.ts"
import type { Env } from "../env.ts"
import { bearerChallenge } from "../oauth/challenge.ts"
import { isOAuthToken, serveWithToken } from "../oauth/mcp-resource.ts"
import { oauthOrigin } from "../oauth/origin.ts"
import { workspaceExists } from "../workspace/known-workspaces.ts"
import { workspaceStub } from "../workspace/stub.ts"
import { bearerToken, OAUTH_AGENT_HEADER } from "./authenticate.ts"
import { MCP_MAX_BODY_BYTES, refusedOrigin } from "./endpoint.ts"
import { forbidden, notFound, payloadTooLarge, peekToolCall, unauthorized } from "./http-errors.ts"
import { Schema } from "effect"

const isSlug = Schema.is(WorkspaceSlug)

export const handleMcp = async (request: Request, env: Env, ctx: ExecutionContext, workspace: string): Promise<Response> => {
  if (!isSlug(workspace)) return notFound(`'${workspace}' is not a workspace slug`)
  // A browser from a host the plane does not serve is refused before any workspace hears of its key.
  const badOrigin = refusedOrigin(request, env.BERTH_ALLOWED_ORIGINS)
  if (badOrigin) return badOrigin
  // A body that says it is over the cap is refused here, unread and before anything is looked up.
  // Passed on, it would be streamed into the object, which answers without reading it all, and the
  // runtime reports the stream it is still pumping after the answer (endpoint.ts `handle`).
  if (Number(request.headers.get("content-length")) > MCP_MAX_BODY_BYTES) return payloadTooLarge(MCP_MAX_BODY_BYTES)
  if (!(await workspaceExists(env, workspace))) return notFound(`no workspace '${workspace}'`)
  const origin = new URL(request.url).origin
  const key = bearerToken(request)
  if (!key) return unauthorized(bearerChallenge(origin, workspace))
  // Only the resource server below may say which OAuth agent is calling.
  if (request.headers.has(OAUTH_AGENT_HEADER)) {
    const headers = new Headers(request.headers)
    headers.delete(OAUTH_AGENT_HEADER)
    request = new Request(request, { headers })
  }
  if (isOAuthToken(key)) {
    const oauth = oauthOrigin(request.url)
    return oauth === null ? unauthorized(bearerChallenge(origin, workspace)) : serveWithToken(request, env, ctx, oauth, workspace, key)
  }
  const home = keyWorkspace(key)
  if (home !== undefined && home !== workspace && isSlug(home)) {
    if (!(await workspaceExists(env, home))) return unauthorized(bearerChallenge(origin, workspace))
    const known = await workspaceStub(env, home).refuseForeignKey(key, workspace, await peekToolCall(request, MCP_MAX_BODY_BYTES))
    return known ? forbidden("this key belongs to another workspace") : unauthorized(bearerChallenge(origin, workspace))
  }
  return env.WORKSPACE.getByName(workspace).fetch(request)
}
