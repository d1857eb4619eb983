// The sign-in page and its neighbours as HTML: headers, structure, escaping, sign-out, and the page
// that says sign-in is off when BERTH_SESSION_SECRET is missing. The browser test is test/node/sign-in.test.ts.
import { createExecutionContext, SELF } from "cloudflare:test"
import { env } from "cloudflare:workers"
import { describe, expect, it } from "vitest"
import worker from "../../src/worker.ts"
import { sessionCookie } from "../../src/auth/session.ts"

const CSP = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

const signedInCookie = async (member: string) => (await sessionCookie(env.BERTH_SESSION_SECRET!, member)).split(";")[0]!

describe("GET /auth/sign-in", () => {
  it("is a plain page with a labelled email form, served with CSP and X-Frame-Options: DENY", async () => {
    const response = await SELF.fetch("http://localhost:8787/auth/sign-in?return_to=/w/acme/authorize%3Fclient_id%3Dc")
    expect(response.status).toBe(200)
    expect(Object.fromEntries(response.headers)).toMatchObject({
      "content-type": "text/html; charset=utf-8",
      "content-security-policy": CSP,
      "x-frame-options": "DENY",
      "x-content-type-options": "nosniff",
      "cache-control": "no-store"
    })
    const page = await response.text()
    expect(page).toMatch(/^<!doctype html>\n<html lang="en">/)
    expect(page).toContain("<title>Sign in to Berth · Berth</title>")
    expect(page).toContain("<h1>Sign in to Berth</h1>")
    expect(page).toContain('<h2 id="local-heading">Local sign-in</h2>')
    expect(page).toContain('<form method="post" action="/auth/local">')
    expect(page).toContain('<input type="hidden" name="return_to" value="/w/acme/authorize?client_id=c">')
    expect(page).toContain('<label for="email">Email</label>')
    expect(page).toContain('<input id="email" name="email" type="email" autocomplete="email" required')
    expect(page).not.toContain("<script")
    expect(page).not.toContain(env.BERTH_SESSION_SECRET!)
    const css = await SELF.fetch("http://localhost:8787/auth/page.css")
    expect(css.headers.get("content-type")).toBe("text/css; charset=utf-8")
    expect(await css.text()).toContain(":focus-visible")
  })

  it("escapes what it echoes", async () => {
    const response = await SELF.fetch(`http://localhost:8787/auth/sign-in?return_to=${encodeURIComponent('/x?"><script>alert(1)</script>')}`)
    const page = await response.text()
    expect(page).not.toContain("<script>")
    expect(page).toContain('value="/x?%22%3E%3Cscript%3Ealert(1)%3C/script%3E"')
    const member = '<img src=x onerror=alert(1)>@acme.dev'
    const signedIn = await SELF.fetch("http://localhost:8787/auth/sign-in", { headers: { cookie: await signedInCookie(member) } })
    const text = await signedIn.text()
    expect(text).toContain("<strong>&lt;img src=x onerror=alert(1)&gt;@acme.dev</strong>")
    expect(text).not.toContain("<img")
  })

  it("says who is signed in, and signs out only from its own page", async () => {
    const cookie = await signedInCookie("ana@acme.dev")
    const page = await (await SELF.fetch("http://localhost:8787/auth/sign-in?return_to=/auth/session", { headers: { cookie } })).text()
    expect(page).toContain("<h1>Signed in</h1>")
    expect(page).toContain("You are signed in as <strong>ana@acme.dev</strong>.")
    expect(page).toContain('<a class="button" href="/auth/session">Continue</a>')
    expect(page).toContain('<form method="post" action="/auth/sign-out"><button type="submit">Sign out</button></form>')
    expect(await (await SELF.fetch("http://localhost:8787/auth/session", { headers: { cookie } })).json()).toEqual({ member: "ana@acme.dev" })

    const crossSite = await SELF.fetch("http://localhost:8787/auth/sign-out", {
      method: "POST",
      headers: { cookie, origin: "https://evil.example" },
      redirect: "manual"
    })
    expect(crossSite.status).toBe(403)
    expect(crossSite.headers.get("set-cookie")).toBeNull()

    const signOut = await SELF.fetch("http://localhost:8787/auth/sign-out", {
      method: "POST",
      headers: { cookie, origin: "http://localhost:8787" },
      redirect: "manual"
    })
    expect(signOut.status).toBe(303)
    expect(signOut.headers.get("location")).toBe("/auth/sign-in")
    expect(signOut.headers.get("set-cookie")).toBe("__Host-berth-session=; Path=/; HttpOnly; Secure; SameSite=Lax; Max-Age=0")
  })

  it("with no BERTH_SESSION_SECRET, every way in is a page that names it", async () => {
    const unsigned = { ...env, BERTH_SESSION_SECRET: undefined }
    const requests = [
      new Request("http://localhost:8787/auth/sign-in"),
      new Request("http://localhost:8787/auth/local"),
      new Request("http://localhost:8787/auth/local", {
        method: "POST",
        headers: { origin: "http://localhost:8787", "content-type": "application/x-www-form-urlencoded" },
        body: "email=ana%40acme.dev"
      }),
      new Request("http://localhost:8787/auth/oidc/start")
    ]
    const withOidc = { ...unsigned, BERTH_OIDC_ISSUER: "https://id.example.com", BERTH_OIDC_CLIENT_ID: "c", BERTH_OIDC_CLIENT_SECRET: "s" }
    for (const request of requests) {
      const response = await worker.fetch(request, withOidc, createExecutionContext())
      expect(response.status).toBe(503)
      expect(response.headers.get("set-cookie")).toBeNull()
      const page = await response.text()
      expect(page).toContain("<h1>Cannot sign in</h1>")
      expect(page).toContain("sign-in is off: this plane has no BERTH_SESSION_SECRET to sign sessions with.")
    }
  })

  it("answers 405 to a wrong method and 404 to an unknown path", async () => {
    const wrong = await SELF.fetch("http://localhost:8787/auth/sign-out")
    expect(wrong.status).toBe(405)
    expect(wrong.headers.get("allow")).toBe("POST")
    expect((await SELF.fetch("http://localhost:8787/auth/nothing")).status).toBe(404)
    expect(await (await SELF.fetch("http://localhost:8787/auth/session")).json()).toEqual({ member: null })
  })
})
