// Roles are enforced: every admin command and query, through the real AdminApi entrypoint and a real
// Workspace Durable Object, checked against the members as they are at each request.
import { exports } from "cloudflare:workers"
import { beforeAll, describe, expect, it } from "vitest"
import { ACCESS, type Access, type Action } from "../../src/auth/roles.ts"
import { INTERNAL_COMMANDS } from "../../src/admin/dispatch.ts"
import { Query } from "../../src/admin/queries.ts"
import { STATUS } from "../../src/admin/status.ts"
import { COMMAND_TAGS } from "../../src/workspace/decide.ts"
import { freshSlug, workspace } from "../workspace/workspace-client.ts"

type Answer = { ok: true; result: any } | { ok: false; error: { _tag: string; message: string; [field: string]: unknown } }
const api = (exports as unknown as { AdminApi: { rpc(request: unknown, onBehalfOf?: unknown): Promise<Answer> } }).AdminApi

/** The binding's own authority (like the admin token) when `member` is undefined; that member's otherwise. */
const as = (member?: string) => (request: Record<string, unknown>) =>
  api.rpc(request, member === undefined ? undefined : { member })
const admin = as()
const olive = "olive@acme.dev" // owner
const adam = "adam@acme.dev" // admin
const vera = "vera@acme.dev" // viewer
const stranger = "stranger@elsewhere.dev"

const succeeded = async (answer: Promise<Answer>) => {
  const settled = await answer
  if (!settled.ok) throw new Error(`expected ok, got ${JSON.stringify(settled.error)}`)
  return settled.result
}

/** A workspace owned by olive (named at creation), with adam as admin and vera as viewer. */
const team = async () => {
  const slug = freshSlug("roles")
  await succeeded(admin({ _tag: "CreateWorkspace", workspace: slug, owner: olive }))
  await succeeded(as(olive)({ _tag: "AddMember", workspace: slug, member: adam, role: "admin" }))
  await succeeded(as(olive)({ _tag: "AddMember", workspace: slug, member: vera, role: "viewer" }))
  return slug
}

const head = async (slug: string) => (await succeeded(admin({ _tag: "VerifyLog", workspace: slug }))).headSeq as number

const forbidden = (fields: Record<string, unknown>) => ({ ok: false, error: expect.objectContaining({ _tag: "Forbidden", ...fields }) })

describe("a viewer", () => {
  it("reads events, state, runs, tools, policies and history", async () => {
    const slug = await team()
    const read = as(vera)
    const events = await succeeded(read({ _tag: "ListEvents", workspace: slug }))
    expect(events.events.map((e: any) => e.type)).toEqual(["WorkspaceCreated", "MemberAdded", "MemberAdded", "MemberAdded"])
    expect((await succeeded(read({ _tag: "GetState", workspace: slug }))).state.members[vera]).toMatchObject({ role: "viewer" })
    expect(await succeeded(read({ _tag: "GetState", workspace: slug, at: 1 }))).toMatchObject({ seq: 1 })
    expect(await succeeded(read({ _tag: "ListRuns", workspace: slug }))).toEqual({ runs: [] })
    expect(await succeeded(read({ _tag: "ListTools", workspace: slug }))).toEqual({ tools: [] })
    expect((await succeeded(read({ _tag: "ListPolicies", workspace: slug }))).policies.map((p: any) => p.policy)).toEqual(["starter"])
    expect(await succeeded(read({ _tag: "VerifyLog", workspace: slug }))).toMatchObject({ ok: true, headSeq: 4 })
  })

  it("is refused every change, naming the admin role it needs, and nothing is appended", async () => {
    const slug = await team()
    const before = await head(slug)
    const refusals = [
      // An unreachable upstream: the refusal comes before Berth connects anywhere.
      { _tag: "InstallPlugin", workspace: slug, plugin: "gh", url: "http://127.0.0.1:9/mcp", transport: "streamable-http", auth: "none" },
      { _tag: "SetPolicy", workspace: slug, policy: "open", text: "permit(principal, action, resource);" },
      { _tag: "RegisterAgent", workspace: slug, agent: "bot" }
    ]
    for (const request of refusals) {
      const answer = await as(vera)(request)
      expect(answer).toEqual(forbidden({ action: request._tag, needs: "admin", member: vera, role: "viewer", workspace: slug }))
      if (!answer.ok)
        expect(answer.error.message).toBe(`member '${vera}' is a viewer of workspace '${slug}'; ${request._tag} needs an admin`)
    }
    expect(await head(slug)).toBe(before)
    expect((await succeeded(admin({ _tag: "ListAgents", workspace: slug }))).agents).toEqual([])
  })
})

