// Workspace memory over the admin RPC, through the Worker and the Workspace object: put, get, list,
// search (FTS5, bm25, snippets), delete, history from the log, optimistic concurrency, TTL expiry by
// an appended event, and refusals (size, secrets, bad names) that append nothing.
import { runDurableObjectAlarm } from "cloudflare:test"
import { env } from "cloudflare:workers"
import { describe, expect, it } from "vitest"
import { ok, rpc } from "../admin/rpc-client.ts"
import { freshSlug, workspace } from "../workspace/workspace-client.ts"

const created = async () => {
  const slug = freshSlug("mem")
  await ok({ _tag: "CreateWorkspace", workspace: slug })
  return slug
}
const head = async (slug: string) => (await ok({ _tag: "VerifyLog", workspace: slug })).headSeq as number
const put = (slug: string, fields: Record<string, unknown>) => rpc({ _tag: "PutMemory", workspace: slug, ...fields })

describe("memory over the admin RPC", () => {
  it("puts, gets, lists, searches, deletes, and tells each entry's history from the log", async () => {
    const slug = await created()
    const first = await put(slug, { namespace: "team/runbooks", key: "deploy", value: "Roll back with the blue-green switch before paging anyone", tags: ["ops", "p1"] })
    expect(first.status).toBe(200)
    expect(first.body.result.events[0]).toMatchObject({
      type: "MemoryPut",
      actor: { type: "admin", id: "admin-token" },
      data: { namespace: "team/runbooks", key: "deploy", version: 1, tags: ["ops", "p1"] }
    })
    await ok({ _tag: "PutMemory", workspace: slug, namespace: "team", key: "oncall", value: { who: "ada", until: "friday" } })
    await ok({ _tag: "PutMemory", workspace: slug, namespace: "agent/bot", key: "scratch", value: [1, 2, 3], tags: ["ops"] })
    const second = await ok({ _tag: "PutMemory", workspace: slug, namespace: "team/runbooks", key: "deploy", value: "Roll back with the blue-green switch", ifVersion: 1 })
    expect(second.events[0].data.version).toBe(2)

    expect(await ok({ _tag: "GetMemory", workspace: slug, namespace: "team/runbooks", key: "deploy" })).toMatchObject({
      value: "Roll back with the blue-green switch",
      version: 2,
      tags: []
    })
    const listed = await ok({ _tag: "ListMemory", workspace: slug, prefix: "team" })
    expect(listed.entries.map((e: { namespace: string; key: string }) => `${e.namespace}/${e.key}`)).toEqual(["team/oncall", "team/runbooks/deploy"])
    expect((await ok({ _tag: "ListMemory", workspace: slug, tags: ["ops"] })).entries.map((e: { key: string }) => e.key)).toEqual(["scratch"])
    const page1 = await ok({ _tag: "ListMemory", workspace: slug, limit: 2 })
    expect(page1.entries).toHaveLength(2)
    const page2 = await ok({ _tag: "ListMemory", workspace: slug, limit: 2, cursor: page1.cursor })
    expect(page2).toMatchObject({ entries: [expect.objectContaining({ key: "deploy" })], cursor: null })

    const found = await ok({ _tag: "SearchMemory", workspace: slug, query: "blue-green" })
    expect(found.hits).toEqual([expect.objectContaining({ namespace: "team/runbooks", key: "deploy", version: 2, snippet: expect.stringContaining("[blue]") })])
    expect((await ok({ _tag: "SearchMemory", workspace: slug, query: "ada" })).hits.map((h: { key: string }) => h.key)).toEqual(["oncall"])
    expect((await ok({ _tag: "SearchMemory", workspace: slug, query: "deplo*" })).hits.map((h: { key: string }) => h.key)).toEqual(["deploy"])
    expect((await ok({ _tag: "SearchMemory", workspace: slug, query: "ada", prefix: "agent" })).hits).toEqual([])
    // Hostile query text is words, never FTS5 syntax.
    expect((await ok({ _tag: "SearchMemory", workspace: slug, query: '" OR * NEAR( ) -' })).hits).toEqual([])

    const deleted = await ok({ _tag: "DeleteMemory", workspace: slug, namespace: "team/runbooks", key: "deploy" })
    expect(deleted.events[0]).toMatchObject({ type: "MemoryDeleted", data: { version: 2 } })
    expect((await rpc({ _tag: "GetMemory", workspace: slug, namespace: "team/runbooks", key: "deploy" })).body.error._tag).toBe("MemoryNotFound")
    expect((await ok({ _tag: "SearchMemory", workspace: slug, query: "blue" })).hits).toEqual([])

    const { history } = await ok({ _tag: "MemoryHistory", workspace: slug, namespace: "team/runbooks", key: "deploy" })
    expect(history.map((e: { type: string; data: { version: number } }) => [e.type, e.data.version])).toEqual([
      ["MemoryPut", 1],
      ["MemoryPut", 2],
      ["MemoryDeleted", 2]
    ])
    expect((await ok({ _tag: "VerifyLog", workspace: slug })).ok).toBe(true)
  })

  it("of two puts with the same ifVersion exactly one wins; the other gets the typed conflict and appends nothing", async () => {
    const slug = await created()
    await ok({ _tag: "PutMemory", workspace: slug, namespace: "team", key: "counter", value: 1 })
    const before = await head(slug)
    const [a, b] = await Promise.all([
      put(slug, { namespace: "team", key: "counter", value: 2, ifVersion: 1 }),
      put(slug, { namespace: "team", key: "counter", value: 3, ifVersion: 1 })
    ])
    const statuses = [a.status, b.status].sort()
    expect(statuses).toEqual([200, 409])
    const lost = a.status === 409 ? a : b
    expect(lost.body.error).toMatchObject({ _tag: "MemoryVersionConflict", namespace: "team", key: "counter", expected: 1, current: 2 })
    expect(lost.body.error.message).toContain("retry with ifVersion 2")
    expect(await head(slug)).toBe(before + 1)
    // ifVersion 0: only if it does not exist.
    expect((await put(slug, { namespace: "team", key: "counter", value: 9, ifVersion: 0 })).body.error).toMatchObject({ current: 2 })
    expect((await put(slug, { namespace: "team", key: "fresh", value: 9, ifVersion: 0 })).status).toBe(200)
  })

  it("an entry with a TTL leaves at its time by an appended MemoryExpired, and replay before then still shows it", async () => {
    const slug = await created()
    const putAnswer = await ok({ _tag: "PutMemory", workspace: slug, namespace: "team", key: "brief", value: "gone soon", ttlSeconds: 1 })
    const expiresAt = putAnswer.events[0].data.expiresAt
    expect(Date.parse(expiresAt) - Date.parse(putAnswer.events[0].at)).toBeGreaterThanOrEqual(900)
    await new Promise((resolve) => setTimeout(resolve, 1100))
    // Past its time it is no longer served, even before the alarm has appended its expiry.
    expect((await rpc({ _tag: "GetMemory", workspace: slug, namespace: "team", key: "brief" })).status).toBe(404)
    expect(await runDurableObjectAlarm(env.WORKSPACE.getByName(slug))).toBe(true)
    const { events } = await ok({ _tag: "ListEvents", workspace: slug })
    const expired = events.find((e: { type: string }) => e.type === "MemoryExpired")
    expect(expired).toMatchObject({ actor: { type: "system", id: "memory" }, data: { namespace: "team", key: "brief", version: 1, expiresAt } })
    expect((await ok({ _tag: "GetState", workspace: slug })).state.memory).toEqual({})
    const before = await ok({ _tag: "GetState", workspace: slug, at: putAnswer.seq })
    expect(before.state.memory["team:brief"]).toMatchObject({ value: "gone soon", version: 1, expiresAt })
  })

  it("refuses a value over 64 KiB, a secret, a bad namespace or key, and a bad TTL, naming the rule; the log does not change", async () => {
    const slug = await created()
    await ok({ _tag: "SetCredential", workspace: slug, credential: "gh", plugin: "gh", kind: "bearer", value: "ghp_vaultHeldSecret+42" })
    const before = await head(slug)
    const big = await put(slug, { namespace: "team", key: "big", value: "x".repeat(64 * 1024) })
    expect(big).toMatchObject({ status: 413, body: { error: { _tag: "MemoryValueTooLarge", limit: 65536 } } })
    const vaulted = await put(slug, { namespace: "team", key: "leak", value: { note: "token is ghp_vaultHeldSecret+42" } })
    expect(vaulted).toMatchObject({ status: 400, body: { error: { _tag: "MemoryValueHasSecret", namespace: "team", key: "leak" } } })
    expect(JSON.stringify(vaulted.body)).not.toContain("ghp_vaultHeldSecret")
    const jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhZGEifQ.c2lnbmF0dXJlLWhlcmU"
    expect((await put(slug, { namespace: "team", key: "jwt", value: `use ${jwt}` })).body.error._tag).toBe("MemoryValueHasSecret")
    expect((await put(slug, { namespace: "team", key: "b", value: "Authorization: Bearer abcdefgh12345678" })).body.error._tag).toBe("MemoryValueHasSecret")
    expect((await put(slug, { namespace: "team//x", key: "k", value: 1 })).body.error).toMatchObject({ _tag: "InvalidCommand", field: "namespace" })
    expect((await put(slug, { namespace: "team", key: "a/b", value: 1 })).body.error).toMatchObject({ _tag: "InvalidCommand", field: "key" })
    expect((await put(slug, { namespace: "team", key: "t", value: 1, ttlSeconds: 0 })).body.error).toMatchObject({ _tag: "InvalidCommand", field: "ttlSeconds" })
    // The time an entry leaves is the plane's to compute from ttlSeconds, within its range: not sent raw.
    for (const expiresAt of ["2199-01-01T00:00:00.000Z", "2001-01-01T00:00:00.000Z"])
      expect(await put(slug, { namespace: "team", key: "t", value: 1, expiresAt })).toMatchObject({ status: 400, body: { error: { _tag: "InvalidCommand", field: "expiresAt" } } })
    expect((await rpc({ _tag: "DeleteMemory", workspace: slug, namespace: "team", key: "none" })).status).toBe(404)
    expect((await rpc({ _tag: "ExpireMemory", workspace: slug, namespace: "team", key: "none", version: 1 })).body.error).toMatchObject({ _tag: "InvalidRequest", field: "_tag" })
    expect(await head(slug)).toBe(before)
  })
})

describe("memory and roles", () => {
  it("a viewer reads and may not write; a refused write says Forbidden before any check of the value against the vault", async () => {
    const slug = await created()
    await ok({ _tag: "AddMember", workspace: slug, member: "vera@acme.dev", role: "viewer" })
    await ok({ _tag: "SetCredential", workspace: slug, credential: "gh", plugin: "gh", kind: "bearer", value: "ghp_vaultHeldSecret+42" })
    await ok({ _tag: "PutMemory", workspace: slug, namespace: "team", key: "k", value: "v" })
    const before = await head(slug)
    const vera = { actor: { type: "member" as const, id: "vera@acme.dev" } }
    const stub = workspace(slug)
    // A guess at a vault value must not be confirmed to someone who may not write.
    const guess = await stub.putMemory({ namespace: "team", key: "probe", value: "ghp_vaultHeldSecret+42" }, vera)
    expect(!guess.ok && guess.error).toMatchObject({ _tag: "Forbidden", needs: "admin" })
    expect(await head(slug)).toBe(before)
    await expect(stub.getMemory("team", "k")).resolves.toMatchObject({ value: "v" })
  })
})
