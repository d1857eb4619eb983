// Local sign-in exists for the embedded default only. A deployed plane refuses it whatever its
// config says: the URL's host and CF-Connecting-IP decide, and on Cloudflare neither is loopback.
import { createExecutionContext, SELF } from "cloudflare:test"
import { env } from "cloudflare:workers"
import { describe, expect, it } from "vitest"
import worker from "../../src/worker.ts"
import { SESSION_COOKIE } from "../../src/auth/session.ts"

const WITH_OIDC = {
  ...env,
  BERTH_OIDC_ISSUER: "https://id.example.com",
  BERTH_OIDC_CLIENT_ID: "berth",
  BERTH_OIDC_CLIENT_SECRET: "oidc-client-secret-never-shown"
}
const CONFIGS = { "no OpenID provider": env, "an OpenID provider": WITH_OIDC }

const fetchWith = (bindings: typeof env, request: Request) => worker.fetch(request, bindings, createExecutionContext())

const post = (url: string, email: string, headers: Record<string, string> = {}) =>
  new Request(url, {
    method: "POST",
    headers: { origin: new URL(url).origin, "content-type": "application/x-www-form-urlencoded", ...headers },
    body: new URLSearchParams({ email, return_to: "/auth/session" }),
    redirect: "manual"
  })

const sessionOf = async (response: Response) => {
  const cookie = response.headers.get("set-cookie")?.split(";")[0]
  const answer = await SELF.fetch("http://localhost:8787/auth/session", { headers: cookie ? { cookie } : {} })
  return ((await answer.json()) as { member: string | null }).member
}

describe("a deployed plane refuses local sign-in", () => {
  for (const [config, bindings] of Object.entries(CONFIGS)) {
    it(`on its own host, with ${config}: no form, no session`, async () => {
      const form = await fetchWith(bindings, new Request("https://berth.example.com/auth/local"))
      expect(form.status).toBe(403)
      expect(await form.text()).toContain("local sign-in is only for a plane on this machine (npm start): berth.example.com is not a loopback host")

      const signedIn = await fetchWith(bindings, post("https://berth.example.com/auth/local", "ana@acme.dev"))
      expect(signedIn.status).toBe(403)
      expect(signedIn.headers.get("set-cookie")).toBeNull()

      const page = await fetchWith(bindings, new Request("https://berth.example.com/auth/sign-in"))
      const text = await page.text()
      expect(text).not.toContain('action="/auth/local"')
      expect(text).not.toContain('type="email"')
    })

    it(`at a loopback URL reached from a public client address, with ${config}`, async () => {
      for (const client of ["203.0.113.7", "2001:db8::1"]) {
        const refused = await fetchWith(bindings, post("http://localhost:8787/auth/local", "ana@acme.dev", { "cf-connecting-ip": client }))
        expect(refused.status).toBe(403)
        expect(refused.headers.get("set-cookie")).toBeNull()
        expect(await refused.text()).toContain(`the request came from ${client}, not from this machine`)
      }
    })
  }

  it("the deployed sign-in page offers only the OpenID provider, and says what to set when there is none", async () => {
    const withOidc = await fetchWith(WITH_OIDC, new Request("https://berth.example.com/auth/sign-in?return_to=/w/acme/authorize"))
    expect(withOidc.status).toBe(200)
    const page = await withOidc.text()
    expect(page).toContain('href="/auth/oidc/start?return_to=%2Fw%2Facme%2Fauthorize">Continue with id.example.com</a>')
    expect(page).not.toContain("oidc-client-secret-never-shown")

    const without = await fetchWith(env, new Request("https://berth.example.com/auth/sign-in"))
    expect(without.status).toBe(503)
    expect(await without.text()).toContain("set BERTH_OIDC_ISSUER and BERTH_OIDC_CLIENT_ID, and the secret BERTH_OIDC_CLIENT_SECRET")
  })
})

describe("the embedded default signs a member in by email", () => {
  for (const host of ["localhost:8787", "127.0.0.1:8787", "127.8.9.10", "[::1]:8787"])
    it(`at ${host}`, async () => {
      const response = await SELF.fetch(post(`http://${host}/auth/local`, " Ana@Acme.dev "))
      expect(response.status).toBe(303)
      expect(response.headers.get("location")).toBe("/auth/session")
      expect(response.headers.get("set-cookie")).toMatch(new RegExp(`^${SESSION_COOKIE}=[^;]+; Path=/; HttpOnly; Secure; SameSite=Lax; Max-Age=43200$`))
      expect(await sessionOf(response)).toBe("ana@acme.dev")
    })

  it("from a loopback client address, as wrangler dev reports one", async () => {
    for (const client of ["127.0.0.1", "::1", "::ffff:127.0.0.1"]) {
      const response = await SELF.fetch(post("http://localhost:8787/auth/local", "ana@acme.dev", { "cf-connecting-ip": client }))
      expect(response.status).toBe(303)
      expect(await sessionOf(response)).toBe("ana@acme.dev")
    }
  })

  it("only from the plane's own pages: a cross-origin or origin-less post is refused (login CSRF)", async () => {
    const crossSite = await SELF.fetch(post("http://localhost:8787/auth/local", "mallory@evil.example", { origin: "https://evil.example" }))
    expect(crossSite.status).toBe(403)
    expect(crossSite.headers.get("set-cookie")).toBeNull()
    expect(await crossSite.text()).toContain("this form must be posted from the plane&#39;s own pages, not from https://evil.example")

    const request = post("http://localhost:8787/auth/local", "mallory@evil.example")
    request.headers.delete("origin")
    const noOrigin = await SELF.fetch(request)
    expect(noOrigin.status).toBe(403)
    expect(noOrigin.headers.get("set-cookie")).toBeNull()
  })

  it("shows the form again with the error beside the field when the email is not one", async () => {
    const response = await SELF.fetch(post("http://localhost:8787/auth/local", "not an email"))
    expect(response.status).toBe(400)
    expect(response.headers.get("set-cookie")).toBeNull()
    const page = await response.text()
    expect(page).toContain('<p id="email-error" role="alert">enter an email address, like ana@example.com</p>')
    expect(page).toContain('aria-invalid="true"')
  })

  it("returns only to a path on the plane", async () => {
    const request = new Request("http://localhost:8787/auth/local", {
      method: "POST",
      headers: { origin: "http://localhost:8787", "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ email: "ana@acme.dev", return_to: "https://evil.example/" }),
      redirect: "manual"
    })
    const response = await SELF.fetch(request)
    expect(response.status).toBe(303)
    expect(response.headers.get("location")).toBe("/auth/sign-in")
  })
})