describe("an admin", () => {
  it("sets a policy, and the event's actor is that member", async () => {
    const slug = await team()
    const text = "permit(principal, action, resource);"
    const result = await succeeded(as(adam)({ _tag: "SetPolicy", workspace: slug, policy: "open", text }))
    expect(result.events.map((e: any) => [e.type, e.actor, e.data.policy])).toEqual([["PolicySet", { type: "member", id: adam }, "open"]])
    const { events } = await succeeded(admin({ _tag: "ListEvents", workspace: slug, from: result.seq }))
    expect(events.map((e: any) => e.actor)).toEqual([{ type: "member", id: adam }])
  })

  it("cannot add a member (an owner can), and the owner's event names the owner", async () => {
    const slug = await team()
    const before = await head(slug)
    const add = { _tag: "AddMember", workspace: slug, member: "nia@acme.dev", role: "viewer" }
    expect(await as(adam)(add)).toEqual(forbidden({ action: "AddMember", needs: "owner", member: adam, role: "admin", workspace: slug }))
    expect(await head(slug)).toBe(before)
    const added = await succeeded(as(olive)(add))
    expect(added.events.map((e: any) => [e.seq, e.type, e.actor])).toEqual([[before + 1, "MemberAdded", { type: "member", id: olive }]])
  })
})

describe("membership is read at every request", () => {
  it("a member removed is refused at their next request; one demoted loses what the old role allowed", async () => {
    const slug = await team()
    await succeeded(as(vera)({ _tag: "ListEvents", workspace: slug }))
    await succeeded(as(olive)({ _tag: "RemoveMember", workspace: slug, member: vera }))
    expect(await as(vera)({ _tag: "ListEvents", workspace: slug })).toEqual(
      forbidden({ action: "ListEvents", needs: "viewer", member: vera, role: null, workspace: slug })
    )

    await succeeded(as(adam)({ _tag: "RegisterAgent", workspace: slug, agent: "bot-1" }))
    await succeeded(as(olive)({ _tag: "ChangeMemberRole", workspace: slug, member: adam, role: "viewer" }))
    expect(await as(adam)({ _tag: "RegisterAgent", workspace: slug, agent: "bot-2" })).toEqual(
      forbidden({ action: "RegisterAgent", needs: "admin", role: "viewer" })
    )
    expect((await succeeded(admin({ _tag: "ListAgents", workspace: slug }))).agents.map((a: any) => a.agent)).toEqual(["bot-1"])
  })

  it("a replayed idempotency key is checked again: a caller demoted since learns nothing of the first result", async () => {
    const slug = await team()
    const register = { _tag: "RegisterAgent", workspace: slug, agent: "bot", idempotencyKey: "reg-bot" }
    const first = await succeeded(as(adam)(register))
    expect(first.key).toMatch(/^berth_/)
    expect((await succeeded(as(adam)(register))).replayed).toBe(true)
    await succeeded(as(olive)({ _tag: "ChangeMemberRole", workspace: slug, member: adam, role: "viewer" }))
    const replay = await as(adam)(register)
    expect(replay).toEqual(forbidden({ action: "RegisterAgent", needs: "admin", member: adam, role: "viewer" }))
    expect(JSON.stringify(replay)).not.toContain(first.events[0].id)
  })

  it("a demotion racing a member's commands: nothing of theirs is appended after it", async () => {
    const slug = await team()
    const text = "permit(principal, action, resource);"
    const sets = Array.from({ length: 12 }, (_, i) => as(adam)({ _tag: "SetPolicy", workspace: slug, policy: `p${i}`, text }))
    const demotion = as(olive)({ _tag: "ChangeMemberRole", workspace: slug, member: adam, role: "viewer" })
    const [answers, demoted] = await Promise.all([Promise.all(sets), succeeded(demotion)])
    const demotedAt = demoted.seq as number
    for (const answer of answers) {
      if (answer.ok) expect(answer.result.seq).toBeLessThan(demotedAt)
      else expect(answer.error).toMatchObject({ _tag: "Forbidden", role: "viewer" })
    }
    const { events } = await succeeded(admin({ _tag: "ListEvents", workspace: slug }))
    const adams = events.filter((e: any) => e.actor.id === adam)
    expect(adams.length).toBe(answers.filter((a) => a.ok).length)
    expect(adams.every((e: any) => e.seq < demotedAt)).toBe(true)
  })
})

