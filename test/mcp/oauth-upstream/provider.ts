// The OAuth test upstream's authorization server: workers-oauth-provider's combined OAuthProvider, one
// per origin. The provider wants its canonical resource (`<origin>/mcp`) at construction, and the
// port is only known once wrangler has bound it, so each origin gets its own instance on first use.
import { GrantType, getOAuthApi, type OAuthHelpers, OAuthProvider, type OAuthProviderOptions } from "@cloudflare/workers-oauth-provider"
import { consent } from "./consent.ts"
import { mcpApi } from "./mcp.ts"

export interface Env {
  OAUTH_KV: KVNamespace
  /** Set by the provider before it calls the default handler (the consent page). */
  OAUTH_PROVIDER: OAuthHelpers
}

/** What /authorize stores on the grant: the user, and the access-token lifetime chosen on the consent page. */
export type Props = { user: string; ttl: number }

/** The provider refuses shorter access-token lifetimes (Cloudflare KV's minimum expiration). */
export const PROVIDER_MIN_TTL = 60

const optionsFor = (origin: string): OAuthProviderOptions<Env> => ({
  apiRoute: "/mcp",
  apiHandler: mcpApi,
  defaultHandler: consent,
  authorizeEndpoint: "/authorize",
  tokenEndpoint: "/token",
  clientRegistrationEndpoint: "/register",
  scopesSupported: ["tools", "offline_access"],
  // The 401 challenge and the resource's metadata name it, so MCP clients ask for it (plus offline_access).
  requiredScopes: ["tools"],
  resourceMetadata: { resource: `${origin}/mcp`, authorization_servers: [origin], resource_name: "Berth OAuth test upstream" },
  // Both grants issue an access token living as long as the consent page chose, floored at what the
  // provider accepts; the worker enforces a shorter choice itself (see worker.ts). Refresh tokens
  // use the provider's default lifetime (30 days) and rotate on every refresh.
  tokenExchangeCallback: ({ grantType, props }) => {
    if (grantType !== GrantType.AUTHORIZATION_CODE && grantType !== GrantType.REFRESH_TOKEN) return
    return { accessTokenTTL: Math.max(PROVIDER_MIN_TTL, (props as Props).ttl) }
  }
})

const providers = new Map<string, { provider: OAuthProvider<Env>; options: OAuthProviderOptions<Env> }>()

const forOrigin = (origin: string) => {
  let entry = providers.get(origin)
  if (!entry) {
    const options = optionsFor(origin)
    providers.set(origin, (entry = { provider: new OAuthProvider(options), options }))
  }
  return entry
}

export const providerFor = (origin: string) => forOrigin(origin).provider

/** The provider's helpers outside its fetch (control routes, the token recorder). */
export const helpersFor = (origin: string, env: Env) => getOAuthApi(forOrigin(origin).options, env)
