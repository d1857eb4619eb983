// The log's invariants against a real Durable Object: append-only, contiguous seq under
// concurrency, rejected commands append nothing, idempotency, and state loaded from the projection.
import { evictDurableObject, runInDurableObject } from "cloudflare:test"
import { env } from "cloudflare:workers"
import { describe, expect, it } from "vitest"
import { admin, canonical, eventCount, freshSlug, sqlIn, workspace } from "./workspace-client.ts"
import { ok, rpc } from "../admin/rpc-client.ts"
import { event } from "../../events/index.ts"
import { EventLog, RECENT_ENVELOPES, RECENT_MAX_DATA_CHARS } from "../../src/workspace/event-log.ts"

const keyHash = (n: number) => n.toString(16).padStart(64, "0")
const register = (agent: string, n = 1) => ({ _tag: "RegisterAgent", agent, keyHash: keyHash(n), keyPrefix: "berth_test" })

const created = async (prefix?: string) => {
  const slug = freshSlug(prefix)
  const outcome = await workspace(slug).execute({ _tag: "CreateWorkspace", workspace: slug }, admin)
  expect(outcome.ok).toBe(true)
  return slug
}

describe("the log is append-only", () => {
  it("SQLite triggers refuse UPDATE and DELETE on events", async () => {
    const slug = await created()
    await expect(sqlIn(slug, "UPDATE events SET type = 'Forged' WHERE seq = 1")).rejects.toThrow(/append-only/)
    await expect(sqlIn(slug, "DELETE FROM events WHERE seq = 1")).rejects.toThrow(/append-only/)
    const [row] = await sqlIn<{ type: string }>(slug, "SELECT type FROM events WHERE seq = 1")
    expect(row!.type).toBe("WorkspaceCreated")
    expect(await workspace(slug).verify()).toMatchObject({ ok: true, count: 1 })
  })

  it("verify names the first bad seq when a row was forged underneath the triggers", async () => {
    const slug = await created()
    for (const agent of ["a", "b", "c"]) expect((await workspace(slug).execute(register(agent), admin)).ok).toBe(true)
    // Drop the guard the way an attacker with raw storage access would, then tamper with seq 3.
    await sqlIn(slug, "DROP TRIGGER events_append_only_update")
    await sqlIn(slug, `UPDATE events SET data = json_set(data, '$.agent', 'mallory') WHERE seq = 3`)
    expect(await workspace(slug).verify()).toMatchObject({ ok: false, firstBadSeq: 3 })
  })
})

describe("seq is contiguous", () => {
  it("200 concurrent commands over HTTP give seq 1..201 with no gap or duplicate, and the chain verifies", async () => {
    const slug = freshSlug("conc")
    await ok({ _tag: "CreateWorkspace", workspace: slug })
    const answers = await Promise.all(
      Array.from({ length: 200 }, (_, i) => rpc({ _tag: "RegisterAgent", workspace: slug, agent: `agent-${i}` }))
    )
    expect(answers.every((a) => a.status === 200)).toBe(true)
    const seqs = answers.map((a) => a.body.result.seq as number).sort((a, b) => a - b)
    expect(seqs).toEqual(Array.from({ length: 200 }, (_, i) => i + 2))
    const stored = await sqlIn<{ seq: number }>(slug, "SELECT seq FROM events ORDER BY seq")
    expect(stored.map((r) => r.seq)).toEqual(Array.from({ length: 201 }, (_, i) => i + 1))
    expect(await ok({ _tag: "VerifyLog", workspace: slug })).toMatchObject({ ok: true, count: 201, headSeq: 201 })
  })
})

describe("a rejected command appends nothing", () => {
  it("invalid input leaves the log unchanged and names the field", async () => {
    const slug = await created()
    const before = await eventCount(slug)
    const outcome = await workspace(slug).execute({ _tag: "RegisterAgent", agent: "has space", keyHash: keyHash(1), keyPrefix: "x" }, admin)
    expect(outcome).toMatchObject({ ok: false, error: { _tag: "InvalidCommand", field: "agent" } })
    expect(await eventCount(slug)).toBe(before)
  })

  it("a wrong expectedSeq is a ConcurrencyConflict carrying the current seq, and appends nothing", async () => {
    const slug = await created()
    const stale = await workspace(slug).execute(register("bot"), { ...admin, expectedSeq: 0 })
    expect(stale).toEqual({
      ok: false,
      error: { _tag: "ConcurrencyConflict", expectedSeq: 0, currentSeq: 1, message: "expected the log to be at seq 0, but it is at seq 1" }
    })
    expect(await eventCount(slug)).toBe(1)
    const fresh = await workspace(slug).execute(register("bot"), { ...admin, expectedSeq: 1 })
    expect(fresh).toMatchObject({ ok: true, seq: 2 })
  })

  it("a repeated idempotency key returns the first result and appends nothing", async () => {
    const slug = await created()
    const first = await workspace(slug).execute(register("bot"), { ...admin, idempotencyKey: "k1" })
    const again = await workspace(slug).execute(register("bot"), { ...admin, idempotencyKey: "k1" })
    expect(first).toMatchObject({ ok: true, seq: 2, replayed: false })
    expect(again).toEqual({ ...first, replayed: true })
    expect(await eventCount(slug)).toBe(2)
    const reused = await workspace(slug).execute(register("other"), { ...admin, idempotencyKey: "k1" })
    expect(reused).toMatchObject({ ok: false, error: { _tag: "IdempotencyKeyReused", idempotencyKey: "k1" } })
    expect(await eventCount(slug)).toBe(2)
  })

  it("a domain error appends nothing", async () => {
    const slug = await created()
    expect((await workspace(slug).execute(register("bot"), admin)).ok).toBe(true)
    const twice = await workspace(slug).execute(register("bot", 2), admin)
    expect(twice).toMatchObject({ ok: false, error: { _tag: "AgentAlreadyExists", agent: "bot" } })
    expect(await eventCount(slug)).toBe(2)
  })
})

