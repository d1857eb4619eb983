// The bot allowlist: its rule order, and its refusals at the MCP endpoint (both protocol eras) and at
// the consent page, each recorded, each naming the command that would let the client in.
import { describe, expect, it } from "vitest"
import { initialState } from "../../projections/state.ts"
import { admits, allowCommand } from "../../src/bots/allowlist.ts"
import { ok, rpc } from "../admin/rpc-client.ts"
import { SELF } from "cloudflare:test"
import { dockedWorkspace, type Era, mcpClient } from "../mcp/berth-client.ts"
import { authorizationUrl, discover, dockWithOAuth, memberCookie, openConsent, ORIGIN, register } from "../oauth/oauth-flow.ts"
import { eventCount, freshSlug } from "../workspace/workspace-client.ts"

const rules = (entries: Record<string, "allow" | "deny">) =>
  Object.fromEntries(Object.entries(entries).map(([match, effect]) => [match, { effect, setAt: "t" }]))

describe("admits", () => {
  const claude = { name: "Claude Code", clientId: "https://claude.ai/oauth/client.json" }
  it("with no rules every client docks", () => expect(admits(initialState.botRules, claude)).toEqual({ admitted: true }))
  it("name patterns match case-insensitively, * standing for anything", () => {
    expect(admits(rules({ "claude*": "allow" }), claude)).toEqual({ admitted: true })
    expect(admits(rules({ "cursor*": "allow" }), claude)).toEqual({ admitted: false })
    expect(admits(rules({ "claude": "allow" }), claude)).toEqual({ admitted: false })
    // Regex characters in a rule are literal.
    expect(admits(rules({ "Claude.Code": "allow" }), claude)).toEqual({ admitted: false })
  })
  it("a client id URL matches that client exactly, never its name", () => {
    expect(admits(rules({ "https://claude.ai/oauth/client.json": "allow" }), claude)).toEqual({ admitted: true })
    expect(admits(rules({ "https://claude.ai/oauth/client.json": "allow" }), { name: "https://claude.ai/oauth/client.json" })).toEqual({ admitted: false })
  })
  it("a matching deny wins over any allow, and names itself", () => {
    expect(admits(rules({ "*": "allow", "claude code": "deny" }), claude)).toEqual({ admitted: false, rule: "claude code" })
  })
  it("the refusal names the command that lets the client in", () => {
    expect(allowCommand("acme", claude, { admitted: false })).toBe("berth -w acme bot allow 'https://claude.ai/oauth/client.json'")
    expect(allowCommand("acme", { name: "bot" }, { admitted: false })).toBe("berth -w acme bot allow 'bot'")
    expect(allowCommand("acme", claude, { admitted: false, rule: "claude*" })).toBe("berth -w acme bot remove 'claude*'")
  })
})

describe.each<Era>(["legacy", "modern"])("at the MCP endpoint (%s)", (era) => {
  it("a client the list excludes is refused with the command that would allow it, and the refusal is recorded", async () => {
    const { slug, key } = await dockedWorkspace()
    await ok({ _tag: "SetBotRule", workspace: slug, match: "claude*", effect: "allow" })
    const before = await eventCount(slug)
    const refused = mcpClient(slug, key, era).then(async (client) => {
      // The 2026-07-28 client sends its name with each request; the 2025 one with initialize.
      await client.listTools()
      return client
    })
    // The 2026-07-28 client reports a refused version probe as a 403 with the body attached.
    const error = (await refused.then(() => expect.fail("the client docked"), (e: unknown) => e)) as { message: string; data?: unknown }
    expect(`${error.message} ${JSON.stringify(error.data ?? {})}`).toContain(`berth -w ${slug} bot allow 'berth-test-agent'`)
    const log = (await ok({ _tag: "ListEvents", workspace: slug, from: before + 1 })).events as Array<any>
    expect(log.map((e) => e.type)).toEqual(["ClientRefused"])
    expect(log[0]).toMatchObject({
      actor: { type: "agent", id: "bot" },
      data: { at: "mcp", clientName: "berth-test-agent", clientVersion: "1.0.0", agent: "bot" }
    })
    expect(log[0].data.rule).toBeUndefined()

    // Allowed by name, the same client docks and calls.
    await ok({ _tag: "SetBotRule", workspace: slug, match: "berth-test-*", effect: "allow" })
    const client = await mcpClient(slug, key, era)
    expect((await client.callTool({ name: "up__echo", arguments: { text: "in" } })).content).toEqual([{ type: "text", text: "echo: in" }])
    await client.close()
  })
})

