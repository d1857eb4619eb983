// Members: /auth/* (sign-in pages, OpenID Connect, sessions). Being built.
import type { Env } from "../env.ts"

export const handleAuth = async (request: Request, _env: Env): Promise<Response> =>
  Response.json({ ok: false, error: { _tag: "NotFound", message: `no route for ${new URL(request.url).pathname}` } }, { status: 404 })
