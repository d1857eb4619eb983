// Unknown workspaces cost nothing (issue 16): the Worker answers from the workspace directory, so a
// stranger's slug or key wakes no Durable Object, and only CreateWorkspace brings one into being.
// "No object" is read from the test pool's own listing of the namespace's stored objects.
import { env, listDurableObjectIds, SELF } from "cloudflare:test"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { ok, rpc } from "../admin/rpc-client.ts"
import { mcpClient } from "../mcp/berth-client.ts"
import { workspace, admin, freshSlug } from "./workspace-client.ts"
import { MEMORY_TOOLS } from "../../src/memory/tools.ts"

const objectIds = async () => (await listDurableObjectIds(env.WORKSPACE)).map((id) => id.toString()).sort()

const post = (slug: string, bearer: string | null, body: unknown) =>
  SELF.fetch(`http://localhost/w/${slug}/mcp`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      ...(bearer === null ? {} : { authorization: `Bearer ${bearer}` })
    },
    body: JSON.stringify(body)
  })

const slugShaped = fc.stringMatching(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/)
/** Paths the route regex takes but the slug rule refuses, and paths no route takes at all. */
const junk = fc.oneof(
  fc.stringMatching(/^-[a-z0-9-]{0,8}$/),
  fc.stringMatching(/^[a-z0-9-]{1,8}-$/),
  fc.stringMatching(/^[a-z0-9]{64,80}$/),
  fc.string({ minLength: 1, maxLength: 20 }).map(encodeURIComponent)
)
const secret = fc.stringMatching(/^[A-Za-z0-9_-]{0,43}$/)

const mcpBody = fc.oneof(
  fc.constant({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "x", version: "1" } } }),
  fc.constant({ jsonrpc: "2.0", id: 2, method: "tools/list" }),
  fc.record({ jsonrpc: fc.constant("2.0"), id: fc.nat(), method: fc.constant("tools/call"), params: fc.record({ name: fc.string(), arguments: fc.object() }) })
)

describe("the directory gate", () => {
  it("1,000 MCP requests with random slugs and random bearers create no Durable Object, and each gets 404 or 401", async () => {
    const known = freshSlug("gate")
    await ok({ _tag: "CreateWorkspace", workspace: known })
    // The listing sees an object the moment something wakes one: the instrument can fail.
    const woken = freshSlug("woken")
    const empty = await objectIds()
    await workspace(woken).snapshot()
    expect(await objectIds()).toEqual([...empty, env.WORKSPACE.idFromName(woken).toString()].sort())

    const cases = fc.sample(
      fc.record({
        // A tenth of the requests go to a real workspace, with keys that are wrong or name strangers.
        target: fc.oneof(
          { weight: 6, arbitrary: slugShaped.map((slug) => ({ slug, expected: 404 })) },
          { weight: 3, arbitrary: junk.map((slug) => ({ slug, expected: 404 })) },
          { weight: 1, arbitrary: fc.constant({ slug: known, expected: 401 }) }
        ),
        bearer: fc.oneof(
          fc.constant(null),
          fc.stringMatching(/^[\x21-\x7e]{1,80}$/),
          fc.tuple(slugShaped, secret).map(([home, s]) => `berth_${home}_${s}`),
          secret.map((s) => `berth_${known}_${s}`)
        ),
        body: mcpBody
      }),
      { numRuns: 1_000, seed: 16 }
    )
    const before = await objectIds()
    const outcomes: Array<{ slug: string; bearer: string | null; status: number }> = []
    for (let i = 0; i < cases.length; i += 50)
      outcomes.push(
        ...(await Promise.all(
          cases.slice(i, i + 50).map(async ({ target, bearer, body }) => {
            const response = await post(target.slug, bearer, body)
            await response.body?.cancel()
            return { slug: target.slug, bearer, status: response.status }
          })
        ))
      )
    expect(outcomes).toHaveLength(1_000)
    expect(outcomes).toEqual(cases.map(({ target, bearer }) => ({ slug: target.slug, bearer, status: target.expected })))
    expect(await objectIds()).toEqual(before)
  })

  it("an admin command or query for an unknown workspace is WorkspaceNotFound, and wakes nothing", async () => {
    const missing = freshSlug("missing")
    const before = await objectIds()
    const notFound = {
      status: 404,
      body: { ok: false, error: { _tag: "WorkspaceNotFound", workspace: missing, message: `workspace '${missing}' does not exist` } }
    }
    for (const request of [
      { _tag: "RegisterAgent", workspace: missing, agent: "bot" },
      { _tag: "SetPolicy", workspace: missing, policy: "p", text: "permit(principal, action, resource);" },
      { _tag: "GetState", workspace: missing },
      { _tag: "ListAgents", workspace: missing },
      { _tag: "ListEvents", workspace: missing },
      { _tag: "VerifyLog", workspace: missing }
    ])
      expect(await rpc(request)).toEqual(notFound)
    expect(await objectIds()).toEqual(before)
  })

  it("a created workspace is reachable at once, and a no is never remembered", async () => {
    const slug = freshSlug("new")
    // Asked before it exists: 404, and nothing woken.
    const before = await objectIds()
    expect((await post(slug, "berth_nope", { jsonrpc: "2.0", id: 1, method: "tools/list" })).status).toBe(404)
    expect(await objectIds()).toEqual(before)

    // Created through the admin RPC, then used by the next request.
    await ok({ _tag: "CreateWorkspace", workspace: slug })
    const { key } = await ok({ _tag: "RegisterAgent", workspace: slug, agent: "bot" })
    const client = await mcpClient(slug, key, "modern")
    expect((await client.listTools()).tools.map((t) => t.name)).toEqual(Object.keys(MEMORY_TOOLS))
    await client.close()
    expect(await objectIds()).toEqual([...before, env.WORKSPACE.idFromName(slug).toString()].sort())

    // Created by the object alone (no admin edge marked it): its directory entry is written before
    // execute returns, so the Worker finds it on the first ask.
    const direct = freshSlug("direct")
    expect((await post(direct, null, {})).status).toBe(404)
    expect(await workspace(direct).execute({ _tag: "CreateWorkspace", workspace: direct }, admin)).toMatchObject({ ok: true, seq: 1 })
    expect((await post(direct, null, {})).status).toBe(401)
  })
})
