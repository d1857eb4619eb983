// POST /admin/rpc and the AdminApi entrypoint, through the Worker's real fetch handler and a real
// Durable Object: auth, malformed bodies, domain errors, and the agent key shown exactly once.
import { exports } from "cloudflare:workers"
import { describe, expect, it } from "vitest"
import { eventCount, freshSlug, sqlIn } from "../workspace/workspace-client.ts"
import { ok, rpc } from "./rpc-client.ts"

const created = async () => {
  const slug = freshSlug("http")
  await ok({ _tag: "CreateWorkspace", workspace: slug })
  return slug
}

describe("auth", () => {
  it("a missing or wrong token gets 401 and a body that says nothing more", async () => {
    const slug = await created()
    const nothing = { ok: false, error: { _tag: "Unauthorized", message: "unauthorized" } }
    for (const token of [null, "wrong", ""]) {
      const answer = await rpc({ _tag: "ListAgents", workspace: slug }, token)
      expect(answer).toEqual({ status: 401, body: nothing })
    }
    const unknownWorkspace = await rpc({ _tag: "ListAgents", workspace: "no-such-ws" }, "wrong")
    expect(unknownWorkspace).toEqual({ status: 401, body: nothing })
  })

  it("with no token configured, even an empty bearer is refused", async () => {
    const { isAdminToken } = await import("../../src/admin/token.ts")
    const request = (auth: string) => new Request("http://x/admin/rpc", { headers: { authorization: auth } })
    expect(await isAdminToken(request("Bearer "), undefined)).toBe(false)
    expect(await isAdminToken(request("Bearer undefined"), undefined)).toBe(false)
    expect(await isAdminToken(request("Bearer s3cret"), "s3cret")).toBe(true)
    expect(await isAdminToken(request("Bearer s3cret2"), "s3cret")).toBe(false)
  })
})

