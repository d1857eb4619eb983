// `berth agent revoke` for an OAuth agent: its grants and tokens go too. The workspace refuses a
// revoked agent at once anyway (src/mcp/authenticate.ts); this makes its refresh token useless as
// well, so nothing the client holds can ever be exchanged again.
import type { Env } from "../env.ts"
import { agentUserId, workspaceServer } from "./servers.ts"
import { forgetUser } from "./token-cache.ts"

// Grants and tokens are stored under their user id, whatever issuer gave them: these helpers only
// list and delete OAUTH_KV keys by that id, so any origin names the right server for them.
export const STORAGE_ONLY_ORIGIN = "http://localhost"

/** Revokes every grant (and so every token) of the agent; returns how many grants there were. */
export const revokeAgentGrants = async (env: Env, workspace: string, agent: string): Promise<number> => {
  const oauth = workspaceServer(STORAGE_ONLY_ORIGIN, workspace).getOAuthApi(env)
  const userId = agentUserId(workspace, agent)
  let revoked = 0
  let cursor: string | undefined
  do {
    const page = await oauth.listUserGrants(userId, cursor === undefined ? {} : { cursor })
    for (const grant of page.items) await oauth.revokeGrant(grant.id, userId)
    revoked += page.items.length
    cursor = page.cursor
  } while (cursor)
  forgetUser(userId)
  return revoked
}
