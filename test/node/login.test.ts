// `berth login`, `whoami` and `logout` end to end: the CLI prints the sign-in URL (no browser opens),
// chromium signs in with the local form and clicks Allow on the plane's consent page, and the CLI
// keeps the member's token in a 0600 file under XDG_CONFIG_HOME. No admin token in the CLI's env.
import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import type { Browser } from "playwright-core"
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest"
import { run } from "../../src/cli/main.ts"
import { launchBrowser } from "./browser.ts"
import { startPlane } from "./plane.ts"

let plane: Awaited<ReturnType<typeof startPlane>>
let browser: Browser
beforeAll(async () => {
  ;[plane, browser] = await Promise.all([startPlane(), launchBrowser()])
})
afterAll(async () => {
  await browser?.close()
  await plane?.stop()
})

const berth = async (argv: ReadonlyArray<string>, env: Record<string, string>, onErr?: (all: string) => void) => {
  let out = ""
  let err = ""
  const code = await run(argv, {
    env,
    cwd: mkdtempSync(join(tmpdir(), "berth-login-cwd-")),
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: (s: string) => ((err += s), onErr?.(err)) }
  })
  return { code, out, err }
}

describe("berth login", () => {
  it("signs a member in through the browser, keeps the token 0600, refreshes it, and logs out", async () => {
    const admin = { BERTH_URL: plane.url, BERTH_ADMIN_TOKEN: plane.token }
    expect((await berth(["workspace", "create", "login-acme"], admin)).code).toBe(0)
    expect((await berth(["-w", "login-acme", "member", "add", "ana@acme.dev", "--role", "admin"], admin)).code).toBe(0)

    const config = mkdtempSync(join(tmpdir(), "berth-config-"))
    // BROWSER is a program that does nothing: the member follows the printed URL instead.
    const env = { BERTH_URL: plane.url, XDG_CONFIG_HOME: config, HOME: config, BROWSER: "true" }
    let printed: (url: string) => void = () => undefined
    const signInUrl = new Promise<string>((resolve) => (printed = resolve))
    const login = berth(["login"], env, (err) => {
      const match = /^ {2}(http:\/\/\S+\/authorize\?\S+)$/m.exec(err)
      if (match) printed(match[1]!)
    })

    const context = await browser.newContext()
    const page = await context.newPage()
    await page.goto(await signInUrl)
    // Not signed in: the plane's /authorize sends the browser to the sign-in page, which returns it there.
    await page.waitForURL(/\/auth\/sign-in\?return_to=%2Fauthorize%3F/)
    await page.getByLabel("Email").fill("ana@acme.dev")
    await page.getByRole("button", { name: "Sign in" }).click()
    await page.waitForURL(`${plane.url}/authorize?**`)
    await expect(page.getByRole("heading", { level: 1 }).textContent()).resolves.toBe("Sign in berth CLI as ana@acme.dev?")
    await page.screenshot({ path: "docs/screenshots/cli-consent.png", fullPage: true })
    await page.getByRole("button", { name: "Allow" }).click()
    await page.waitForURL(/^http:\/\/127\.0\.0\.1:\d+\/callback\?/)
    await expect(page.getByRole("heading", { level: 1 }).textContent()).resolves.toBe("Signed in to Berth")
    await context.close()

    const done = await login
    const path = join(config, "berth", "credentials.json")
    expect(done.code).toBe(0)
    expect(done.out).toBe(`signed in to ${plane.url} as ana@acme.dev (token kept in ${path})\n`)
    expect(done.err).toContain(`Sign in to ${plane.url} in your browser. If it did not open, open this URL:`)
    expect(done.err).toContain("Waiting for the browser to finish signing in (5:00 left; Ctrl-C to stop)")

    expect(statSync(join(config, "berth")).mode & 0o777).toBe(0o700)
    expect(statSync(path).mode & 0o777).toBe(0o600)
    const stored = JSON.parse(readFileSync(path, "utf8"))
    expect(Object.keys(stored)).toEqual([plane.url])
    const login1 = stored[plane.url]
    expect(login1).toEqual({
      clientId: expect.any(String),
      accessToken: expect.any(String),
      refreshToken: expect.any(String),
      expiresAt: expect.any(String),
      member: "ana@acme.dev"
    })
    expect(Date.parse(login1.expiresAt)).toBeGreaterThan(Date.now())
    for (const secret of [login1.accessToken, login1.refreshToken]) expect(done.out + done.err).not.toContain(secret)

    // The stored token is sent when BERTH_ADMIN_TOKEN is not set, and the member acts with their role.
    const who = await berth(["whoami"], env)
    expect(who).toEqual({ code: 0, out: "ana@acme.dev (member)\n", err: "" })
    const there = await berth(["whoami", "-w", "login-acme", "--json"], env)
    expect(JSON.parse(there.out)).toEqual({
      actor: { type: "member", id: "ana@acme.dev" },
      plane: false,
      workspace: "login-acme",
      role: "admin"
    })
    const members = await berth(["-w", "login-acme", "member", "list", "--json"], env)
    expect(JSON.parse(members.out).members.map((m: { member: string }) => m.member)).toEqual(["ana@acme.dev"])
    // The member's role decides: as a viewer, `plugin install` is Forbidden and appends nothing; as an
    // admin it succeeds, and the log names the member.
    const head = async () => JSON.parse((await berth(["-w", "login-acme", "verify", "--json"], admin)).out).count as number
    expect((await berth(["-w", "login-acme", "member", "role", "ana@acme.dev", "--role", "viewer"], admin)).code).toBe(0)
    const before = await head()
    const install = ["-w", "login-acme", "plugin", "install", "up", "--url", inject("upstreamUrl")]
    const refused = await berth(install, env)
    expect(refused.code).toBe(1)
    expect(refused.err).toContain("Forbidden")
    expect(refused.err).toContain("InstallPlugin needs an admin")
    expect(await head()).toBe(before)
    expect((await berth(["-w", "login-acme", "member", "role", "ana@acme.dev", "--role", "admin"], admin)).code).toBe(0)
    expect((await berth(install, env)).code).toBe(0)
    const installed = JSON.parse((await berth(["-w", "login-acme", "events", "--from", String(before + 2), "--json"], admin)).out.split("\n")[0]!)
    expect(installed).toMatchObject({ type: "PluginInstalled", actor: { type: "member", id: "ana@acme.dev" } })

    // BERTH_ADMIN_TOKEN comes first.
    expect((await berth(["whoami"], { ...env, BERTH_ADMIN_TOKEN: plane.token })).out).toBe("the admin (the plane's admin token)\n")

    // An expired token is renewed with the refresh token, and the file stays 0600.
    writeFileSync(path, JSON.stringify({ [plane.url]: { ...login1, expiresAt: new Date(Date.now() - 1000).toISOString() } }), { mode: 0o600 })
    const refreshed = await berth(["whoami"], env)
    expect(refreshed.out).toBe("ana@acme.dev (member)\n")
    const login2 = JSON.parse(readFileSync(path, "utf8"))[plane.url]
    expect(login2.accessToken).not.toBe(login1.accessToken)
    expect(Date.parse(login2.expiresAt)).toBeGreaterThan(Date.now())
    expect(statSync(path).mode & 0o777).toBe(0o600)

    const out = await berth(["logout"], env)
    expect(out).toEqual({ code: 0, out: `signed out of ${plane.url} (was ana@acme.dev); tokens revoked\n`, err: "" })
    expect(() => statSync(path)).toThrow()
    // The plane revoked the grant: its refresh token no longer works.
    const reuse = await fetch(`${plane.url}/oauth/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ grant_type: "refresh_token", refresh_token: login2.refreshToken, client_id: login2.clientId })
    })
    expect(reuse.status).toBe(400)
    expect(((await reuse.json()) as { error: string }).error).toBe("invalid_grant")
    // And its access token stops working at once: member tokens are checked at every request.
    const stale = await fetch(`${plane.url}/admin/rpc`, {
      method: "POST",
      headers: { authorization: `Bearer ${login2.accessToken}`, "content-type": "application/json" },
      body: JSON.stringify({ _tag: "WhoAmI" })
    })
    expect(stale.status).toBe(401)

    const after = await berth(["whoami"], env)
    expect(after.code).toBe(1)
    expect(after.err).toContain(`and berth login has not signed in to ${plane.url}`)
    expect(await berth(["logout"], env)).toMatchObject({ code: 0, out: `not signed in to ${plane.url} (nothing in ${path})\n` })
  })
})
