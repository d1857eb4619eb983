// The OAuth test upstream's /authorize (the provider's defaultHandler): a consent page that a test
// drives over plain HTTP (GET the form, POST its fields back) and chromium can click. Everyone who
// allows is `test-user`; the page also picks the access token's lifetime (`ttl`, seconds).
//
// The form posts three fields: `request` (the parsed authorization request, JSON), `ttl` and
// `decision` (`allow` or `deny`, the value of the button pressed: #allow or #deny).
import { type AuthRequest, AuthorizationError, authorizationErrorRedirect } from "@cloudflare/workers-oauth-provider"
import type { Env, Props } from "./provider.ts"

export const USER = "test-user"
const DEFAULT_TTL = 3600

const escape = (value: string) => value.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`)

const page = (request: AuthRequest, clientName: string) => {
  const name = escape(clientName)
  const scopes = request.scope.map((scope) => `<li>${escape(scope)}</li>`).join("")
  return `<!doctype html>
<meta charset="utf-8">
<title>Authorize ${name}</title>
<h1>Allow ${name} to act as ${USER}?</h1>
<p>Access goes to <strong>${escape(new URL(request.redirectUri).host)}</strong>.</p>
<ul id="scopes">${scopes}</ul>
<form method="post" action="/authorize">
  <input type="hidden" name="request" value="${escape(JSON.stringify(request))}">
  <label>Access-token lifetime (seconds) <input type="number" name="ttl" min="1" value="${DEFAULT_TTL}"></label>
  <p><button id="allow" name="decision" value="allow">Allow</button> <button id="deny" name="decision" value="deny">Deny</button></p>
</form>`
}

const badRequest = (message: string) =>
  new Response(escape(message), { status: 400, headers: { "content-type": "text/plain; charset=utf-8" } })

const redirect = (location: string) => new Response(null, { status: 302, headers: { location } })

const show = async (request: Request, env: Env) => {
  const authRequest = await env.OAUTH_PROVIDER.parseAuthRequest(request)
  const client = await env.OAUTH_PROVIDER.lookupClient(authRequest.clientId)
  if (!client) return badRequest("unknown client")
  return new Response(page(authRequest, client.clientName ?? client.clientId), {
    headers: { "content-type": "text/html; charset=utf-8", "content-security-policy": "frame-ancestors 'none'" }
  })
}

const parseTtl = (value: unknown) => {
  const ttl = value === null || value === "" ? DEFAULT_TTL : Number(value)
  return Number.isInteger(ttl) && ttl > 0 ? ttl : undefined
}

const decide = async (request: Request, env: Env) => {
  const form = await request.formData()
  let authRequest: AuthRequest
  try {
    authRequest = JSON.parse(String(form.get("request"))) as AuthRequest
  } catch {
    return badRequest("the form's request field is not JSON")
  }
  const decision = form.get("decision")
  if (decision === "deny") {
    // The hidden field came back from the browser: only a registered redirect URI gets the error.
    const client = await env.OAUTH_PROVIDER.lookupClient(authRequest.clientId)
    if (!client?.redirectUris.includes(authRequest.redirectUri)) return badRequest("unknown client or redirect URI")
    return redirect(authorizationErrorRedirect(authRequest, "access_denied"))
  }
  if (decision !== "allow") return badRequest("decision must be allow or deny")
  const ttl = parseTtl(form.get("ttl"))
  if (ttl === undefined) return badRequest("ttl must be a positive whole number of seconds")
  const props: Props = { user: USER, ttl }
  // completeAuthorization checks the client, its redirect URI and PKCE again.
  const { redirectTo } = await env.OAUTH_PROVIDER.completeAuthorization({ request: authRequest, userId: USER, scope: authRequest.scope, props, metadata: {} })
  return redirect(redirectTo)
}

export const consent: ExportedHandler<Env> = {
  async fetch(request, env) {
    if (new URL(request.url).pathname !== "/authorize") return new Response("not found", { status: 404 })
    try {
      if (request.method === "GET") return await show(request, env)
      if (request.method === "POST") return await decide(request, env)
      return new Response("method not allowed", { status: 405, headers: { allow: "GET, POST" } })
    } catch (error) {
      // A request the library refused: back to the client when it vouched for the redirect URI, else here.
      if (error instanceof AuthorizationError) return error.redirectTo ? redirect(error.redirectTo) : badRequest(error.description)
      throw error
    }
  }
}
