// The plane's routes for upstream OAuth, as a client of an upstream's authorization server:
// - GET /oauth/callback/{workspace}/{plugin}: the redirect back from the authorization server; the
//   workspace exchanges the code and connects the credential, and the browser is told how it went;
// - GET /oauth/clients/{workspace}/{plugin}: Berth's client metadata document (the client id, for an
//   authorization server that accepts one). Built from the URL alone: it wakes no object.
// An unknown workspace is 404 before any Durable Object is reached.
import { html, page } from "../../auth/html.ts"
import type { Env } from "../../env.ts"
import { oauthOrigin } from "../../oauth/origin.ts"
import { workspaceExists } from "../../workspace/known-workspaces.ts"
import { workspaceStub } from "../../workspace/stub.ts"
import { clientMetadataDocument } from "./urls.ts"

const ROUTE = /^\/oauth\/(callback|clients)\/([a-z0-9-]+)\/([A-Za-z0-9._-]+)$/

const notFound = (what: string) => Response.json({ ok: false, error: { _tag: "NotFound", message: what } }, { status: 404 })

export const handleUpstreamOAuth = async (request: Request, env: Env): Promise<Response | undefined> => {
  const url = new URL(request.url)
  const match = ROUTE.exec(url.pathname)
  if (!match) return undefined
  const [, route, workspace, plugin] = match as unknown as [string, "callback" | "clients", string, string]
  if (request.method !== "GET") return new Response(null, { status: 405, headers: { allow: "GET" } })
  const origin = oauthOrigin(request.url)
  if (origin === null) return notFound("OAuth needs https, or plain http on localhost")
  if (!(await workspaceExists(env, workspace))) return notFound(`no workspace '${workspace}'`)
  if (route === "clients")
    return Response.json(clientMetadataDocument(origin, workspace, plugin), { headers: { "cache-control": "public, max-age=300" } })
  const q = url.searchParams
  const param = (name: string) => q.get(name) ?? undefined
  const outcome = await workspaceStub(env, workspace).completeCredentialConnect(plugin, origin, {
    state: param("state"),
    code: param("code"),
    iss: param("iss"),
    error: param("error"),
    errorDescription: param("error_description")
  })
  // Every text here may quote the authorization server; `html` escapes it.
  return outcome.ok
    ? page("Connected", html`<p role="status">${outcome.message}</p><p class="hint">The terminal that ran <code>berth credential connect</code> shows the same.</p>`)
    : page("Not connected", html`<p role="alert">${outcome.message}</p>`, { status: 400 })
}
