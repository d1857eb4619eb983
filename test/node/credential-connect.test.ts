// `berth credential connect` and `berth oauth-client` against a real plane and the OAuth test upstream
// (test/mcp/oauth-upstream: workers-oauth-provider in front of an MCP server). The CLI prints the
// authorization URL, a real browser (Debian's chromium) clicks Allow on the upstream's consent page,
// the redirect lands on the plane, and the CLI, polling, reports the credential connected. A granted
// agent then calls through it. No token, refresh token or client secret appears in anything the CLI
// printed, on either stream.
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client"
import type { Browser } from "playwright-core"
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest"
import { run } from "../../src/cli/main.ts"
import type { SecretSource } from "../../src/cli/io.ts"
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

const upstreamUrl = () => inject("oauthUpstreamUrl")
const upstreamOrigin = () => new URL(upstreamUrl()).origin
const printed: Array<string> = []

const piped = (text: string): SecretSource => ({ isTTY: false, read: async () => text, prompt: async () => expect.fail("piped stdin is not prompted") })

const berth = async (argv: ReadonlyArray<string>, options: { stdin?: SecretSource; onStderr?: (all: string) => void } = {}) => {
  let out = ""
  let err = ""
  const code = await run(argv, {
    env: { BERTH_URL: plane.url, BERTH_ADMIN_TOKEN: plane.token, BROWSER: "true" },
    cwd: mkdtempSync(join(tmpdir(), "berth-connect-cwd-")),
    stdout: { write: (s: string) => (out += s) },
    stderr: {
      write: (s: string) => {
        err += s
        options.onStderr?.(err)
      }
    },
    stdin: options.stdin ?? piped("")
  })
  printed.push(out, err)
  return { code, out, err }
}

/** Runs `argv` (a connect), and clicks `decision` on the consent page the printed URL opens. */
const connectInBrowser = async (argv: ReadonlyArray<string>, decision: "Allow" | "Deny" = "Allow") => {
  let seen: (url: string) => void = () => undefined
  const authorizationUrl = new Promise<string>((resolve) => (seen = resolve))
  const connecting = berth(argv, {
    onStderr: (err) => {
      const match = /^ {2}(http:\/\/\S+\/authorize\?\S+)$/m.exec(err)
      if (match) seen(match[1]!)
    }
  })
  const context = await browser.newContext()
  const page = await context.newPage()
  await page.goto(await authorizationUrl)
  await page.getByRole("button", { name: decision }).click()
  await page.waitForURL(`${plane.url}/oauth/callback/**`)
  const heading = await page.getByRole("heading", { level: 1 }).textContent()
  const body = await page.locator("body").textContent()
  await context.close()
  return { ...(await connecting), heading, body, authorizationUrl: await authorizationUrl }
}

/** Every secret the upstream issued to `clientId`: access and refresh tokens, and a registered client's secret. */
const issuedSecrets = async (clientId: string) => {
  const issued = (await (await fetch(`${upstreamOrigin()}/control/issued?clientId=${encodeURIComponent(clientId)}`)).json()) as {
    accessTokens: string[]
    refreshTokens: string[]
    clientSecrets: string[]
  }
  return [...issued.accessTokens, ...issued.refreshTokens, ...issued.clientSecrets]
}

const forms = (secret: string) => [secret, Buffer.from(secret).toString("base64"), Buffer.from(secret).toString("base64url"), encodeURIComponent(secret)]

