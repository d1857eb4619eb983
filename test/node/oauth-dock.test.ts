// An MCP client docks with OAuth 2.1 from the endpoint URL alone: the v2 SDK client's own OAuth
// support does discovery, registration (a client ID metadata document, then dynamic registration),
// PKCE and the token exchange; a member signs in and clicks Allow in a real browser; then the client
// calls a tool of server-everything through the workspace. The consent page's screenshot goes to
// docs/screenshots/, where docs/auth.md shows it.
import { once } from "node:events"
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import {
  Client,
  type OAuthClientProvider,
  StreamableHTTPClientTransport,
  UnauthorizedError
} from "@modelcontextprotocol/client"
import type { Browser } from "playwright-core"
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest"
import { launchBrowser } from "./browser.ts"
import { adminRpc, startPlane } from "./plane.ts"

const SCREENSHOTS = "docs/screenshots"

// A client ID metadata document lives on the client's own https host. None can exist on this
// machine, so the plane's outbound fetch for this one URL is answered here (plane.ts `outbound`);
// the plane fetches, validates and caches it exactly as it would from the internet.
const CIMD_URL = "https://agents.example.com/berth-test/client.json"

let plane: Awaited<ReturnType<typeof startPlane>>
let browser: Browser
let callback: Server
let redirectUrl: string
let waitForCode: () => Promise<URLSearchParams>

const cimdDocument = () => ({
  client_id: CIMD_URL,
  client_name: "Metadata Agent",
  client_uri: "https://agents.example.com",
  redirect_uris: [redirectUrl],
  grant_types: ["authorization_code", "refresh_token"],
  response_types: ["code"],
  token_endpoint_auth_method: "none"
})

const admin = (body: Record<string, unknown>) => adminRpc(plane, body)

beforeAll(async () => {
  callback = createServer()
  callback.listen(0, "127.0.0.1")
  await once(callback, "listening")
  redirectUrl = `http://127.0.0.1:${(callback.address() as AddressInfo).port}/callback`
  waitForCode = () =>
    new Promise((resolve) =>
      callback.once("request", (request, response) => {
        response.end("You can close this window.")
        resolve(new URL(request.url!, redirectUrl).searchParams)
      })
    )
  plane = await startPlane({
    outbound: (request) =>
      request.url === CIMD_URL
        ? Response.json(cimdDocument(), { headers: { "cache-control": "no-store" } })
        : undefined
  })
  browser = await launchBrowser()
})

afterAll(async () => {
  await browser?.close()
  await plane?.stop()
  callback?.close()
})

/** The SDK's OAuth client, kept in memory; `clientMetadataUrl` makes it offer a metadata document. */
const provider = (clientName: string, clientMetadataUrl?: string) => {
  let client: any
  let tokens: any
  let verifier = ""
  let authorizationUrl: URL | undefined
  const p: OAuthClientProvider & { authorizationUrl: () => URL | undefined } = {
    get redirectUrl() {
      return redirectUrl
    },
    ...(clientMetadataUrl === undefined ? {} : { clientMetadataUrl }),
    get clientMetadata() {
      return {
        client_name: clientName,
        redirect_uris: [redirectUrl],
        grant_types: ["authorization_code", "refresh_token"],
        response_types: ["code"],
        token_endpoint_auth_method: "none"
      }
    },
    clientInformation: () => client,
    saveClientInformation: (info) => {
      client = info
    },
    tokens: () => tokens,
    saveTokens: (t) => {
      tokens = t
    },
    redirectToAuthorization: (url) => {
      authorizationUrl = url
    },
    saveCodeVerifier: (v) => {
      verifier = v
    },
    codeVerifier: () => verifier,
    authorizationUrl: () => authorizationUrl
  }
  return p
}

const connect = async (url: URL, authProvider: OAuthClientProvider) => {
  const client = new Client({ name: "oauth-dock-test", version: "1.0.0" }, { versionNegotiation: { mode: { pin: "2026-07-28" } } })
  const transport = new StreamableHTTPClientTransport(url, { authProvider })
  await client.connect(transport)
  return { client, transport }
}

/** The member's side, in the browser: sign in on the local form, read the consent page, click Allow. */
const consentInBrowser = async (authorizationUrl: URL, member: string, screenshot?: string) => {
  const context = await browser.newContext()
  const page = await context.newPage()
  try {
    await page.goto(authorizationUrl.href)
    // No session yet: the plane sends the browser to sign in, and back.
    await page.getByLabel("Email").fill(member)
    await page.getByRole("button", { name: "Sign in" }).click()
    await page.getByRole("button", { name: "Allow" }).waitFor()
    const text = await page.locator("main").innerText()
    if (screenshot) await page.screenshot({ path: `${SCREENSHOTS}/${screenshot}`, fullPage: true })
    const code = waitForCode()
    await page.getByRole("button", { name: "Allow" }).click()
    return { text, params: await code }
  } finally {
    await context.close()
  }
}

