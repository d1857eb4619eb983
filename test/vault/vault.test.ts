// The vault inside a real Workspace object, through the admin RPC: a value is sealed into the
// object's own table and never reaches the log, an answer or an error; the row and the event are
// written together or not at all; revoking shreds the row and the log still verifies; a plane
// without BERTH_VAULT_KEY refuses to store credentials; rotation rewraps data keys on wake.
import { runInDurableObject } from "cloudflare:test"
import { env } from "cloudflare:workers"
import { describe, expect, it } from "vitest"
import { Vault } from "../../src/vault/vault.ts"
import { ok, rpc } from "../admin/rpc-client.ts"
import { TEST_VAULT_KEY } from "../keys.ts"
import { admin, eventCount, freshSlug, sqlIn, workspace } from "../workspace/workspace-client.ts"
import { hits, scanWorkspaceSqlite } from "./secret-scan.ts"

const TOKEN = "ghp_vaultTest+/=Secret-9f1c2e"

const created = async () => {
  const slug = freshSlug("vault")
  await ok({ _tag: "CreateWorkspace", workspace: slug })
  return slug
}

const set = (slug: string, extra: Record<string, unknown> = {}) =>
  rpc({ _tag: "SetCredential", workspace: slug, credential: "gh-token", plugin: "gh", kind: "bearer", value: TOKEN, ...extra })

const vaultRows = (slug: string) => sqlIn<{ credential: string; key_id: string }>(slug, "SELECT credential, key_id FROM vault_credentials")

describe("credential set", () => {
  it("seals the value into the vault's table; the log, the answer and the list carry only its fingerprint", async () => {
    const slug = await created()
    const answer = await set(slug, { scopes: ["repo"] })
    expect(answer.status).toBe(200)
    const [connected] = answer.body.result.events
    expect(connected.type).toBe("CredentialConnected")
    expect(connected.data).toEqual({
      credential: "gh-token",
      plugin: "gh",
      kind: "bearer",
      owner: "team",
      fingerprint: expect.stringMatching(/^[0-9a-f]{32}$/),
      scopes: ["repo"]
    })
    expect(await vaultRows(slug)).toEqual([{ credential: "gh-token", key_id: expect.stringMatching(/^[0-9a-f]{16}$/) }])

    const { credentials } = await ok({ _tag: "ListCredentials", workspace: slug })
    expect(credentials).toEqual([
      { credential: "gh-token", plugin: "gh", kind: "bearer", owner: "team", fingerprint: connected.data.fingerprint, scopes: ["repo"], status: "active", connectedAt: expect.any(String) }
    ])
    const { found, scanned } = await scanWorkspaceSqlite(slug, [TOKEN])
    expect(scanned).toEqual(expect.arrayContaining(["events", "projection", "vault_credentials"]))
    expect(found).toEqual([])
    expect(hits(JSON.stringify([answer, credentials]), [TOKEN], "answers")).toEqual([])
  })

  it("the same value under the same workspace has the same fingerprint; setting it again replaces the row", async () => {
    const slug = await created()
    const first = (await set(slug)).body.result.events[0].data.fingerprint
    const again = await set(slug, { value: `${TOKEN}-rotated` })
    expect(again.body.result.events[0].data.fingerprint).not.toBe(first)
    expect(await vaultRows(slug)).toHaveLength(1)
    expect((await set(slug)).body.result.events[0].data.fingerprint).toBe(first)
  })

  it("a retry with the same idempotency key replays the first result; the value is in no idempotency record", async () => {
    const slug = await created()
    const first = await set(slug, { idempotencyKey: "set-1" })
    const retry = await set(slug, { idempotencyKey: "set-1" })
    expect(retry.body.result).toMatchObject({ replayed: true, seq: first.body.result.seq })
    expect(await sqlIn(slug, "SELECT count(*) AS n FROM idempotency")).toEqual([{ n: 1 }])
    expect((await scanWorkspaceSqlite(slug, [TOKEN])).found).toEqual([])
  })

  it("the same idempotency key with another value is IdempotencyKeyReused, and the first value stays", async () => {
    const slug = await created()
    const first = await set(slug, { idempotencyKey: "set-2" })
    const before = await eventCount(slug)
    const other = await set(slug, { idempotencyKey: "set-2", value: `${TOKEN}-other` })
    expect(other).toMatchObject({ status: 409, body: { error: { _tag: "IdempotencyKeyReused" } } })
    expect(await eventCount(slug)).toBe(before)
    expect(JSON.stringify(other.body)).not.toContain(TOKEN)
    // The first value is still the one sealed: the same value with the same key replays.
    const again = await set(slug, { idempotencyKey: "set-2" })
    expect(again.body.result).toMatchObject({ replayed: true, seq: first.body.result.seq })
    expect(await vaultRows(slug)).toHaveLength(1)
  })

  it.each([
    ["no value", { value: undefined }, "a value is required"],
    ["an empty value", { value: "" }, "a value is required"],
    ["a value with a line break", { value: `${TOKEN}\r\nX-Injected: 1` }, "line breaks"],
    ["a value that is not a string", { value: 42 }, "a value is required"]
  ])("refuses %s, naming the rule and never the value, and appends nothing", async (_, extra, rule) => {
    const slug = await created()
    const before = await eventCount(slug)
    const answer = await set(slug, extra)
    expect(answer.status).toBe(400)
    expect(answer.body.error).toMatchObject({ _tag: "InvalidCredentialValue", credential: "gh-token" })
    expect(answer.body.error.message).toContain(rule)
    expect(hits(JSON.stringify(answer.body), [TOKEN], "error")).toEqual([])
    expect(await eventCount(slug)).toBe(before)
    expect(await vaultRows(slug)).toEqual([])
  })

  it("a command refused after sealing (a stale expectedSeq) leaves no row and no event", async () => {
    const slug = await created()
    const before = await eventCount(slug)
    const answer = await set(slug, { expectedSeq: 0 })
    expect(answer.status).toBe(409)
    expect(answer.body.error._tag).toBe("ConcurrencyConflict")
    expect(await eventCount(slug)).toBe(before)
    expect(await vaultRows(slug)).toEqual([])
  })

  it("refuses a bad field before sealing, naming it (a header credential without its header)", async () => {
    const slug = await created()
    const answer = await set(slug, { kind: "header" })
    expect(answer.status).toBe(400)
    expect(answer.body.error).toMatchObject({ _tag: "InvalidCommand", field: "header" })
    expect(await vaultRows(slug)).toEqual([])
  })

  it("no event without its material: a CredentialConnected the vault did not seal rolls back", async () => {
    const slug = await created()
    const before = await eventCount(slug)
    // Inside the object, so the throw is caught here rather than reported by the RPC layer.
    const thrown = await runInDurableObject(env.WORKSPACE.getByName(slug), (instance) =>
      instance
        .execute({ _tag: "SetCredential", credential: "forged", plugin: "gh", kind: "bearer", fingerprint: "a".repeat(32) }, admin)
        .then(() => "appended", (e: Error) => e.message)
    )
    expect(thrown).toContain("without a value sealed by the vault")
    expect(await eventCount(slug)).toBe(before)
    expect((await ok({ _tag: "ListCredentials", workspace: slug })).credentials).toEqual([])
    expect((await ok({ _tag: "VerifyLog", workspace: slug })).ok).toBe(true)
  })

  it("a viewer may list credentials and may not set one", async () => {
    const slug = await created()
    await ok({ _tag: "AddMember", workspace: slug, member: "vera@acme.dev", role: "viewer" })
    const request = { credential: "c", plugin: "gh", kind: "bearer" }
    const refused = await workspace(slug).setCredential(request, TOKEN, { actor: { type: "member", id: "vera@acme.dev" } })
    expect(refused.ok).toBe(false)
    expect(!refused.ok && refused.error).toMatchObject({ _tag: "Forbidden", needs: "admin" })
    expect(await vaultRows(slug)).toEqual([])
  })
})

