// POST /admin/rpc: the admin RPC over HTTP. Bearer token, a JSON body naming a command or query
// by `_tag`, and a JSON answer whose status comes from the error tag (status.ts).
import type { Actor } from "../../events/index.ts"
import type { Env } from "../env.ts"
import { memberFromBearer } from "../oauth/member-token.ts"
import { oauthOrigin } from "../oauth/origin.ts"
import { type AdminResponse, dispatch } from "./dispatch.ts"
import { InvalidRequest, Unauthorized } from "./errors.ts"
import { STATUS } from "./status.ts"
import { isAdminToken } from "./token.ts"

const MAX_BODY_BYTES = 1024 * 1024

const json = (response: AdminResponse) =>
  Response.json(response, { status: response.ok ? 200 : STATUS[response.error._tag] })

const failure = (error: InvalidRequest | Unauthorized): AdminResponse => ({
  ok: false,
  error: { ...error, _tag: error._tag, message: error.message } as never
})

/** The admin token is the plane's bootstrap owner; any other bearer must be a member's token. */
const authenticate = async (request: Request, env: Env): Promise<Actor | null> => {
  if (await isAdminToken(request, env.BERTH_ADMIN_TOKEN)) return { type: "admin", id: "admin-token" }
  const member = await memberFromBearer(request, env)
  return member === null ? null : { type: "member", id: member }
}

export const handleAdminRpc = async (request: Request, env: Env): Promise<Response> => {
  if (request.method !== "POST")
    return new Response("POST a JSON request to /admin/rpc", { status: 405, headers: { allow: "POST" } })
  // Before the body is read: a stranger reaches no workspace.
  const actor = await authenticate(request, env)
  if (actor === null) return json(failure(new Unauthorized()))
  const tooLarge = () => json(failure(new InvalidRequest({ field: "", reason: `the request body is over ${MAX_BODY_BYTES} bytes` })))
  if (Number(request.headers.get("content-length") ?? 0) > MAX_BODY_BYTES) return tooLarge()
  const bytes = await request.arrayBuffer()
  if (bytes.byteLength > MAX_BODY_BYTES) return tooLarge()
  let body: unknown
  try {
    body = JSON.parse(new TextDecoder().decode(bytes))
  } catch {
    return json(failure(new InvalidRequest({ field: "", reason: "the request body is not valid JSON" })))
  }
  return json(await dispatch(env, body, actor, oauthOrigin(request.url) ?? undefined))
}