describe("the workspace directory", () => {
  it("heals on wake when the object stopped between the commit and the KV write", async () => {
    const slug = await created("dir")
    const listed = async () => (await env.DIRECTORY.list({ prefix: `workspace:${slug}` })).keys.map((k) => k.metadata)
    expect(await listed()).toEqual([{ workspace: slug, createdAt: expect.any(String) }])
    // Simulate the crash window: the log has WorkspaceCreated, the directory never heard of it.
    await env.DIRECTORY.delete(`workspace:${slug}`)
    await runInDurableObject(env.WORKSPACE.getByName(slug), (_i, state) => state.storage.kv.delete("directory:announced"))
    await evictDurableObject(env.WORKSPACE.getByName(slug))
    await workspace(slug).snapshot()
    expect(await listed()).toEqual([{ workspace: slug, createdAt: expect.any(String) }])
  })
})

describe("state on wake", () => {
  it("comes from the projection tables, not from replaying the log", async () => {
    const slug = await created()
    expect((await workspace(slug).execute(register("bot"), admin)).ok).toBe(true)
    // A row written straight into the projection shows up after a restart only if state is loaded from it.
    await sqlIn(slug, `INSERT INTO projection (kind, key, value) VALUES ('members', 'ghost', '{"role":"viewer","addedAt":"x"}')`)
    await evictDurableObject(env.WORKSPACE.getByName(slug))
    const { state, seq } = await workspace(slug).snapshot()
    expect(seq).toBe(2)
    expect(state.members).toHaveProperty("ghost")
    expect(state.agents.bot).toMatchObject({ status: "active", keyHash: keyHash(1) })
    // Replay, by contrast, knows nothing of the ghost.
    const replayed = await workspace(slug).stateAt({ seq: 2 })
    expect(replayed.state.members).toEqual({})
    expect(canonical({ ...replayed.state, members: state.members })).toBe(canonical(state))
  })
})

describe("recent envelopes (what the D1 push reads)", () => {
  it("are what read gives for the same seqs, from what was appended since the object woke, and nothing older", async () => {
    const slug = await created()
    const stub = env.WORKSPACE.getByName(slug)
    await runInDurableObject(stub, (_: unknown, ctx) => {
      // A log object of its own on the workspace's storage: it has appended nothing yet.
      const log = new EventLog(ctx.storage.sql)
      const before = log.head.seq
      expect(log.recent(1, 10)).toBeUndefined()
      expect(log.recent(before + 1, 10)).toEqual([])
      const append = (count: number) => {
        const sealed = ctx.storage.transactionSync(() =>
          log.append(
            Array.from({ length: count }, (_, i) => event("PayloadCaptureSet", { enabled: i % 2 === 0 })),
            { actor: { type: "admin", id: "test" }, correlationId: "c", causationId: null }
          )
        )
        log.advance(sealed)
      }
      append(3)
      expect(log.recent(before + 1, 10)).toEqual(log.read(before + 1, 10))
      expect(log.recent(before + 2, 1)!.map((e) => e.seq)).toEqual([before + 2])
      expect(log.recent(before, 10)).toBeUndefined()
      // Memory keeps the latest RECENT_ENVELOPES at least, contiguous up to the head.
      append(2 * RECENT_ENVELOPES)
      expect(log.recent(before + 1, 10)).toBeUndefined()
      const tail = log.recent(log.head.seq - RECENT_ENVELOPES + 1, 2 * RECENT_ENVELOPES)!
      expect(tail.map((e) => e.seq)).toEqual(Array.from({ length: RECENT_ENVELOPES }, (_, i) => log.head.seq - RECENT_ENVELOPES + 1 + i))
      expect(tail).toEqual(log.read(log.head.seq - RECENT_ENVELOPES + 1, RECENT_ENVELOPES))
      // An event with more data than memory keeps (a captured payload) sends readers of it, and of
      // everything before it, to the log; memory starts again after it.
      const big = ctx.storage.transactionSync(() =>
        log.append(
          [event("RunStarted", { run: "r", traceId: "0".repeat(32), agent: "bot", tool: "t", argsHash: "0".repeat(64), argsSize: 1, args: { blob: "x".repeat(RECENT_MAX_DATA_CHARS) } })],
          { actor: { type: "agent", id: "bot" }, correlationId: "c", causationId: null }
        )
      )
      log.advance(big)
      expect(log.recent(log.head.seq, 1)).toBeUndefined()
      expect(log.recent(log.head.seq + 1, 1)).toEqual([])
      append(2)
      expect(log.recent(log.head.seq - 1, 10)).toEqual(log.read(log.head.seq - 1, 10))
      expect(log.recent(log.head.seq - 2, 10)).toBeUndefined()
    })
  })
})
