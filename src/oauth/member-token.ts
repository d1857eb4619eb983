// A member's access token, as `berth login` obtains it from the plane's authorization server, for
// the admin RPC. Being built: until the plane's authorization server lands, no token is a member's.
import type { Env } from "../env.ts"

/** The member a bearer token on /admin/rpc belongs to, or null if it is not a valid member token. */
export const memberFromBearer = async (_request: Request, _env: Env): Promise<string | null> => null
