// The Worker's side of /w/{workspace}/mcp: a slug the directory does not know is a 404 before any
// Durable Object is reached, so strangers wake and store nothing. Otherwise it routes to the
// workspace's object, except for a key that names another workspace, which that workspace refuses
// (403) and records. A wrong key, or one naming a workspace that does not exist, is a plain 401.
import { WorkspaceSlug } from "../../events/index.ts"
import { keyWorkspace } from "../agent/agent-key.ts"
import type { Env } from "../env.ts"
import { workspaceExists } from "../workspace/known-workspaces.ts"
import { workspaceStub } from "../workspace/stub.ts"
import { bearerToken } from "./authenticate.ts"
import { MCP_MAX_BODY_BYTES } from "./endpoint.ts"
import { forbidden, notFound, peekToolCall, unauthorized } from "./http-errors.ts"
import { Schema } from "effect"

const isSlug = Schema.is(WorkspaceSlug)

export const handleMcp = async (request: Request, env: Env, workspace: string): Promise<Response> => {
  if (!isSlug(workspace)) return notFound(`'${workspace}' is not a workspace slug`)
  if (!(await workspaceExists(env, workspace))) return notFound(`no workspace '${workspace}'`)
  const key = bearerToken(request)
  if (!key) return unauthorized()
  const home = keyWorkspace(key)
  if (home !== undefined && home !== workspace && isSlug(home)) {
    if (!(await workspaceExists(env, home))) return unauthorized()
    const known = await workspaceStub(env, home).refuseForeignKey(key, workspace, await peekToolCall(request, MCP_MAX_BODY_BYTES))
    return known ? forbidden("this key belongs to another workspace") : unauthorized()
  }
  return env.WORKSPACE.getByName(workspace).fetch(request)
}