describe("an OAuth agent's client at the MCP endpoint", () => {
  it("is checked on every request, by the client it docked with, even one that says nothing of its client", async () => {
    const slug = freshSlug("bots")
    await ok({ _tag: "CreateWorkspace", workspace: slug })
    await ok({ _tag: "AddMember", workspace: slug, member: "ada@acme.dev", role: "admin" })
    const { tokens } = await dockWithOAuth(slug, "ada@acme.dev", "Research Bot")
    // No initialize and no client info: a 2025-era request without a session, and a 2026-07-28 one without _meta.
    const bare = (modern: boolean) =>
      SELF.fetch(`${ORIGIN}/w/${slug}/mcp`, {
        method: "POST",
        headers: {
          authorization: `Bearer ${tokens.access_token}`,
          "content-type": "application/json",
          accept: "application/json, text/event-stream",
          ...(modern ? { "mcp-protocol-version": "2026-07-28", "mcp-method": "tools/list" } : {})
        },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" })
      })
    expect((await bare(false)).status).toBe(200)
    await ok({ _tag: "SetBotRule", workspace: slug, match: "research*", effect: "deny" })
    const before = await eventCount(slug)
    for (const modern of [false, true]) {
      const refused = await bare(modern)
      expect(refused.status).toBe(403)
      expect(((await refused.json()) as { error: { message: string } }).error.message).toContain(`berth -w ${slug} bot remove 'research*'`)
    }
    const log = (await ok({ _tag: "ListEvents", workspace: slug, from: before + 1 })).events as Array<any>
    expect(log.map((e) => [e.type, e.data.clientName, e.data.rule])).toEqual([
      ["ClientRefused", "Research Bot", "research*"],
      ["ClientRefused", "Research Bot", "research*"]
    ])
  })
})

describe("at the consent page", () => {
  it("a client the list excludes is refused before any consent, recorded with the member who was asked", async () => {
    const slug = freshSlug("bots")
    await ok({ _tag: "CreateWorkspace", workspace: slug })
    await ok({ _tag: "AddMember", workspace: slug, member: "ada@acme.dev", role: "admin" })
    await ok({ _tag: "SetBotRule", workspace: slug, match: "scraper*", effect: "deny" })
    const { resource, metadata } = await discover(slug)
    const clientId = await register(metadata, "Scraper Pro")
    const auth = await authorizationUrl(metadata, clientId, resource)
    const before = await eventCount(slug)
    const page = await openConsent(auth.url, await memberCookie("ada@acme.dev"))
    expect(page.status).toBe(403)
    expect(page.handle).toBeUndefined()
    expect(page.text).toContain("the bot rule &#39;scraper*&#39; excludes it")
    expect(page.text).toContain(`berth -w ${slug} bot remove &#39;scraper*&#39;`)
    const log = (await ok({ _tag: "ListEvents", workspace: slug, from: before + 1 })).events as Array<any>
    expect(log.map((e) => [e.type, e.actor, e.data])).toEqual([
      ["ClientRefused", { type: "member", id: "ada@acme.dev" }, { at: "consent", clientName: "Scraper Pro", clientId, member: "ada@acme.dev", rule: "scraper*" }]
    ])
  })

  it("the admin RPC cannot forge the consent page's answers or refusals", async () => {
    const slug = freshSlug("bots")
    await ok({ _tag: "CreateWorkspace", workspace: slug })
    for (const _tag of ["AuthorizeOAuthAgent", "DenyOAuthConsent", "RecordClientRefusal"]) {
      const answer = await rpc({ _tag, workspace: slug })
      expect(answer.status).toBe(400)
      expect(answer.body.error).toMatchObject({ _tag: "InvalidRequest", field: "_tag" })
    }
  })
})

describe("rules as commands", () => {
  it("set, replace, remove; removing a missing rule names it; nothing is appended for no change", async () => {
    const slug = freshSlug("bots")
    await ok({ _tag: "CreateWorkspace", workspace: slug })
    await ok({ _tag: "SetBotRule", workspace: slug, match: "a*", effect: "allow" })
    expect((await ok({ _tag: "SetBotRule", workspace: slug, match: "a*", effect: "allow" })).events).toEqual([])
    await ok({ _tag: "SetBotRule", workspace: slug, match: "a*", effect: "deny" })
    expect((await ok({ _tag: "GetState", workspace: slug })).state.botRules).toMatchObject({ "a*": { effect: "deny" } })
    await ok({ _tag: "RemoveBotRule", workspace: slug, match: "a*" })
    const before = await eventCount(slug)
    const missing = await rpc({ _tag: "RemoveBotRule", workspace: slug, match: "a*" })
    expect(missing.status).toBe(404)
    expect(missing.body.error.message).toBe("the bot allowlist has no rule 'a*'")
    const blank = await rpc({ _tag: "SetBotRule", workspace: slug, match: " x", effect: "allow" })
    expect(blank.status).toBe(400)
    expect(blank.body.error.field).toBe("match")
    expect(await eventCount(slug)).toBe(before)
  })
})
