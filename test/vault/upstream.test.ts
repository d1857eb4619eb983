// Credentials end to end, through the Worker, the Workspace object and the real test upstream
// (test/mcp/upstream, here told to answer 401 without a static token): discovery carries the
// plugin's team grant, a call carries the most specific grant's credential and never the agent's
// own key, a call with no grant is refused before it leaves and recorded as denied, the upstream
// span names the credential (id and fingerprint, never the value), pooled clients are keyed by
// credential, and after all of it no form of any secret is anywhere the plane keeps or says things.
import type { CallToolResult } from "@modelcontextprotocol/client"
import { describe, expect, it } from "vitest"
import { ok, rpc } from "../admin/rpc-client.ts"
import { mcpClient } from "../mcp/berth-client.ts"
import { testUpstream } from "../mcp/upstream/control.ts"
import { freshSlug, workspace } from "../workspace/workspace-client.ts"
import { hits, scanArchive, scanD1, scanWorkspaceSqlite } from "./secret-scan.ts"

const TOKEN = "ghp_upstreamBearer+/=9a8b7c"
const API_KEY = "sk-live_header/Key+=4d5e6f"
const BOT_TOKEN = "ghp_botOnly+/=1a2b3c"
const CI_TOKEN = "ghp_ciOnly+/=4d5e6f"

const text = (result: unknown) => ((result as CallToolResult).content[0] as { text: string }).text

const install = (slug: string, url: string, auth: "bearer" | "none" = "bearer") =>
  rpc({ _tag: "InstallPlugin", workspace: slug, plugin: "up", url, transport: "streamable-http", auth })

const setCredential = (slug: string, credential: string, value: string, extra: Record<string, unknown> = {}) =>
  ok({ _tag: "SetCredential", workspace: slug, credential, plugin: "up", kind: "bearer", value, ...extra })

const runsOf = async (slug: string) => (await ok({ _tag: "ListRuns", workspace: slug })).runs as Array<{ run: string; agent: string; status: string }>

describe("a bearer-protected upstream", () => {
  it("is reached after credential set and a team grant; the call carries the token, never the agent's key; revoke shreds it", async () => {
    const answers: Array<unknown> = []
    const slug = freshSlug("cred")
    const upstream = testUpstream()
    await upstream.require("authorization", `Bearer ${TOKEN}`)
    await ok({ _tag: "CreateWorkspace", workspace: slug })
    const { key } = await ok({ _tag: "RegisterAgent", workspace: slug, agent: "bot" })

    // Without a credential the upstream answers 401 at discovery: nothing is installed.
    const refused = await install(slug, upstream.url)
    answers.push(refused)
    expect(refused.status).toBe(502)
    expect(refused.body.error._tag).toBe("PluginUnreachable")
    expect(refused.body.error.reason).toContain("the upstream wants a credential: store it with `berth credential set <name> --plugin up --bearer-stdin`")

    const set = await setCredential(slug, "gh-token", TOKEN)
    answers.push(set)
    const fingerprint = set.events[0].data.fingerprint
    const granted = await ok({ _tag: "GrantCredential", workspace: slug, credential: "gh-token", plugin: "up" })
    answers.push(granted)
    const installed = await install(slug, upstream.url)
    answers.push(installed)
    expect(installed.status).toBe(200)

    const client = await mcpClient(slug, key, "modern")
    const result = await client.callTool({ name: "up__echo", arguments: { text: "hi" } })
    answers.push(result)
    expect(text(result)).toBe("echo: hi")
    const seen = await upstream.authorizations()
    expect(seen.length).toBeGreaterThan(0)
    // Every request that passed carried the vault's token; the agent's own key never left the plane.
    expect(seen.filter((a) => a !== null && a !== `Bearer ${TOKEN}`)).toEqual([])
    expect(seen.some((a) => a?.includes(key))).toBe(false)
    expect(await upstream.calls()).toEqual({ echo: 1 })

    // The upstream span names the credential by id and fingerprint.
    const [run] = await runsOf(slug)
    const { spans } = await ok({ _tag: "GetRun", workspace: slug, run: run!.run })
    answers.push(spans)
    const upstreamSpan = spans.find((s: { name: string }) => s.name === "upstream up")
    expect(upstreamSpan.attributes).toMatchObject({ "berth.credential": "gh-token", "berth.credential.fingerprint": fingerprint })

    // No grant, no call: refused before it leaves, recorded as a denied run.
    const grants = (await ok({ _tag: "ListGrants", workspace: slug })).grants
    expect(grants).toEqual([{ grant: granted.events[0].data.grant, credential: "gh-token", plugin: "up", grantedAt: expect.any(String) }])
    answers.push(await ok({ _tag: "UngrantCredential", workspace: slug, grant: grants[0].grant }))
    const denied = await client.callTool({ name: "up__echo", arguments: { text: "again" } })
    answers.push(denied)
    expect(denied.isError).toBe(true)
    expect(text(denied)).toContain("no credential is granted for `up__echo`; connect one with `berth credential set")
    expect(await upstream.calls()).toEqual({ echo: 1 })
    const latest = (await runsOf(slug)).find((r) => r.run !== run!.run)
    expect(latest).toMatchObject({ agent: "bot", status: "denied" })
    const deniedRun = await ok({ _tag: "GetRun", workspace: slug, run: latest!.run })
    expect(deniedRun.spans.map((s: { name: string }) => s.name)).toContain("credential")

    // Revoke: the row is shredded, the token is nowhere, the log verifies.
    answers.push(await ok({ _tag: "RevokeCredential", workspace: slug, credential: "gh-token" }))
    answers.push(await client.callTool({ name: "up__echo", arguments: { text: "after revoke" } }))
    await client.close()
    expect((await ok({ _tag: "VerifyLog", workspace: slug })).ok).toBe(true)

    // The secrets scan: SQLite, the log, the spans, every answer and error, D1 and the archive.
    const secrets = [TOKEN]
    const sqlite = await scanWorkspaceSqlite(slug, secrets)
    expect(sqlite.found).toEqual([])
    const log = await ok({ _tag: "ListEvents", workspace: slug, limit: 1000 })
    expect(hits(JSON.stringify(log), secrets, "log")).toEqual([])
    expect(hits(JSON.stringify(answers), secrets, "answers")).toEqual([])
    await ok({ _tag: "PushReadModels", workspace: slug })
    const d1 = await scanD1(secrets)
    expect(d1.tables).toBeGreaterThan(0)
    expect(d1.found).toEqual([])
    await ok({ _tag: "SealArchive", workspace: slug })
    const archive = await scanArchive(slug, secrets)
    expect(archive.objects).toBeGreaterThan(1)
    expect(archive.found).toEqual([])
  })
})

