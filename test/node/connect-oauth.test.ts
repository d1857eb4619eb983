// `berth connect` with no BERTH_AGENT_KEY signs in with OAuth 2.1: the adapter registers under the
// local client's own name, opens the browser (here $BROWSER is a script that hands the URL to a real
// chromium driven by Playwright), a member approves on the consent page, and the adapter's loopback
// listener takes the code. The tokens are cached in a private file, reused by the next session without
// the browser, and refreshed when the plane refuses the access token.
import { chmodSync, existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { Client } from "@modelcontextprotocol/client"
import { StdioClientTransport } from "@modelcontextprotocol/client/stdio"
import type { Browser } from "playwright-core"
import { afterAll, beforeAll, expect, inject, it } from "vitest"
import { launchBrowser } from "./browser.ts"
import { adminRpc, startPlane } from "./plane.ts"

let plane: Awaited<ReturnType<typeof startPlane>>
let browser: Browser
beforeAll(async () => {
  ;[plane, browser] = await Promise.all([startPlane(), launchBrowser()])
})
afterAll(async () => {
  await browser?.close()
  await plane?.stop()
})

const admin = (body: Record<string, unknown>) => adminRpc(plane, body)

/** A home for the adapter: its config directory, and a $BROWSER that writes the URL it is given to a file. */
const home = () => {
  const dir = mkdtempSync(join(tmpdir(), "berth-connect-home-"))
  const opener = join(dir, "browser.sh")
  writeFileSync(opener, `#!/bin/sh\nprintf '%s' "$1" > "${dir}/opened-url"\n`)
  chmodSync(opener, 0o755)
  return { dir, opener, opened: join(dir, "opened-url"), tokens: join(dir, "config", "berth", "connect.json") }
}

const stdioClient = (slug: string, h: ReturnType<typeof home>) => {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [resolve(import.meta.dirname, "../../bin/berth.js"), "-w", slug, "connect"],
    env: { PATH: process.env.PATH!, HOME: process.env.HOME!, XDG_CONFIG_HOME: join(h.dir, "config"), BERTH_URL: plane.url, BROWSER: h.opener },
    stderr: "pipe"
  })
  let stderr = ""
  transport.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()))
  const client = new Client({ name: "Claude Desktop", version: "0.9.0" }, { versionNegotiation: { mode: { pin: "2026-07-28" } } })
  return { client, connected: client.connect(transport), stderr: () => stderr }
}

const waitForFile = async (path: string) => {
  const deadline = Date.now() + 30_000
  while (!existsSync(path)) {
    if (Date.now() > deadline) throw new Error(`nothing opened the browser (${path})`)
    await new Promise((r) => setTimeout(r, 100))
  }
  return readFileSync(path, "utf8")
}

it("signs in through the browser once, then reuses and refreshes the cached tokens", async () => {
  const slug = `connect-oauth-${Date.now().toString(36)}`
  await admin({ _tag: "CreateWorkspace", workspace: slug })
  await admin({ _tag: "AddMember", workspace: slug, member: "ada@acme.dev", role: "admin" })
  await admin({ _tag: "InstallPlugin", workspace: slug, plugin: "everything", url: inject("everythingUrl"), transport: "streamable-http", auth: "none" })
  const h = home()

  // First session: the adapter gets a 401, registers, and opens the browser; the member approves.
  const first = stdioClient(slug, h)
  const authorizationUrl = new URL(await waitForFile(h.opened))
  expect(authorizationUrl.origin + authorizationUrl.pathname).toBe(`${plane.url}/w/${slug}/authorize`)
  expect(authorizationUrl.searchParams.get("redirect_uri")).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback$/)
  const context = await browser.newContext()
  const page = await context.newPage()
  await page.goto(authorizationUrl.href)
  await page.getByLabel("Email").fill("ada@acme.dev")
  await page.getByRole("button", { name: "Sign in" }).click()
  await page.getByRole("button", { name: "Allow" }).waitFor()
  // The consent page names the local client, not the adapter.
  expect(await page.locator("main").innerText()).toContain(`Let Claude Desktop dock in ${slug}?`)
  await page.getByRole("button", { name: "Allow" }).click()
  await page.getByText("Signed in to Berth").waitFor()
  await context.close()
  await first.connected
  expect(await first.client.callTool({ name: "everything__echo", arguments: { message: "signed in" } })).toMatchObject({ content: [{ type: "text", text: "Echo: signed in" }] })
  await first.client.close()

  // The tokens are in a private file, and never on stderr.
  expect(statSync(h.tokens).mode & 0o777).toBe(0o600)
  const cached = JSON.parse(readFileSync(h.tokens, "utf8")) as Record<string, { tokens: { access_token: string; refresh_token: string } }>
  const entry = cached[`${plane.url}/w/${slug}/mcp Claude Desktop`]!
  expect(entry.tokens.refresh_token).toBeTruthy()
  expect(first.stderr()).not.toContain(entry.tokens.access_token)

  // Second session: no browser. Its access token is made stale first, so the plane refuses it and the adapter refreshes.
  entry.tokens.access_token = "stale-token"
  writeFileSync(h.tokens, JSON.stringify(cached))
  writeFileSync(h.opened, "")
  const second = stdioClient(slug, h)
  await second.connected
  expect(await second.client.callTool({ name: "everything__echo", arguments: { message: "again" } })).toMatchObject({ content: [{ type: "text", text: "Echo: again" }] })
  await second.client.close()
  expect(readFileSync(h.opened, "utf8")).toBe("")
  const refreshed = JSON.parse(readFileSync(h.tokens, "utf8"))[`${plane.url}/w/${slug}/mcp Claude Desktop`].tokens.access_token
  expect(refreshed).not.toBe("stale-token")

  // One agent, registered by the member's approval, made both calls.
  const { runs } = await admin({ _tag: "ListRuns", workspace: slug })
  expect(new Set(runs.map((r: { agent: string }) => r.agent)).size).toBe(1)
  expect(runs.map((r: { status: string }) => r.status)).toEqual(["ok", "ok"])
})
