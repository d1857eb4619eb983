// A handle on the OAuth test upstream (./worker.ts) for tests inside workerd: its MCP URL, its control
// routes, and its consent page driven over HTTP the way a user's browser would.
import { inject } from "vitest"

export type Issued = { accessTokens: string[]; refreshTokens: string[]; clientSecrets: string[]; clientIds: string[] }
export type Seen = {
  mcp: number
  tokenRequests: Array<{ grant_type: string; client_id: string; status: number }>
  bearers: string[]
  revocations: number
}
export type ConsentOptions = { ttl?: number; decision?: "allow" | "deny" }

// The page escapes the request JSON with numeric character references (consent.ts).
const unescapeHtml = (value: string) => value.replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)))

export const oauthUpstream = () => {
  const url = inject("oauthUpstreamUrl")
  const origin = new URL(url).origin
  const control = async (path: string, init?: RequestInit) => {
    const response = await fetch(new URL(`/control/${path}`, origin), init)
    if (!response.ok) throw new Error(`OAuth test upstream ${path}: ${response.status} ${await response.text()}`)
    return response.json()
  }
  const post = (path: string, body?: unknown) => control(path, { method: "POST", ...(body === undefined ? {} : { body: JSON.stringify(body) }) })
  const query = (clientId?: string) => (clientId === undefined ? "" : `?clientId=${encodeURIComponent(clientId)}`)
  return {
    url,
    origin,
    /** Every token and client secret the upstream issued (to `clientId`). */
    issued: (clientId?: string) => control(`issued${query(clientId)}`) as Promise<Issued>,
    /** What reached /mcp and /token (for `clientId`). */
    requests: (clientId?: string) => control(`requests${query(clientId)}`) as Promise<Seen>,
    /** The next /mcp request (bearing a token of `clientId`) is answered 401 invalid_token. */
    rejectNext: (clientId?: string) => post("reject-next", clientId === undefined ? undefined : { clientId }),
    /** Revokes test-user's grants (of `clientId`): their access and refresh tokens stop working. */
    revokeGrants: (clientId?: string) => post("revoke-grants", clientId === undefined ? undefined : { clientId }) as Promise<{ revoked: number }>,
    /** A pre-registered client; confidential (with a secret) unless told otherwise. */
    createClient: (client: { redirectUris: string[]; confidential?: boolean; name?: string }) =>
      post("clients", client) as Promise<{ clientId: string; clientSecret?: string }>,
    reset: () => post("reset"),
    /** GETs the consent page at `authorizationUrl`, POSTs its form back, and answers where the upstream redirects (the client's callback). */
    consent: async (authorizationUrl: string | URL, { ttl = 3600, decision = "allow" }: ConsentOptions = {}) => {
      const page = await fetch(authorizationUrl)
      const html = await page.text()
      const request = /name="request" value="([^"]*)"/.exec(html)?.[1]
      if (!page.ok || request === undefined) throw new Error(`OAuth test upstream consent page: ${page.status} ${html}`)
      const answer = await fetch(new URL("/authorize", origin), {
        method: "POST",
        body: new URLSearchParams({ request: unescapeHtml(request), ttl: String(ttl), decision }),
        redirect: "manual"
      })
      const location = answer.headers.get("location")
      if (answer.status !== 302 || location === null) throw new Error(`OAuth test upstream consent: ${answer.status} ${await answer.text()}`)
      return new URL(location)
    }
  }
}

export type OAuthUpstream = ReturnType<typeof oauthUpstream>
