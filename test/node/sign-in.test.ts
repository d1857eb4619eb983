// Members sign in, in a real browser (Debian chromium through playwright-core) against a real plane:
// with the test OpenID provider (oidc-provider, started by test/global-setup.ts) and with the local
// form. Each page's screenshot goes to docs/screenshots/, where docs/auth.md shows it.
import type { Browser, Page } from "playwright-core"
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest"
import { freePort } from "../global-setup.ts"
import { launchBrowser } from "./browser.ts"
import { registerOidcClient } from "./oidc-provider.ts"
import { startPlane } from "./plane.ts"

const SCREENSHOTS = "docs/screenshots"
const issuer = inject("oidcIssuer")

let plane: Awaited<ReturnType<typeof startPlane>>
let browser: Browser
beforeAll(async () => {
  // The callback URL is registered at the provider before the plane starts, so the plane's port is chosen first.
  const port = await freePort()
  const client = await registerOidcClient(issuer, `http://127.0.0.1:${port}/auth/oidc/callback`)
  ;[plane, browser] = await Promise.all([startPlane({ port, oidc: { issuer, ...client } }), launchBrowser()])
})
afterAll(async () => {
  await browser?.close()
  await plane?.stop()
})

const signedInAs = async (page: Page) => {
  const answer = await page.request.get(`${plane.url}/auth/session`)
  return ((await answer.json()) as { member: string | null }).member
}

/** Logs in at oidc-provider's own dev pages: any login and password, then its consent. */
const logInAtProvider = async (page: Page, login: string) => {
  await page.locator('input[name="login"]').fill(login)
  await page.locator('input[name="password"]').fill("any password")
  await page.locator('button[type="submit"]').click()
  await page.locator('button[type="submit"]', { hasText: "Continue" }).click()
}

describe("sign in with the OpenID provider", () => {
  it("continues to the provider, logs in, consents, and lands back signed in with the verified email", async () => {
    const context = await browser.newContext()
    const page = await context.newPage()
    // As a deployed plane sees a browser: the client address is a public one, so no local form.
    await page.setExtraHTTPHeaders({ "cf-connecting-ip": "203.0.113.7" })
    await page.goto(`${plane.url}/auth/sign-in?return_to=/auth/session`)
    const host = new URL(issuer).host
    const continueLink = page.getByRole("link", { name: `Continue with ${host}` })
    await expect(continueLink.isVisible()).resolves.toBe(true)
    await expect(page.getByLabel("Email").count()).resolves.toBe(0)
    await page.screenshot({ path: `${SCREENSHOTS}/sign-in.png` })

    await continueLink.click()
    await page.waitForURL(`${issuer}/interaction/**`)
    await logInAtProvider(page, "Ana@Acme.dev")
    await page.waitForURL(`${plane.url}/auth/session`)
    expect(JSON.parse((await page.locator("body").textContent()) ?? "")).toEqual({ member: "ana@acme.dev" })
    // Cookies do not tell ports apart, so the provider's own cookies on 127.0.0.1 show up here too.
    const cookies = (await context.cookies(plane.url)).filter((c) => c.name.startsWith("__Host-berth"))
    expect(cookies.map((c) => ({ name: c.name, httpOnly: c.httpOnly, secure: c.secure, sameSite: c.sameSite, path: c.path }))).toEqual([
      { name: "__Host-berth-session", httpOnly: true, secure: true, sameSite: "Lax", path: "/" }
    ])
    await context.close()
  })

  it("refuses an email the provider has not verified, and signs nobody in", async () => {
    const context = await browser.newContext()
    const page = await context.newPage()
    await page.goto(`${plane.url}/auth/sign-in?return_to=/auth/session`)
    await page.getByRole("link", { name: /^Continue with / }).click()
    await page.waitForURL(`${issuer}/interaction/**`)
    await logInAtProvider(page, "unverified@acme.dev")
    await page.waitForURL(`${plane.url}/auth/oidc/callback**`)
    await expect(page.getByRole("heading", { level: 1 }).textContent()).resolves.toBe("Cannot sign in")
    await expect(page.getByRole("alert").textContent()).resolves.toBe(
      "the OpenID provider has not verified unverified@acme.dev; Berth signs in only verified email addresses"
    )
    await page.screenshot({ path: `${SCREENSHOTS}/sign-in-refused.png` })
    expect(await signedInAs(page)).toBeNull()
    await context.close()
  })
})

describe("sign in locally (the embedded default)", () => {
  it("types an email, is signed in, sees who, and signs out", async () => {
    const context = await browser.newContext()
    const page = await context.newPage()
    await page.goto(`${plane.url}/auth/local?return_to=/auth/sign-in`)
    await page.screenshot({ path: `${SCREENSHOTS}/local-sign-in.png` })
    // The label names the field, and the keyboard alone signs in.
    await page.getByLabel("Email").fill("ana@acme.dev")
    await page.keyboard.press("Enter")
    await page.waitForURL(`${plane.url}/auth/sign-in`)
    await expect(page.getByRole("heading", { level: 1 }).textContent()).resolves.toBe("Signed in")
    await expect(page.locator("strong").textContent()).resolves.toBe("ana@acme.dev")
    await page.screenshot({ path: `${SCREENSHOTS}/signed-in.png` })
    expect(await signedInAs(page)).toBe("ana@acme.dev")

    await page.getByRole("button", { name: "Sign out" }).click()
    await page.waitForURL(`${plane.url}/auth/sign-in`)
    await expect(page.getByRole("heading", { level: 1 }).textContent()).resolves.toBe("Sign in to Berth")
    expect(await signedInAs(page)).toBeNull()
    await context.close()
  })
})
