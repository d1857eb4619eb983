/// <reference path="./oidc-provider-module.d.ts" />
// The test identity provider: panva's oidc-provider, a real OpenID provider, on loopback in Node.
// Started once per run by test/global-setup.ts. Its built-in dev interactions show a login form that
// takes any name: the name is the account, and the account's email is that name. A name that starts
// with `unverified` gets `email_verified: false`, to test that the plane refuses it.
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import Provider from "oidc-provider"

export const startOidcProvider = async () => {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  // Its warnings that the in-memory store, keys and dev interactions are for development only are
  // this provider's whole point; any other warning still shows.
  const warn = console.warn
  console.warn = (...args: Array<unknown>) => void (String(args[0]).includes("development-only") || warn(...args))
  let provider: Provider
  try {
    provider = new Provider(issuer, {
      // Dynamic registration lets each test register a plane's callback once the plane's port is known.
      features: { devInteractions: { enabled: true }, registration: { enabled: true } },
      claims: { openid: ["sub"], email: ["email", "email_verified"] },
      ttl: { Interaction: 600, Session: 3600, Grant: 3600, AccessToken: 600, IdToken: 600 },
      findAccount: (_ctx, sub) => ({
        accountId: sub,
        claims: async () => ({ sub, email: sub, email_verified: !sub.startsWith("unverified") })
      })
    })
  } finally {
    console.warn = warn
  }
  server.on("request", provider.callback())
  return {
    issuer,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      })
  }
}

/** Registers a confidential client (client_secret_basic) for one plane's callback, as its operator would. */
export const registerOidcClient = async (issuer: string, redirectUri: string) => {
  const response = await fetch(`${issuer}/reg`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      redirect_uris: [redirectUri],
      grant_types: ["authorization_code"],
      response_types: ["code"],
      token_endpoint_auth_method: "client_secret_basic"
    })
  })
  if (!response.ok) throw new Error(`oidc-provider refused the registration: ${response.status} ${await response.text()}`)
  const client = (await response.json()) as { client_id: string; client_secret: string }
  return { clientId: client.client_id, clientSecret: client.client_secret }
}
