// Issue 17, "no secret through the front door": a plugin URL with userinfo, or with a parameter named
// like a secret, is refused over the admin RPC before Berth connects. Nothing is appended, the
// upstream sees no request, and the error names the part, never the value.
import { describe, expect, it } from "vitest"
import { ok, rpc } from "../admin/rpc-client.ts"
import { testUpstream } from "../mcp/upstream/control.ts"
import { eventCount, freshSlug } from "../workspace/workspace-client.ts"

const install = (workspace: string, url: string) =>
  rpc({ _tag: "InstallPlugin", workspace, plugin: "up", url, transport: "streamable-http", auth: "bearer" })

const SECRET = "sk-live-7c0ffee-do-not-log"

describe("InstallPlugin refuses a URL that carries a secret", () => {
  const withQuery = (url: string, query: string) => `${url}?${query}`

  it.each([
    ["userinfo", (url: string) => url.replace("://", `://bot:${SECRET}@`), { part: "userinfo" }],
    ["a bare username", (url: string) => url.replace("://", `://${SECRET}@`), { part: "userinfo" }],
    ["api_key", (url: string) => withQuery(url, `api_key=${SECRET}`), { part: "query", parameter: "api_key" }],
    ["token", (url: string) => withQuery(url, `region=eu&token=${SECRET}`), { part: "query", parameter: "token" }],
    ["X-Amz-Signature", (url: string) => withQuery(url, `X-Amz-Date=20261204&X-Amz-Signature=${SECRET}`), { part: "query", parameter: "X-Amz-Signature" }]
  ])("%s: 400 SecretInPluginUrl, nothing appended, no request upstream", async (_, leak, part) => {
    const slug = freshSlug("leak")
    await ok({ _tag: "CreateWorkspace", workspace: slug })
    const upstream = testUpstream()
    const before = await eventCount(slug)

    const answer = await install(slug, leak(upstream.url))
    expect(answer.status).toBe(400)
    expect(answer.body.error).toMatchObject({ _tag: "SecretInPluginUrl", plugin: "up", recorded: false, ...part })
    const where = part.part === "userinfo" ? "userinfo" : `query parameter '${(part as { parameter: string }).parameter}'`
    expect(answer.body.error.message).toContain(`carries a secret in its ${where}`)
    expect(answer.body.error.message).toContain("berth credential set")
    expect(JSON.stringify(answer.body)).not.toContain(SECRET)

    expect(await eventCount(slug)).toBe(before)
    expect(await upstream.authorizations()).toEqual([])
    expect((await ok({ _tag: "ListPlugins", workspace: slug })).plugins).toEqual([])
  })

  it("accepts a harmless query parameter, and records the URL as given", async () => {
    const slug = freshSlug("leak")
    await ok({ _tag: "CreateWorkspace", workspace: slug })
    const upstream = testUpstream()
    const url = `${upstream.url}?region=eu`
    const answer = await install(slug, url)
    expect(answer.status).toBe(200)
    expect(answer.body.result.events[0]).toMatchObject({ type: "PluginInstalled", data: { plugin: "up", url } })
    expect((await upstream.authorizations()).length).toBeGreaterThan(0)
  })
})