describe("berth credential connect", () => {
  it("prints the URL, the browser consents, the CLI reports it connected; a granted agent calls through it", async () => {
    const ws = `connect-${Date.now().toString(36)}`
    await adminRpc(plane, { _tag: "CreateWorkspace", workspace: ws })
    const { key } = await adminRpc(plane, { _tag: "RegisterAgent", workspace: ws, agent: "bot" })
    // Before any credential exists the upstream answers 401: the plugin is recorded, undiscovered.
    const install = await berth(["-w", ws, "plugin", "install", "gh", "--url", upstreamUrl(), "--auth", "oauth"])
    expect(install.code).toBe(0)
    expect(install.out).toMatch(/^installed plugin gh \(.+\) \(seq \d+\)\nnot discovered yet: the upstream wants OAuth\. Connect a credential with 'berth credential connect <name> --plugin gh'/)

    const connected = await connectInBrowser(["-w", ws, "credential", "connect", "gh-oauth", "--plugin", "gh", "--no-browser"])
    expect(connected.heading).toBe("Connected")
    expect(connected.body).toContain("Credential 'gh-oauth' is connected for plugin 'gh'.")
    expect(connected.code).toBe(0)
    expect(connected.err).toContain(`Authorize gh-oauth for plugin gh at ${new URL(upstreamUrl()).host} in your browser. Open this URL:`)
    expect(connected.err).toContain("connecting gh-oauth")
    expect(connected.out).toBe("connected credential gh-oauth for plugin gh (OAuth); let calls carry it with: berth credential grant gh-oauth --plugin gh\n")

    const listed = JSON.parse((await berth(["-w", ws, "credential", "list", "--json"])).out)
    expect(listed.credentials).toEqual([expect.objectContaining({ credential: "gh-oauth", kind: "oauth", status: "active" })])
    expect((await berth(["-w", ws, "credential", "grant", "gh-oauth", "--plugin", "gh"])).code).toBe(0)
    const refreshed = await berth(["-w", ws, "plugin", "refresh", "gh"])
    expect(refreshed.code).toBe(0)
    expect(refreshed.out).toMatch(/^refreshed plugin gh: discovered 2 tools \(seq \d+\)\nfirst discovery: all approved\n$/)

    const client = new Client({ name: "connect-test-agent", version: "1.0.0" })
    await client.connect(new StreamableHTTPClientTransport(new URL(`${plane.url}/w/${ws}/mcp`), { requestInit: { headers: { authorization: `Bearer ${key}` } } }))
    expect((await client.listTools()).tools.map((t) => t.name).filter((name) => name.startsWith("gh__")).sort()).toEqual(["gh__echo", "gh__whoami"])
    expect((await client.callTool({ name: "gh__whoami", arguments: {} })).content).toEqual([{ type: "text", text: "test-user" }])
    await client.close()

    // A denied consent fails the command with the authorization server's answer, and connects nothing.
    const denied = await connectInBrowser(["-w", ws, "credential", "connect", "other", "--plugin", "gh", "--no-browser", "--json"], "Deny")
    expect(denied.heading).toBe("Not connected")
    expect(denied.code).toBe(1)
    // With --json the error is JSON too, on the last line of stderr.
    expect(JSON.parse(denied.err.trim().split("\n").at(-1)!)).toEqual({
      error: { _tag: "ConnectFailed", message: "credential 'other' was not connected: The authorization server answered access_denied." }
    })
    expect(JSON.parse((await berth(["-w", ws, "credential", "list", "--json"])).out).credentials).toHaveLength(1)

    const clientId = new URL(connected.authorizationUrl).searchParams.get("client_id")!
    const secrets = await issuedSecrets(clientId)
    expect(secrets.length).toBeGreaterThanOrEqual(3)
    const all = printed.join("\n")
    for (const secret of secrets) for (const form of forms(secret)) expect(all).not.toContain(form)
  })

  it("oauth-client set reads the secret from stdin only, lists its fingerprint, and connect uses the team's app", async () => {
    const ws = `oauthapp-${Date.now().toString(36)}`
    await adminRpc(plane, { _tag: "CreateWorkspace", workspace: ws })
    expect((await berth(["-w", ws, "plugin", "install", "gh", "--url", upstreamUrl(), "--auth", "oauth"])).code).toBe(0)
    const app = (await (
      await fetch(`${upstreamOrigin()}/control/clients`, {
        method: "POST",
        body: JSON.stringify({ redirectUris: [`${plane.url}/oauth/callback/${ws}/gh`], name: "acme's app" })
      })
    ).json()) as { clientId: string; clientSecret: string }

    // argv never carries a secret: there is no flag for one.
    // (Values as one argument: a generated id or secret may start with "-", which the parser would read as flags.)
    expect((await berth(["-w", ws, "oauth-client", "set", "gh", `--client-id=${app.clientId}`, `--client-secret=${app.clientSecret}`])).code).toBe(2)
    const set = await berth(["-w", ws, "oauth-client", "set", "gh", `--client-id=${app.clientId}`, "--client-secret-stdin"], { stdin: piped(`${app.clientSecret}\n`) })
    expect(set.err).toBe("")
    expect(set.code).toBe(0)
    expect(set.out).toMatch(
      new RegExp(`^configured OAuth client ${app.clientId} for plugin gh at http://127\\.0\\.0\\.1:\\d+ \\(secret fingerprint [0-9a-f]{32}\\) \\(seq \\d+: OAuthClientConfigured\\)\\n$`)
    )
    const listed = await berth(["-w", ws, "oauth-client", "list"])
    expect(listed.out.split("\n")[0]).toMatch(/^PLUGIN\s+CLIENT ID\s+AUTHORIZATION SERVER\s+SCOPES\s+SECRET$/)
    expect(listed.out).toContain(app.clientId)

    const connected = await connectInBrowser(["-w", ws, "credential", "connect", "team-app", "--plugin", "gh", "--no-browser"])
    expect(connected.code).toBe(0)
    expect(new URL(connected.authorizationUrl).searchParams.get("client_id")).toBe(app.clientId)

    const secrets = [app.clientSecret, ...(await issuedSecrets(app.clientId))]
    const all = printed.join("\n")
    for (const secret of secrets) for (const form of forms(secret)) expect(all).not.toContain(form)
  })
})