describe("strangers and the plane", () => {
  it("a non-member is refused reads and changes alike", async () => {
    const slug = await team()
    const before = await head(slug)
    expect(await as(stranger)({ _tag: "GetState", workspace: slug })).toEqual(
      forbidden({ action: "GetState", needs: "viewer", member: stranger, role: null, workspace: slug })
    )
    const refused = await as(stranger)({ _tag: "SetRetention", workspace: slug, keepDays: 1 })
    expect(refused).toEqual(forbidden({ action: "SetRetention", needs: "owner", role: null }))
    if (!refused.ok) expect(refused.error.message).toBe(`'${stranger}' is not a member of workspace '${slug}'; SetRetention needs an owner`)
    expect(await head(slug)).toBe(before)
  })

  it("plane-wide operations are refused even to an owner; the binding may do them", async () => {
    const slug = await team()
    for (const request of [
      { _tag: "CreateWorkspace", workspace: freshSlug("roles-new") },
      { _tag: "ListWorkspaces" },
      { _tag: "QueryRuns" },
      { _tag: "QuerySpans", workspace: slug },
      { _tag: "QueryEvents", workspace: slug }
    ]) {
      const answer = await as(olive)(request)
      expect(answer).toEqual({ ok: false, error: { _tag: "Forbidden", action: request._tag, needs: "plane", member: olive, role: null, message: expect.any(String) } })
      if (!answer.ok) expect(answer.error.message).toBe(`${request._tag} is plane-wide: it needs the admin token, not a member (${olive})`)
      expect((await admin(request)).ok).toBe(true)
    }
  })

  it("the MCP path's own actors are not members and are not checked", async () => {
    const slug = await team()
    const outcome = await workspace(slug).execute(
      { _tag: "SetPolicy", policy: "agent-set", text: "permit(principal, action, resource);" },
      { actor: { type: "agent", id: "bot" } }
    )
    expect(outcome).toMatchObject({ ok: true, events: [{ type: "PolicySet", actor: { type: "agent", id: "bot" } }] })
  })

  it("Forbidden is HTTP 403", () => expect(STATUS.Forbidden).toBe(403))

  it("the entrypoint refuses a malformed member, naming the field", async () => {
    expect(await api.rpc({ _tag: "WhoAmI" }, { member: "two words" })).toMatchObject({
      ok: false,
      error: { _tag: "InvalidRequest", field: "member" }
    })
    expect(await api.rpc({ _tag: "WhoAmI" }, { member: olive, role: "owner" })).toMatchObject({
      ok: false,
      error: { _tag: "InvalidRequest", field: "role" }
    })
  })
})

describe("WhoAmI", () => {
  it("says who the caller is and, in a workspace, their role there", async () => {
    const slug = await team()
    expect(await succeeded(admin({ _tag: "WhoAmI" }))).toEqual({ actor: { type: "admin", id: "service-binding" }, plane: true })
    expect(await succeeded(admin({ _tag: "WhoAmI", workspace: slug }))).toEqual({
      actor: { type: "admin", id: "service-binding" },
      plane: true,
      workspace: slug,
      role: "owner"
    })
    expect(await succeeded(as(adam)({ _tag: "WhoAmI" }))).toEqual({ actor: { type: "member", id: adam }, plane: false })
    expect(await succeeded(as(adam)({ _tag: "WhoAmI", workspace: slug }))).toEqual({
      actor: { type: "member", id: adam },
      plane: false,
      workspace: slug,
      role: "admin"
    })
    expect(await succeeded(as(stranger)({ _tag: "WhoAmI", workspace: slug }))).toMatchObject({ role: null })
    expect(await as(adam)({ _tag: "WhoAmI", workspace: freshSlug("nowhere") })).toMatchObject({
      ok: false,
      error: { _tag: "WorkspaceNotFound" }
    })
  })
})