describe("kinds, grants and the pool", () => {
  it("an upstream that quotes the token it refused is heard with the token scrubbed, at refresh", async () => {
    const slug = freshSlug("cred")
    const upstream = testUpstream()
    await ok({ _tag: "CreateWorkspace", workspace: slug })
    await setCredential(slug, "gh-token", TOKEN)
    await ok({ _tag: "GrantCredential", workspace: slug, credential: "gh-token", plugin: "up" })
    expect((await install(slug, upstream.url)).status).toBe(200)
    // The version probe passes; listing the tools is refused.
    await upstream.break(403, `<html>the token in '{authorization}' lacks the repo scope</html>`, ["tools/list"])
    const refreshed = await rpc({ _tag: "RefreshPlugin", workspace: slug, plugin: "up" })
    expect(refreshed.body.error).toMatchObject({ _tag: "PluginUnreachable", reason: expect.stringContaining("lacks the repo scope") })
    expect(refreshed.body.error.reason).toContain("Bearer [redacted]")
    expect(hits(JSON.stringify(refreshed.body), [TOKEN], "the refusal")).toEqual([])
  })

  it("a header credential is sent in its header, at discovery, refresh and calls", async () => {
    const slug = freshSlug("cred")
    const upstream = testUpstream()
    await upstream.require("x-api-key", API_KEY)
    await ok({ _tag: "CreateWorkspace", workspace: slug })
    const { key } = await ok({ _tag: "RegisterAgent", workspace: slug, agent: "bot" })
    await setCredential(slug, "up-key", API_KEY, { kind: "header", header: "X-API-Key" })
    await ok({ _tag: "GrantCredential", workspace: slug, credential: "up-key", plugin: "up" })
    expect((await install(slug, upstream.url)).status).toBe(200)
    // A refresh rediscovers with the same team grant.
    expect((await rpc({ _tag: "RefreshPlugin", workspace: slug, plugin: "up" })).status).toBe(200)
    const client = await mcpClient(slug, key, "legacy")
    expect(text(await client.callTool({ name: "up__echo", arguments: { text: "k" } }))).toBe("echo: k")
    await client.close()
    expect(await upstream.calls()).toEqual({ echo: 1 })
    // Nothing went in Authorization.
    expect((await upstream.authorizations()).every((a) => a === null)).toBe(true)
    expect((await scanWorkspaceSqlite(slug, [API_KEY])).found).toEqual([])
  })

  it("with payload capture on, the vault's values are scrubbed from captured arguments and results, in every encoding", async () => {
    const slug = freshSlug("cred")
    const upstream = testUpstream()
    await upstream.require("authorization", `Bearer ${TOKEN}`)
    await ok({ _tag: "CreateWorkspace", workspace: slug })
    await ok({ _tag: "SetPayloadCapture", workspace: slug, enabled: true })
    const { key } = await ok({ _tag: "RegisterAgent", workspace: slug, agent: "bot" })
    await setCredential(slug, "gh-token", TOKEN)
    await ok({ _tag: "GrantCredential", workspace: slug, credential: "gh-token", plugin: "up" })
    expect((await install(slug, upstream.url)).status).toBe(200)
    const client = await mcpClient(slug, key, "modern")
    // An agent that learned the value somehow, and an upstream that echoes it back.
    const said = `leaked ${TOKEN} and ${btoa(TOKEN)} and ${encodeURIComponent(TOKEN)}`
    expect(text(await client.callTool({ name: "up__echo", arguments: { text: said } }))).toBe(`echo: ${said}`)
    await client.close()
    const [run] = await runsOf(slug)
    const recorded = await ok({ _tag: "GetRun", workspace: slug, run: run!.run })
    expect(recorded.started.data.args.text).toContain("[redacted]")
    expect(recorded.finished.data.result.content[0].text).toContain("[redacted]")
    expect(hits(JSON.stringify(await ok({ _tag: "ListEvents", workspace: slug, limit: 1000 })), [TOKEN], "log")).toEqual([])
  })

  it("a member's credential is carried by the agents that member owns, and by no other agent", async () => {
    const slug = freshSlug("cred")
    const upstream = testUpstream()
    await ok({ _tag: "CreateWorkspace", workspace: slug })
    await ok({ _tag: "AddMember", workspace: slug, member: "ada@acme.dev", role: "admin" })
    const adas = (await ok({ _tag: "RegisterAgent", workspace: slug, agent: "adas-bot", owner: "ada@acme.dev" })).key
    const other = (await ok({ _tag: "RegisterAgent", workspace: slug, agent: "bot" })).key
    expect((await install(slug, upstream.url, "bearer")).status).toBe(200)
    await setCredential(slug, "ada-token", BOT_TOKEN, { forMember: "ada@acme.dev" })
    await ok({ _tag: "GrantCredential", workspace: slug, credential: "ada-token", plugin: "up" })
    await upstream.reset()

    const asAda = await mcpClient(slug, adas, "modern")
    expect(text(await asAda.callTool({ name: "up__echo", arguments: { text: "a" } }))).toBe("echo: a")
    expect(new Set(await upstream.authorizations())).toEqual(new Set([`Bearer ${BOT_TOKEN}`]))
    const asOther = await mcpClient(slug, other, "modern")
    const refused = await asOther.callTool({ name: "up__echo", arguments: { text: "b" } })
    expect(refused.isError).toBe(true)
    expect(text(refused)).toContain("no credential is granted for `up__echo`")
    expect(await upstream.calls()).toEqual({ echo: 1 })
    await asAda.close()
    await asOther.close()
  })

  it("two agents with different grants get different pooled clients, each with its own credential", async () => {
    const slug = freshSlug("cred")
    const upstream = testUpstream()
    await ok({ _tag: "CreateWorkspace", workspace: slug })
    const bot = (await ok({ _tag: "RegisterAgent", workspace: slug, agent: "bot" })).key
    const ci = (await ok({ _tag: "RegisterAgent", workspace: slug, agent: "ci" })).key
    expect((await install(slug, upstream.url, "none")).status).toBe(200)
    await setCredential(slug, "bot-token", BOT_TOKEN)
    await setCredential(slug, "ci-token", CI_TOKEN)
    await ok({ _tag: "GrantCredential", workspace: slug, credential: "bot-token", plugin: "up", agents: ["bot"] })
    await ok({ _tag: "GrantCredential", workspace: slug, credential: "ci-token", plugin: "up", agents: ["ci"], tools: ["echo"] })
    await upstream.reset()
    const connectsBefore = await workspace(slug).upstreamConnects()

    const asBot = await mcpClient(slug, bot, "modern")
    const asCi = await mcpClient(slug, ci, "modern")
    await asBot.callTool({ name: "up__echo", arguments: { text: "b" } })
    const fromBot = await upstream.authorizations()
    await upstream.reset()
    await asCi.callTool({ name: "up__echo", arguments: { text: "c" } })
    const fromCi = await upstream.authorizations()
    await asBot.close()
    await asCi.close()

    expect(new Set(fromBot)).toEqual(new Set([`Bearer ${BOT_TOKEN}`]))
    expect(new Set(fromCi)).toEqual(new Set([`Bearer ${CI_TOKEN}`]))
    expect((await workspace(slug).upstreamConnects()) - connectsBefore).toBe(2)
  })
})
