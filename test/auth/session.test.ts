// The member session cookie: what it carries, what it refuses, and where it sends a browser that has none.
import { env } from "cloudflare:workers"
import { describe, expect, it } from "vitest"
import { readSession, safeReturnTo, SESSION_COOKIE, sessionCookie, signInUrl } from "../../src/auth/session.ts"
import { signValue } from "../../src/auth/signed-cookie.ts"

const SECRET = env.BERTH_SESSION_SECRET!

const withCookie = (value: string) => new Request("http://localhost:8787/", { headers: { cookie: `other=1; ${SESSION_COOKIE}=${value}` } })
const valueOf = (setCookie: string) => setCookie.slice(SESSION_COOKIE.length + 1).split(";")[0]!

describe("the session cookie", () => {
  it("is __Host-, HttpOnly, Secure, SameSite=Lax, Path=/, 12 hours, and names the member it was signed for", async () => {
    const header = await sessionCookie(SECRET, "ana@acme.dev")
    expect(header).toMatch(/^__Host-berth-session=[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+; Path=\/; HttpOnly; Secure; SameSite=Lax; Max-Age=43200$/)
    expect(await readSession(withCookie(valueOf(header)), env)).toEqual({ member: "ana@acme.dev" })
  })

  it("carries the member id and expiry in the clear, and refuses any change to them", async () => {
    const value = valueOf(await sessionCookie(SECRET, "ana@acme.dev"))
    const [payload, mac] = value.split(".") as [string, string]
    const claims = JSON.parse(atob(payload.replace(/-/g, "+").replace(/_/g, "/")))
    expect(claims).toEqual({ member: "ana@acme.dev", exp: expect.any(Number) })
    expect(claims.exp - Date.now() / 1000).toBeGreaterThan(12 * 3600 - 5)
    const forged = btoa(JSON.stringify({ ...claims, member: "boss@acme.dev" })).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_")
    expect(await readSession(withCookie(`${forged}.${mac}`), env)).toBeNull()
    expect(await readSession(withCookie(`${payload}.${mac.slice(1)}`), env)).toBeNull()
    expect(await readSession(withCookie(payload), env)).toBeNull()
  })

  it("is refused when expired, signed under another secret, or signed for another purpose", async () => {
    const payload = (exp: number) => JSON.stringify({ member: "ana@acme.dev", exp })
    const later = Math.floor(Date.now() / 1000) + 600
    expect(await readSession(withCookie(await signValue(SECRET, "session", payload(later))), env)).toEqual({ member: "ana@acme.dev" })
    expect(await readSession(withCookie(await signValue(SECRET, "session", payload(later - 1200))), env)).toBeNull()
    expect(await readSession(withCookie(await signValue("another-secret", "session", payload(later))), env)).toBeNull()
    expect(await readSession(withCookie(await signValue(SECRET, "oidc-flow", payload(later))), env)).toBeNull()
  })

  it("with no BERTH_SESSION_SECRET, nobody is signed in", async () => {
    const value = valueOf(await sessionCookie(SECRET, "ana@acme.dev"))
    expect(await readSession(withCookie(value), { ...env, BERTH_SESSION_SECRET: undefined })).toBeNull()
    expect(await readSession(new Request("http://localhost/"), env)).toBeNull()
  })
})

describe("signInUrl and return_to", () => {
  it("sends the browser to the sign-in page, to come back to this path and query", () => {
    const url = signInUrl(new Request("https://berth.example.com/w/acme/authorize?client_id=c&state=s%20t"))
    expect(url).toBe("https://berth.example.com/auth/sign-in?return_to=%2Fw%2Facme%2Fauthorize%3Fclient_id%3Dc%26state%3Ds%2520t")
    expect(new URL(url).searchParams.get("return_to")).toBe("/w/acme/authorize?client_id=c&state=s%20t")
  })

  it("keeps only same-origin paths", () => {
    const request = new Request("https://berth.example.com/auth/sign-in")
    expect(safeReturnTo(request, "/w/acme/authorize?x=1")).toBe("/w/acme/authorize?x=1")
    // Dot segments that parsing drops would leave `//evil.example`, which a browser follows off the plane.
    for (const evil of ["https://evil.example/", "//evil.example/x", "/\\evil.example", "/.//evil.example", "/..//evil.example/x", "/./\\evil.example", "/%2e//evil.example", "javascript:alert(1)", "evil", "", null])
      expect(safeReturnTo(request, evil)).toBe("/auth/sign-in")
  })
})
