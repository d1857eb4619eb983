// The Worker's side of /w/{workspace}/mcp: routes to the workspace's Durable Object, except for a
// key that names another workspace, which that workspace refuses (403) and records. A wrong key,
// like a missing workspace, is a plain 401.
import { WorkspaceSlug } from "../../events/index.ts"
import { keyWorkspace } from "../agent/agent-key.ts"
import type { Env } from "../env.ts"
import { workspaceStub } from "../workspace/stub.ts"
import { bearerToken } from "./authenticate.ts"
import { MCP_MAX_BODY_BYTES } from "./endpoint.ts"
import { forbidden, notFound, peekToolCall, unauthorized } from "./http-errors.ts"
import { Schema } from "effect"

const isSlug = Schema.is(WorkspaceSlug)

export const handleMcp = async (request: Request, env: Env, workspace: string): Promise<Response> => {
  if (!isSlug(workspace)) return notFound(`'${workspace}' is not a workspace slug`)
  const key = bearerToken(request)
  if (!key) return unauthorized()
  const home = keyWorkspace(key)
  if (home !== undefined && home !== workspace && isSlug(home)) {
    const known = await workspaceStub(env, home).refuseForeignKey(key, workspace, await peekToolCall(request, MCP_MAX_BODY_BYTES))
    return known ? forbidden("this key belongs to another workspace") : unauthorized()
  }
  return env.WORKSPACE.getByName(workspace).fetch(request)
}
