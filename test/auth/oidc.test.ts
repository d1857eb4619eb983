// OpenID Connect sign-in against the test OpenID provider (oidc-provider, test/global-setup.ts):
// the redirect the provider accepts, and the callbacks the plane refuses. The whole flow through a
// real browser is test/node/sign-in.test.ts.
import { createExecutionContext } from "cloudflare:test"
import { env } from "cloudflare:workers"
import { beforeAll, describe, expect, inject, it } from "vitest"
import worker from "../../src/worker.ts"

const PLANE = "http://localhost:8787"
const issuer = inject("oidcIssuer")
let bindings: typeof env

beforeAll(async () => {
  // The plane's client at the provider, registered for its callback the way an operator would.
  const registered = await fetch(`${issuer}/reg`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ redirect_uris: [`${PLANE}/auth/oidc/callback`], token_endpoint_auth_method: "client_secret_basic" })
  })
  const client = (await registered.json()) as { client_id: string; client_secret: string }
  bindings = { ...env, BERTH_OIDC_ISSUER: issuer, BERTH_OIDC_CLIENT_ID: client.client_id, BERTH_OIDC_CLIENT_SECRET: client.client_secret }
})

const plane = (path: string, init: RequestInit = {}) => worker.fetch(new Request(`${PLANE}${path}`, { redirect: "manual", ...init }), bindings, createExecutionContext())

const start = async (returnTo: string) => {
  const response = await plane(`/auth/oidc/start?return_to=${encodeURIComponent(returnTo)}`)
  const flowCookie = response.headers.get("set-cookie")!
  return { response, to: new URL(response.headers.get("location")!), flowCookie, cookie: flowCookie.split(";")[0]! }
}

describe("GET /auth/oidc/start", () => {
  it("sends the browser to the provider with PKCE (S256), state and nonce, remembered in a signed 10-minute cookie", async () => {
    const { response, to, flowCookie } = await start("/w/acme/authorize?client_id=x")
    expect(response.status).toBe(302)
    expect(to.origin + to.pathname).toBe(`${issuer}/auth`)
    const params = Object.fromEntries(to.searchParams)
    expect(params).toEqual({
      client_id: bindings.BERTH_OIDC_CLIENT_ID,
      redirect_uri: `${PLANE}/auth/oidc/callback`,
      response_type: "code",
      scope: "openid email",
      code_challenge: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      code_challenge_method: "S256",
      state: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      nonce: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/)
    })
    expect(flowCookie).toMatch(/^__Host-berth-oidc=[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+; Path=\/; HttpOnly; Secure; SameSite=Lax; Max-Age=600$/)
    expect(flowCookie).not.toContain(params.code_challenge!)
    // The provider takes the request: client, redirect URI and PKCE check out, and it asks the member to log in.
    const atProvider = await fetch(to, { redirect: "manual" })
    expect(atProvider.status).toBe(303)
    expect(atProvider.headers.get("location")).toMatch(/^\/interaction\//)
  })

  it("is refused when no provider is configured", async () => {
    const response = await worker.fetch(new Request(`${PLANE}/auth/oidc/start`), env, createExecutionContext())
    expect(response.status).toBe(503)
    expect(await response.text()).toContain("no OpenID Connect provider is configured")
  })
})

describe("GET /auth/oidc/callback refuses", () => {
  const refusal = async (response: Response) => {
    expect(response.headers.get("set-cookie")).toBeNull()
    return { status: response.status, text: await response.text() }
  }

  it("an answer to a sign-in this browser did not start", async () => {
    const { to } = await start("/")
    const answer = await refusal(await plane(`/auth/oidc/callback?code=abc&state=${to.searchParams.get("state")}`))
    expect(answer.status).toBe(400)
    expect(answer.text).toContain("this sign-in was not started in this browser, or took over 10 minutes; start again")
  })

  it("a state that is not the one sent", async () => {
    const { cookie } = await start("/")
    const answer = await refusal(await plane(`/auth/oidc/callback?code=abc&state=forged&iss=${encodeURIComponent(issuer)}`, { headers: { cookie } }))
    expect(answer.status).toBe(400)
    expect(answer.text).toContain("signing in with the OpenID provider failed:")
    expect(answer.text).toContain("&quot;state&quot;")
  })

  it("the provider's own error, said plainly", async () => {
    const { to, cookie } = await start("/")
    const state = to.searchParams.get("state")!
    const answer = await refusal(
      await plane(`/auth/oidc/callback?error=access_denied&error_description=${encodeURIComponent("<b>no</b>")}&state=${state}&iss=${encodeURIComponent(issuer)}`, {
        headers: { cookie }
      })
    )
    expect(answer.status).toBe(400)
    expect(answer.text).toContain("the provider answered access_denied: &lt;b&gt;no&lt;/b&gt;")
  })

  it("a code the provider never issued", async () => {
    const { to, cookie } = await start("/")
    const state = to.searchParams.get("state")!
    const answer = await refusal(await plane(`/auth/oidc/callback?code=made-up&state=${state}&iss=${encodeURIComponent(issuer)}`, { headers: { cookie } }))
    expect(answer.status).toBe(400)
    expect(answer.text).toContain("the provider answered invalid_grant")
    expect(answer.text).not.toContain(bindings.BERTH_OIDC_CLIENT_SECRET!)
  })
})