describe("malformed requests get 400 with the schema error", () => {
  it("a body that is not JSON", async () => {
    expect(await rpc("{not json")).toMatchObject({ status: 400, body: { ok: false, error: { _tag: "InvalidRequest" } } })
  })

  it("an unknown _tag lists what exists", async () => {
    const answer = await rpc({ _tag: "DropTables", workspace: "acme" })
    expect(answer.status).toBe(400)
    expect(answer.body.error).toMatchObject({ _tag: "InvalidRequest", field: "_tag" })
    expect(answer.body.error.message).toContain("RegisterAgent")
  })

  it("a body over 1 MiB, counted in bytes", async () => {
    const answer = await rpc({ _tag: "SetPolicy", workspace: "acme", policy: "p", text: "é".repeat(600_000) })
    expect(answer).toMatchObject({ status: 400, body: { error: { _tag: "InvalidRequest" } } })
    expect(answer.body.error.message).toContain("1048576 bytes")
  })

  it("a time that is not ISO-8601 with a zone", async () => {
    const slug = await created()
    for (const at of ["2026", "yesterday", "2026-11-25 14:02"]) {
      const answer = await rpc({ _tag: "GetState", workspace: slug, at })
      expect(answer).toMatchObject({ status: 400, body: { error: { _tag: "InvalidRequest", field: "at" } } })
    }
  })

  it("a bad field is named, and the log is unchanged", async () => {
    const slug = await created()
    const answer = await rpc({ _tag: "InstallPlugin", workspace: slug, plugin: "gh", url: "ftp://x", transport: "streamable-http", auth: "none" })
    expect(answer.status).toBe(400)
    expect(answer.body.error).toMatchObject({ _tag: "InvalidCommand", field: "url" })
    expect(answer.body.error.message).toMatch(/http/)
    // A field no command has is refused by name too, RefreshPlugin's included (it once dropped them).
    const extra = await rpc({ _tag: "RefreshPlugin", workspace: slug, plugin: "gh", force: true })
    expect(extra).toMatchObject({ status: 400, body: { error: { _tag: "InvalidCommand", field: "force" } } })
    const slugAnswer = await rpc({ _tag: "ListAgents", workspace: "Not_A_Slug" })
    expect(slugAnswer).toMatchObject({ status: 400, body: { error: { _tag: "InvalidRequest", field: "workspace" } } })
    expect(await eventCount(slug)).toBe(1)
  })

  // Found by `npm run fuzz`: a known key once let a body skip its checks and crash the object.
  it("a reused idempotency key never skips the checks, and nothing is dialled for it", async () => {
    const slug = await created()
    await ok({ _tag: "SetPayloadCapture", workspace: slug, enabled: true, idempotencyKey: "k1" })
    const bodies = [
      [{ _tag: "RefreshPlugin" }, "plugin"],
      [{ _tag: "InstallPlugin" }, "plugin"],
      [{ _tag: "PutMemory", tags: {} }, "namespace"],
      [{ _tag: "ConfigureOAuthClient" }, "plugin"],
      [{ _tag: "SetCredential" }, "credential"]
    ] as const
    for (const [body, field] of bodies) {
      const answer = await rpc({ ...body, workspace: slug, idempotencyKey: "k1" })
      expect(answer, body._tag).toMatchObject({ status: 400, body: { ok: false, error: { _tag: "InvalidCommand", field } } })
    }
    // A valid install under the key is refused as a reuse before Berth connects to a port nobody serves.
    const install = { _tag: "InstallPlugin", workspace: slug, plugin: "dead", url: "http://127.0.0.1:9/mcp", transport: "streamable-http", auth: "none" }
    expect(await rpc({ ...install, idempotencyKey: "k1" })).toMatchObject({ status: 409, body: { error: { _tag: "IdempotencyKeyReused", idempotencyKey: "k1" } } })
    // The same command again is the first answer, replayed.
    expect(await ok({ _tag: "SetPayloadCapture", workspace: slug, enabled: true, idempotencyKey: "k1" })).toMatchObject({ seq: 2, replayed: true })
    expect(await eventCount(slug)).toBe(2)
  })

  it("the run commands are the MCP endpoint's alone: an admin cannot forge a run", async () => {
    const slug = await created()
    for (const _tag of ["StartRun", "FinishRun", "RecordRun"]) {
      const answer = await rpc({ _tag, workspace: slug, run: "r1" })
      expect(answer).toMatchObject({ status: 400, body: { error: { _tag: "InvalidRequest", field: "_tag" } } })
      expect(answer.body.error.message).toContain(`${_tag} is recorded by the plane itself (the MCP endpoint, a consent page or an OAuth callback), not sent by admins`)
    }
    expect(await eventCount(slug)).toBe(1)
  })
})

describe("domain errors carry their tag, message and status", () => {
  it("404 for a missing workspace, 409 for a conflict", async () => {
    const missing = await rpc({ _tag: "RegisterAgent", workspace: freshSlug("missing"), agent: "bot" })
    expect(missing.status).toBe(404)
    expect(missing.body.error).toMatchObject({ _tag: "WorkspaceNotFound" })
    const slug = await created()
    await ok({ _tag: "RegisterAgent", workspace: slug, agent: "bot" })
    const again = await rpc({ _tag: "RegisterAgent", workspace: slug, agent: "bot" })
    expect(again).toMatchObject({ status: 409, body: { ok: false, error: { _tag: "AgentAlreadyExists", agent: "bot" } } })
    expect(again.body.error.message).toContain("bot")
    const stale = await rpc({ _tag: "SuspendAgent", workspace: slug, agent: "bot", expectedSeq: 1 })
    expect(stale).toMatchObject({ status: 409, body: { error: { _tag: "ConcurrencyConflict", expectedSeq: 1, currentSeq: 2 } } })
    expect(await eventCount(slug)).toBe(2)
  })
})