describe("the role table", () => {
  const QUERY_TAGS = Query.members.map((m) => m.identifier)

  it("names every command and query, and nothing else", () =>
    expect(Object.keys(ACCESS).sort()).toEqual([...COMMAND_TAGS, ...QUERY_TAGS].sort()))

  /** The least each action needs to pass its fields' check: commands are role-checked before their fields are. */
  const minimal = (action: Action, slug: string): Record<string, unknown> => {
    const fields: Partial<Record<Action, Record<string, unknown>>> = {
      CreateWorkspace: { workspace: freshSlug("roles-table") },
      ListWorkspaces: {},
      GetAuditPublicKey: {},
      QueryRuns: {},
      QuerySpans: {},
      QueryEvents: {},
      GetAgentAt: { workspace: slug, agent: "bot", at: 1 },
      GetRun: { workspace: slug, run: "no-such-run" },
      TestPolicy: { workspace: slug, agent: "bot", tool: "gh__search" },
      SimulatePolicy: { workspace: slug, text: "permit(principal, action, resource);" },
      ReadArchiveObject: { workspace: slug, key: `audit/${slug}/manifest.json` },
      StartCredentialConnect: { workspace: slug, credential: "gh-oauth", plugin: "gh" },
      CredentialConnectStatus: { workspace: slug, connect: "c_none" },
      GetMemory: { workspace: slug, namespace: "team", key: "none" },
      SearchMemory: { workspace: slug, query: "anything" },
      MemoryHistory: { workspace: slug, namespace: "team", key: "none" },
      RunCode: { workspace: slug, agent: "bot", code: "export default () => 1" },
      CodeTools: { workspace: slug, agent: "bot" }
    }
    return { _tag: action, ...(fields[action] ?? { workspace: slug }) }
  }

  /** Who sits one step below each need, and who holds exactly it. */
  const below: Record<Exclude<Access, "internal" | "anyone">, { member: string; role: string | null }> = {
    viewer: { member: stranger, role: null },
    admin: { member: vera, role: "viewer" },
    owner: { member: adam, role: "admin" },
    // A plane-wide refusal names no role: roles are a workspace's, and plane-wide actions are nobody's.
    plane: { member: olive, role: null }
  }
  const exactly: Record<Exclude<Access, "internal">, string | undefined> = {
    anyone: stranger,
    viewer: vera,
    admin: adam,
    owner: olive,
    plane: undefined
  }

  let slug: string
  beforeAll(async () => {
    slug = await team()
  })

  it.each(Object.entries(ACCESS) as Array<[Action, Access]>)("%s needs %s", async (action, access) => {
    const request = minimal(action, slug)
    // Refused at the admin edge to everyone, the binding included: the workspace issues these itself.
    if ((INTERNAL_COMMANDS as ReadonlyArray<string>).includes(action) || access === "internal") {
      for (const member of [undefined, olive])
        expect(await as(member)(request)).toMatchObject({ ok: false, error: { _tag: "InvalidRequest", field: "_tag" } })
      return
    }
    const before = await head(slug)
    if (access !== "anyone") {
      const { member, role } = below[access]
      expect(await as(member)(request)).toEqual(forbidden({ action, needs: access, member, role }))
      expect(await head(slug)).toBe(before)
    }
    // The caller holding exactly the need gets past the check (the answer may still be another refusal).
    const allowed = await as(exactly[access])(request)
    expect(allowed.ok ? "ok" : allowed.error._tag).not.toBe("Forbidden")
  })
})
