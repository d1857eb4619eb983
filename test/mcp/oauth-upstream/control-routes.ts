// The OAuth test upstream's control routes (no auth, test-only): what it issued and saw, a one-shot
// 401, grant revocation, pre-registered clients and a reset. worker.ts documents the contract; tests
// reach them through ./control.ts.
import { issuedView, armRejectNext, requestsView, recordClient, resetSeen } from "./ledger.ts"
import { helpersFor, type Env } from "./provider.ts"
import { USER } from "./consent.ts"

type ClientRequest = { redirectUris?: unknown; confidential?: unknown; name?: unknown }

/** A JSON body that may be absent: `{}` then. */
const optionalJson = async (request: Request): Promise<Record<string, unknown>> => {
  const text = await request.text()
  return text === "" ? {} : (JSON.parse(text) as Record<string, unknown>)
}

const clientFilter = (value: unknown) => (typeof value === "string" ? value : undefined)

const revokeGrants = async (env: Env, origin: string, clientId: string | undefined) => {
  const helpers = helpersFor(origin, env)
  let revoked = 0
  let cursor: string | undefined
  do {
    const page = await helpers.listUserGrants(USER, cursor === undefined ? {} : { cursor })
    for (const grant of page.items) {
      if (clientId !== undefined && grant.clientId !== clientId) continue
      await helpers.revokeGrant(grant.id, USER)
      revoked++
    }
    cursor = page.cursor
  } while (cursor)
  return revoked
}

const createClient = async (env: Env, origin: string, body: ClientRequest) => {
  const { redirectUris, confidential = true, name } = body
  if (!Array.isArray(redirectUris) || !redirectUris.every((u) => typeof u === "string") || typeof confidential !== "boolean" || (name !== undefined && typeof name !== "string"))
    return Response.json({ error: "expected { redirectUris: string[], confidential?: boolean, name?: string }" }, { status: 400 })
  const client = await helpersFor(origin, env).createClient({
    redirectUris,
    ...(name === undefined ? {} : { clientName: name }),
    // A confidential client may authenticate with client_secret_basic or client_secret_post.
    ...(confidential ? {} : { tokenEndpointAuthMethod: "none" })
  })
  recordClient(client.clientId, client.clientSecret)
  return Response.json({ clientId: client.clientId, ...(client.clientSecret === undefined ? {} : { clientSecret: client.clientSecret }) })
}

export const control = async (request: Request, env: Env): Promise<Response> => {
  const url = new URL(request.url)
  const clientId = clientFilter(url.searchParams.get("clientId"))
  switch (`${request.method} ${url.pathname}`) {
    case "GET /control/issued":
      return Response.json(issuedView(clientId))
    case "GET /control/requests":
      return Response.json(requestsView(clientId))
    case "POST /control/reject-next":
      armRejectNext(clientFilter((await optionalJson(request)).clientId))
      return Response.json({ armed: true })
    case "POST /control/revoke-grants":
      return Response.json({ revoked: await revokeGrants(env, url.origin, clientFilter((await optionalJson(request)).clientId)) })
    case "POST /control/clients":
      return createClient(env, url.origin, (await optionalJson(request)) as ClientRequest)
    case "POST /control/reset":
      resetSeen()
      return Response.json({ reset: true })
    default:
      return new Response("not found", { status: 404 })
  }
}
