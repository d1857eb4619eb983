// A member's access token, as `berth login` obtains it from the plane's authorization server
// (src/oauth/cli-consent.ts), for the admin RPC: its audience must be this plane's `/admin/rpc`
// (RFC 8707), so an agent's token for a workspace endpoint is no member token here.
import type { Env } from "../env.ts"
import { bearerToken } from "../mcp/authenticate.ts"
import { isOAuthToken } from "./mcp-resource.ts"
import { oauthOrigin } from "./origin.ts"
import { adminResource, MEMBER_SCOPE, type MemberProps, planeServer } from "./servers.ts"

/** The member a bearer token on /admin/rpc belongs to, or null if it is not a valid member token. */
export const memberFromBearer = async (request: Request, env: Env): Promise<string | null> => {
  const token = bearerToken(request)
  if (!token || !isOAuthToken(token)) return null
  const origin = oauthOrigin(request.url)
  if (origin === null) return null
  // Not cached, unlike agents' tokens: the admin RPC is not a hot path, and a token `berth logout`
  // revoked at the token endpoint must stop working at once.
  const valid = await planeServer(origin).validateToken<MemberProps>(adminResource(origin), token, env)
  // The provider does not check scopes: a token granted only `offline_access` is no member token.
  return valid?.scope.includes(MEMBER_SCOPE) ? valid.props.member : null
}