describe("agent keys", () => {
  it("are shown once, stored only as a hash, and never appear in the log or state", async () => {
    const slug = await created()
    const registered = await ok({ _tag: "RegisterAgent", workspace: slug, agent: "bot", idempotencyKey: "reg-bot" })
    expect(registered.key).toMatch(new RegExp(`^berth_${slug}_[A-Za-z0-9_-]{43}$`))
    expect(registered).toMatchObject({ agent: "bot", seq: 2, replayed: false })

    const rows = await sqlIn<Record<string, string>>(slug, "SELECT * FROM events")
    const everything = JSON.stringify([rows, await sqlIn(slug, "SELECT * FROM projection"), await sqlIn(slug, "SELECT * FROM idempotency")])
    expect(everything).not.toContain(registered.key)
    expect(everything).not.toContain(registered.key.slice(-40))

    // A retried registration appends nothing and cannot show the key again.
    const retried = await ok({ _tag: "RegisterAgent", workspace: slug, agent: "bot", idempotencyKey: "reg-bot" })
    expect(retried).toMatchObject({ agent: "bot", seq: 2, replayed: true })
    expect(retried).not.toHaveProperty("key")
    expect(await eventCount(slug)).toBe(2)

    const { agents } = await ok({ _tag: "ListAgents", workspace: slug })
    expect(agents).toEqual([{ agent: "bot", status: "active", via: "key", keyPrefix: registered.key.slice(0, `berth_${slug}_`.length + 6), registeredAt: expect.any(String) }])
  })
})

describe("queries", () => {
  it("ListEvents pages, GetState replays to a seq or a time, VerifyLog walks the chain", async () => {
    const slug = await created()
    for (const agent of ["a", "b", "c"]) await ok({ _tag: "RegisterAgent", workspace: slug, agent })
    const page1 = await ok({ _tag: "ListEvents", workspace: slug, limit: 2 })
    expect(page1.events.map((e: any) => e.seq)).toEqual([1, 2])
    expect(page1).toMatchObject({ next: 3, head: 4 })
    const page2 = await ok({ _tag: "ListEvents", workspace: slug, from: page1.next, limit: 2 })
    expect(page2.events.map((e: any) => e.seq)).toEqual([3, 4])
    expect(page2.events[0].prevHash).toBe(page1.events[1].hash)

    const atTwo = await ok({ _tag: "GetState", workspace: slug, at: 2 })
    expect(Object.keys(atTwo.state.agents)).toEqual(["a"])
    const atTime = await ok({ _tag: "GetState", workspace: slug, at: page1.events[0].at })
    expect(atTime.seq).toBeGreaterThanOrEqual(1)
    const beforeAll = await ok({ _tag: "GetState", workspace: slug, at: "2000-01-01T00:00:00Z" })
    expect(beforeAll).toMatchObject({ seq: 0, state: { workspace: null } })
    const now = await ok({ _tag: "GetState", workspace: slug })
    expect(Object.keys(now.state.agents).sort()).toEqual(["a", "b", "c"])

    expect(await ok({ _tag: "VerifyLog", workspace: slug })).toEqual({ ok: true, from: 1, count: 4, headSeq: 4, headHash: page2.events[1].hash })
    const { workspaces } = await ok({ _tag: "ListWorkspaces" })
    expect(workspaces).toContainEqual({ workspace: slug, createdAt: page1.events[0].at })
  })
})

describe("AdminApi (service binding)", () => {
  it("answers exactly like POST /admin/rpc", async () => {
    const slug = freshSlug("svc")
    const api = (exports as unknown as { AdminApi: { rpc(request: unknown): Promise<any> } }).AdminApi
    expect(await api.rpc({ _tag: "CreateWorkspace", workspace: slug })).toMatchObject({ ok: true, result: { seq: 1 } })
    const registered = await api.rpc({ _tag: "RegisterAgent", workspace: slug, agent: "bot" })
    expect(registered.result.key).toMatch(/^berth_/)
    expect(registered.result.events[0].actor).toEqual({ type: "admin", id: "service-binding" })
    expect(await api.rpc({ _tag: "SuspendAgent", workspace: slug, agent: "ghost" })).toMatchObject({
      ok: false,
      error: { _tag: "AgentNotFound", agent: "ghost" }
    })
  })
})
