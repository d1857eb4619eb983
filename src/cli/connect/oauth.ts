// `berth connect` signing in with OAuth 2.1 when no BERTH_AGENT_KEY is set: the SDK's transport does
// discovery from the endpoint's 401, dynamic registration, PKCE, the code exchange and refresh; this
// provider keeps what it learns and opens the browser. The redirect is a loopback listener on
// 127.0.0.1 (RFC 8252 §7.3). Registrations and tokens are cached per endpoint and local client in
// `${XDG_CONFIG_HOME:-~/.config}/berth/connect.json`, a private file (0600), and refreshed from there.
// The OAuth client is registered under the local client's own name, so the consent page and the
// workspace's allowlist see "Claude Desktop", not the adapter.
import { randomBytes } from "node:crypto"
import { existsSync, readFileSync } from "node:fs"
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import type { OAuthClientMetadata, OAuthClientProvider, StoredOAuthClientInformation, StoredOAuthTokens } from "@modelcontextprotocol/client"
import { openBrowser } from "../open-browser.ts"
import { configPath, writePrivateFile } from "../private-file.ts"

/** How long a sign-in waits for the browser to come back. */
const SIGN_IN_MS = 5 * 60_000

interface Cached {
  client?: StoredOAuthClientInformation
  tokens?: StoredOAuthTokens
}

const connectTokensPath = (env: Readonly<Record<string, string | undefined>>) => configPath(env, "connect.json")

const readCache = (path: string): Record<string, Cached> => {
  if (!existsSync(path)) return {}
  try {
    const parsed = JSON.parse(readFileSync(path, "utf8")) as unknown
    return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, Cached>) : {}
  } catch {
    // A file that does not parse is replaced on the next save; the sign-in starts over.
    return {}
  }
}

const page = (title: string, text: string) =>
  `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>${title}</title></head><body><main><h1>${title}</h1><p>${text}</p></main></body></html>\n`

export interface ConnectOAuth {
  readonly provider: OAuthClientProvider
  /** Waits for the browser's return after the provider redirected; the callback's query. */
  readonly authorize: () => Promise<URLSearchParams>
  /** Names the local client, whose registration and tokens are used from then on. */
  readonly forClient: (name: string) => void
  /** Stops the loopback listener. */
  readonly close: () => void
}

export const connectOAuth = (options: {
  readonly endpoint: URL
  readonly env: Readonly<Record<string, string | undefined>>
  readonly log: (line: string) => void
}): ConnectOAuth => {
  const path = connectTokensPath(options.env)
  let clientName = "berth connect"
  const key = () => `${options.endpoint.href} ${clientName}`
  const load = (): Cached => readCache(path)[key()] ?? {}
  const save = (change: Cached) => {
    const all = readCache(path)
    all[key()] = { ...all[key()], ...change }
    writePrivateFile(path, `${JSON.stringify(all, null, 2)}\n`)
  }

  // The loopback listener, up for the adapter's life (unref'd: it never keeps the process alive).
  let port = 0
  let expectedState = ""
  let deliver: ((params: URLSearchParams) => void) | undefined
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? "/", "http://127.0.0.1")
    if (request.method !== "GET" || url.pathname !== "/callback" || !deliver || url.searchParams.get("state") !== expectedState) {
      response.writeHead(404, { "content-type": "text/html; charset=utf-8" }).end(page("Not found", "This address only takes berth connect's return from the plane."))
      return
    }
    const ok = url.searchParams.get("error") === null
    response
      .writeHead(200, { "content-type": "text/html; charset=utf-8", "content-security-policy": "default-src 'none'", "cache-control": "no-store" })
      .end(ok ? page("Signed in to Berth", "You can close this tab; your MCP client is connected.") : page("Sign-in not completed", "The plane did not sign berth connect in."))
    deliver(url.searchParams)
    deliver = undefined
  })
  const listening = new Promise<void>((resolve) =>
    server.listen(0, "127.0.0.1", () => {
      port = (server.address() as AddressInfo).port
      resolve()
    })
  )
  server.unref()
  const redirectUrl = () => `http://127.0.0.1:${port}/callback`

  let verifier = ""
  const provider: OAuthClientProvider = {
    get redirectUrl() {
      return redirectUrl()
    },
    get clientMetadata(): OAuthClientMetadata {
      return {
        client_name: clientName,
        redirect_uris: [redirectUrl()],
        grant_types: ["authorization_code", "refresh_token"],
        response_types: ["code"],
        token_endpoint_auth_method: "none"
      }
    },
    state: () => (expectedState = randomBytes(16).toString("hex")),
    clientInformation: () => load().client,
    saveClientInformation: (client) => save({ client }),
    tokens: () => load().tokens,
    saveTokens: (tokens) => save({ tokens }),
    redirectToAuthorization: async (url) => {
      await listening
      options.log(`sign in to the workspace in your browser; if it did not open, visit ${url.href}`)
      openBrowser(url.href, options.env)
    },
    saveCodeVerifier: (v) => {
      verifier = v
    },
    codeVerifier: () => verifier,
    invalidateCredentials: (scope) => {
      if (scope === "all" || scope === "tokens") save({ tokens: undefined })
      if (scope === "all" || scope === "client") save({ client: undefined })
    }
  }

  let signingIn: Promise<URLSearchParams> | undefined
  const authorize = () =>
    (signingIn ??= new Promise<URLSearchParams>((resolve, reject) => {
      const timer = setTimeout(() => {
        deliver = undefined
        reject(new Error(`no sign-in came back within ${SIGN_IN_MS / 60_000} minutes`))
      }, SIGN_IN_MS)
      deliver = (params) => {
        clearTimeout(timer)
        const error = params.get("error")
        if (error) reject(new Error(`the sign-in was not completed: ${error}`))
        else resolve(params)
      }
    }).finally(() => (signingIn = undefined)))

  return {
    provider,
    authorize,
    forClient: (name) => {
      clientName = name.slice(0, 200)
    },
    close: () => {
      server.close()
      server.closeAllConnections()
    }
  }
}