describe.each([
  ["a client ID metadata document", "Metadata Agent", CIMD_URL, "consent.png"],
  ["dynamic client registration", "Registered Agent", undefined, undefined]
] as const)("registered by %s", (_, clientName, metadataUrl, screenshot) => {
  it("starts from the endpoint URL, is approved in the browser, and calls a tool", async () => {
    const workspace = `dock-${metadataUrl ? "cimd" : "dcr"}-${Date.now().toString(36)}`
    await admin({ _tag: "CreateWorkspace", workspace })
    await admin({ _tag: "AddMember", workspace, member: "ada@acme.dev", role: "admin" })
    await admin({ _tag: "InstallPlugin", workspace, plugin: "everything", url: inject("everythingUrl"), transport: "streamable-http", auth: "none" })
    const endpoint = new URL(`${plane.url}/w/${workspace}/mcp`)
    const auth = provider(clientName, metadataUrl)

    // Unauthenticated: the SDK follows the 401 to the metadata, registers, and asks to redirect.
    await expect(connect(endpoint, auth)).rejects.toBeInstanceOf(UnauthorizedError)
    const authorizationUrl = auth.authorizationUrl()!
    expect(authorizationUrl.origin + authorizationUrl.pathname).toBe(`${plane.url}/w/${workspace}/authorize`)
    const clientId = authorizationUrl.searchParams.get("client_id")!
    if (metadataUrl) expect(clientId).toBe(metadataUrl)
    else expect(clientId).not.toMatch(/^https:/)
    expect(authorizationUrl.searchParams.get("resource")).toBe(endpoint.href)

    const { text, params } = await consentInBrowser(authorizationUrl, "ada@acme.dev", screenshot)
    expect(text).toContain(`Let ${clientName} dock in ${workspace}?`)
    expect(text).toContain("Signed in as ada@acme.dev")
    expect(text).toContain(redirectUrl)
    expect(text).toContain(metadataUrl ? "published at agents.example.com" : "registered itself (dynamic client registration)")
    expect(params.get("iss")).toBe(`${plane.url}/w/${workspace}`)

    // The code comes back to the client, which finishes the exchange and docks.
    const first = new StreamableHTTPClientTransport(endpoint, { authProvider: auth })
    await first.finishAuth(params.get("code")!, params.get("iss") ?? undefined)
    const { client } = await connect(endpoint, auth)
    const tools = await client.listTools()
    expect(tools.tools.map((t) => t.name)).toContain("everything__echo")
    const echoed = await client.callTool({ name: "everything__echo", arguments: { message: "docked" } })
    expect(echoed.content).toEqual([{ type: "text", text: "Echo: docked" }])
    await client.close()

    const events = (await admin({ _tag: "ListEvents", workspace, limit: 1000 })).events as Array<any>
    const registered = events.find((e) => e.type === "AgentRegistered")
    expect(registered).toMatchObject({ actor: { type: "member", id: "ada@acme.dev" }, data: { via: "oauth", clientId, clientName, owner: "ada@acme.dev" } })
    const runs = (await admin({ _tag: "ListRuns", workspace })).runs as Array<any>
    expect(runs.map((r) => [r.agent, r.tool, r.status])).toEqual([[registered.data.agent, "everything__echo", "ok"]])
  })
})

describe("the consent page in the browser, refusing", () => {
  it("a client the allowlist excludes is refused before consent, with the command that would let it in; a viewer may not approve", async () => {
    const workspace = `dock-refused-${Date.now().toString(36)}`
    await admin({ _tag: "CreateWorkspace", workspace })
    await admin({ _tag: "AddMember", workspace, member: "ada@acme.dev", role: "admin" })
    await admin({ _tag: "AddMember", workspace, member: "vic@acme.dev", role: "viewer" })
    await admin({ _tag: "SetBotRule", workspace, match: "Claude*", effect: "allow" })
    const endpoint = new URL(`${plane.url}/w/${workspace}/mcp`)
    const auth = provider("Scraper Bot")
    await expect(connect(endpoint, auth)).rejects.toBeInstanceOf(UnauthorizedError)

    const context = await browser.newContext()
    const page = await context.newPage()
    try {
      await page.goto(auth.authorizationUrl()!.href)
      await page.getByLabel("Email").fill("ada@acme.dev")
      await page.getByRole("button", { name: "Sign in" }).click()
      await expect(page.getByRole("heading", { level: 1 }).textContent()).resolves.toBe("Client not allowed")
      const text = await page.locator("main").innerText()
      expect(text).toContain(`Scraper Bot may not dock in ${workspace}: it is not on the bot allowlist.`)
      expect(text).toContain(`berth -w ${workspace} bot allow 'Scraper Bot'`)
      expect(await page.getByRole("button", { name: "Allow" }).count()).toBe(0)
      await page.screenshot({ path: `${SCREENSHOTS}/consent-refused.png`, fullPage: true })
    } finally {
      await context.close()
    }
    const events = (await admin({ _tag: "ListEvents", workspace, limit: 1000 })).events as Array<any>
    expect(events.at(-1)).toMatchObject({ type: "ClientRefused", data: { at: "consent", clientName: "Scraper Bot", member: "ada@acme.dev" } })

    // With the client allowed, a viewer still may not let it in.
    await admin({ _tag: "SetBotRule", workspace, match: "Scraper*", effect: "allow" })
    const viewer = await browser.newContext()
    const viewerPage = await viewer.newPage()
    try {
      await viewerPage.goto(auth.authorizationUrl()!.href)
      await viewerPage.getByLabel("Email").fill("vic@acme.dev")
      await viewerPage.getByRole("button", { name: "Sign in" }).click()
      await expect(viewerPage.getByRole("heading", { level: 1 }).textContent()).resolves.toBe("Not allowed")
      expect(await viewerPage.locator("main").innerText()).toContain("Letting an agent dock needs the admin role")
      await viewerPage.screenshot({ path: `${SCREENSHOTS}/consent-not-allowed.png`, fullPage: true })
    } finally {
      await viewer.close()
    }
  })
})