describe("credential revoke", () => {
  it("deletes the wrapped key and the ciphertext (crypto-shredding); the token is nowhere in SQLite and the log verifies", async () => {
    const slug = await created()
    await set(slug)
    const revoked = await rpc({ _tag: "RevokeCredential", workspace: slug, credential: "gh-token", reason: "rotated" })
    expect(revoked.status).toBe(200)
    expect(revoked.body.result.events.map((e: { type: string }) => e.type)).toEqual(["CredentialRevoked"])
    expect(await vaultRows(slug)).toEqual([])
    expect((await scanWorkspaceSqlite(slug, [TOKEN])).found).toEqual([])
    expect((await ok({ _tag: "VerifyLog", workspace: slug })).ok).toBe(true)
    const { credentials } = await ok({ _tag: "ListCredentials", workspace: slug })
    expect(credentials[0]).toMatchObject({ credential: "gh-token", status: "revoked" })
    const again = await rpc({ _tag: "RevokeCredential", workspace: slug, credential: "gh-token" })
    expect(again.body.error._tag).toBe("CredentialAlreadyRevoked")
  })
})

describe("the vault key", () => {
  const host = (slug: string) => ({
    workspace: () => slug,
    precheck: () => undefined,
    execute: () => {
      throw new Error("not reached")
    },
    forget: () => undefined
  })

  it("a plane without BERTH_VAULT_KEY refuses to store a credential, with a clear error, and appends nothing", async () => {
    const slug = await created()
    const outcome = await runInDurableObject(env.WORKSPACE.getByName(slug), (_o, state) =>
      new Vault(state.storage.sql, {}, host(slug)).set({ credential: "c", plugin: "gh", kind: "bearer" }, TOKEN, admin)
    )
    expect(outcome).toMatchObject({ ok: false, error: { _tag: "VaultKeyMissing" } })
    expect(!outcome.ok && outcome.error.message).toContain("BERTH_VAULT_KEY")
    // Everything else is served: the same workspace still takes commands.
    expect((await rpc({ _tag: "RegisterAgent", workspace: slug, agent: "bot" })).status).toBe(200)
  })

  it("rotation: rows under BERTH_VAULT_KEY_PREVIOUS are rewrapped under the new key when the vault starts", async () => {
    const slug = await created()
    await set(slug)
    const [before] = await vaultRows(slug)
    const chosen = { credential: "gh-token", plugin: "gh", status: "active" as const, fingerprint: "", kind: "bearer" as const, grant: "g" }
    const opened = await runInDurableObject(env.WORKSPACE.getByName(slug), async (_o, state) => {
      const rotating = new Vault(state.storage.sql, { current: "the-new-root-key", previous: TEST_VAULT_KEY }, host(slug))
      await rotating.start()
      const afterRotation = new Vault(state.storage.sql, { current: "the-new-root-key" }, host(slug))
      const stale = new Vault(state.storage.sql, { current: TEST_VAULT_KEY }, host(slug))
      return {
        headers: await afterRotation.headers(chosen),
        stale: await stale.headers(chosen).then(() => "opened", (e: Error) => e.message)
      }
    })
    expect(opened.headers).toEqual({ authorization: `Bearer ${TOKEN}` })
    expect(opened.stale).toContain("sealed under another BERTH_VAULT_KEY")
    expect(opened.stale).not.toContain(TOKEN)
    const [after] = await vaultRows(slug)
    expect(after!.key_id).not.toBe(before!.key_id)
  })
})
