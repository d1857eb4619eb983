// The OAuth test upstream: an MCP server (./mcp.ts, tools `whoami` and `echo`) behind
// workers-oauth-provider (./provider.ts) as its authorization server, which test/global-setup.ts
// starts on loopback so Berth can be its OAuth client: discovery, registration, consent, code
// exchange, refresh and bearer calls, all real.
//
// OAuth routes (the provider's, except the consent page):
// - POST /mcp: the MCP endpoint; without a valid bearer, 401 `WWW-Authenticate: Bearer ...,
//   resource_metadata="<origin>/.well-known/oauth-protected-resource/mcp", scope="tools"`;
// - GET /.well-known/oauth-protected-resource/mcp: RFC 9728 metadata (resource `<origin>/mcp`); the
//   bare /.well-known/oauth-protected-resource serves the same document, for clients that try it;
// - GET /.well-known/oauth-authorization-server: RFC 8414 metadata, issuer `<origin>` (no slash);
// - POST /register (RFC 7591), POST /token (code, refresh and revocation);
// - GET /authorize: the consent page (./consent.ts); POST /authorize: its form, Allow or Deny.
// An access token lives `ttl` seconds, as chosen on the consent page, for the code and every refresh.
// The provider's floor is 60 s, so a shorter ttl is this Worker's doing: the token response says
// `expires_in: ttl` and /mcp answers 401 invalid_token once it has passed.
//
// Control routes (no auth, test-only; `clientId` narrows each to one client, since test files share
// this server):
// - GET /control/issued[?clientId=]: `{ accessTokens, refreshTokens, clientSecrets, clientIds }`,
//   every token and client secret ever issued (read from /token and /register answers, and
//   /control/clients), to search Berth's storage and outputs for leaks;
// - GET /control/requests[?clientId=]: `{ mcp, tokenRequests: [{ grant_type, client_id, status }],
//   bearers, revocations }`: /mcp requests (with a client filter, those whose bearer it was issued),
//   the grant requests at /token, the bearers /mcp saw in order, and revocation requests;
// - POST /control/reject-next [{ clientId }]: the next /mcp request (of that client's bearers) gets
//   401 invalid_token, valid token or not;
// - POST /control/revoke-grants [{ clientId }]: revokes test-user's grants (of that client), so their
//   tokens and refresh tokens stop working (a refresh then gets invalid_grant) → `{ revoked: n }`;
// - POST /control/clients `{ redirectUris, confidential = true, name? }`: a pre-registered client →
//   `{ clientId, clientSecret? }`;
// - POST /control/reset: zeroes /control/requests and drops a pending reject-next; KV stays.
// State lives in module memory: wrangler dev runs this Worker as one isolate.
import { control } from "./control-routes.ts"
import { admitMcp, recordClient, recordRevocation, recordTokenRequest, recordTokens } from "./ledger.ts"
import { type Env, helpersFor, type Props, providerFor } from "./provider.ts"

const PROTECTED_RESOURCE_METADATA = "/.well-known/oauth-protected-resource"

// A token this Worker refuses gets the provider's own 401 (RFC 6750 §3: invalid_token, with
// resource_metadata and scope): the request goes on with a bearer in the provider's token format
// that no grant ever had.
const refused = (request: Request) => {
  const headers = new Headers(request.headers)
  headers.set("authorization", "Bearer refused:by-the-test-upstream:x")
  return new Request(request, { headers })
}

const bearerOf = (request: Request) => /^Bearer (.+)$/i.exec(request.headers.get("authorization") ?? "")?.[1] ?? null

/** The client a token request speaks for: `client_id` in the form, or HTTP Basic (RFC 6749 §2.3.1, form-encoded). */
const clientOf = (request: Request, form: FormData) => {
  const basic = /^Basic (.+)$/i.exec(request.headers.get("authorization") ?? "")?.[1]
  if (basic) {
    try {
      return decodeURIComponent(atob(basic).split(":")[0]!.replace(/\+/g, " "))
    } catch {
      return ""
    }
  }
  return String(form.get("client_id") ?? "")
}

type TokenAnswer = { access_token?: string; refresh_token?: string; expires_in?: number }

// Records every token the provider hands out, and shortens `expires_in` to a ttl below its floor.
const token = async (request: Request, env: Env, forward: () => Promise<Response>) => {
  const form = await request.clone().formData().catch(() => undefined)
  const response = await forward()
  if (!form) return response
  const grantType = form.get("grant_type")
  if (grantType === null) {
    if (form.has("token")) recordRevocation()
    return response
  }
  const clientId = clientOf(request, form)
  recordTokenRequest({ grant_type: String(grantType), client_id: clientId, status: response.status })
  if (!response.ok) return response
  const answer = (await response.clone().json()) as TokenAnswer
  if (!answer.access_token) return response
  const summary = await helpersFor(new URL(request.url).origin, env).unwrapToken<Props>(answer.access_token)
  const ttl = summary?.grant.props.ttl
  const shortened = ttl !== undefined && answer.expires_in !== undefined && ttl < answer.expires_in
  recordTokens(clientId, { access: answer.access_token, refresh: answer.refresh_token, deadline: shortened ? Date.now() + ttl * 1000 : undefined })
  if (!shortened) return response
  return new Response(JSON.stringify({ ...answer, expires_in: ttl }), { status: response.status, headers: response.headers })
}

const register = async (forward: () => Promise<Response>) => {
  const response = await forward()
  if (response.ok) {
    const { client_id, client_secret } = (await response.clone().json()) as { client_id: string; client_secret?: string }
    recordClient(client_id, client_secret)
  }
  return response
}

export default {
  async fetch(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
    const url = new URL(request.url)
    if (url.pathname.startsWith("/control/")) return control(request, env)
    const provider = providerFor(url.origin)
    // A copy per request: the provider sets OAUTH_PROVIDER on the env it is handed, once, and each
    // origin's provider must set its own.
    const forward = (r: Request = request) => provider.fetch(r, { ...env }, ctx)
    switch (url.pathname) {
      case "/token":
        return token(request, env, () => forward())
      case "/register":
        return register(() => forward())
      // The provider serves RFC 9728 metadata only at the path-suffixed URL (RFC 9728 §3.1);
      // older clients look at the bare one first.
      case PROTECTED_RESOURCE_METADATA:
        return forward(new Request(new URL(`${PROTECTED_RESOURCE_METADATA}/mcp`, url), request))
      case "/mcp":
        if (request.method !== "OPTIONS" && !admitMcp(bearerOf(request))) return forward(refused(request))
        break
    }
    return forward()
  }
} satisfies ExportedHandler<Env>
