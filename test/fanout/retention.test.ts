// Retention against real Durable Object storage and R2: sealed, pushed, old-enough rows leave the
// object, and every reader of the whole log still sees all of it, from the archive.
import { env } from "cloudflare:workers"
import { describe, expect, it } from "vitest"
import { readModelRows, settle } from "./fanout-client.ts"
import { admin, eventCount, freshSlug, sqlIn, workspace } from "../workspace/workspace-client.ts"
import { ok, rpc } from "../admin/rpc-client.ts"

/** A workspace of 60 events, all sealed and pushed to D1, with its log, state and read model as they were. */
const prunableWorkspace = async () => {
  const slug = freshSlug("ret")
  await ok({ _tag: "CreateWorkspace", workspace: slug })
  for (let i = 0; i < 57; i++) await ok({ _tag: "RegisterAgent", workspace: slug, agent: `a${i}` })
  await ok({ _tag: "SuspendAgent", workspace: slug, agent: "a3" })
  await ok({ _tag: "RevokeAgent", workspace: slug, agent: "a4" })
  await workspace(slug).sealArchive()
  await settle(slug, (p) => p.d1.lag === 0 && p.archive.lag === 0)
  const events = await workspace(slug).events(1, 1000)
  const middle = await workspace(slug).stateAt({ seq: 30 })
  const middleByTime = await workspace(slug).stateAt({ time: middle.at! })
  return { slug, events, middle, middleByTime, rows: await readModelRows(slug) }
}

describe("retention", () => {
  it("is off by default: nothing is pruned however old and sealed the rows are", async () => {
    const { slug } = await prunableWorkspace()
    await settle(slug, () => true)
    expect(await eventCount(slug)).toBe(60)
  })

  it("prunes sealed rows from the object; ListEvents, state at a point and verify read on seamlessly", async () => {
    const { slug, events, middle, middleByTime } = await prunableWorkspace()
    const set = await ok({ _tag: "SetRetention", workspace: slug, keepDays: 0 })
    expect(set.events.map((e: { type: string }) => e.type)).toEqual(["RetentionSet"])
    await workspace(slug).sealArchive()
    await settle(slug, (p) => p.d1.lag === 0)
    // The head always stays; everything sealed and pushed before it goes.
    const kept = await settle(slug, () => true).then(() => sqlIn<{ n: number; lo: number }>(slug, "SELECT count(*) AS n, min(seq) AS lo FROM events"))
    expect(kept[0]!.n).toBeLessThan(5)
    const head = (await workspace(slug).snapshot()).seq
    expect(kept[0]!.lo).toBe(head - kept[0]!.n + 1)

    // The whole log still reads from seq 1, across the pruned horizon, byte for byte.
    const all = await workspace(slug).events(1, 1000)
    expect(all.slice(0, events.length)).toEqual(events)
    expect(all.map((e) => e.seq)).toEqual(Array.from({ length: head }, (_, i) => i + 1))
    // A page that starts in the archive and ends in the object.
    const page = await ok({ _tag: "ListEvents", workspace: slug, from: 40, limit: 1000 })
    expect(page.events.map((e: { seq: number }) => e.seq)).toEqual(Array.from({ length: head - 39 }, (_, i) => i + 40))
    expect(page.events).toEqual(all.slice(39))

    // State at a point inside the pruned part equals what it was before pruning, by seq and by time.
    expect(await workspace(slug).stateAt({ seq: 30 })).toEqual(middle)
    expect(await workspace(slug).stateAt({ time: middle.at! })).toEqual(middleByTime)
    expect(middleByTime.seq).toBeGreaterThanOrEqual(30)
    expect((await workspace(slug).stateAt({ seq: head })).state).toEqual((await workspace(slug).snapshot()).state)

    // verify walks the rows kept, from the horizon; the archive holds the rest.
    const check = await ok({ _tag: "VerifyLog", workspace: slug })
    expect(check).toMatchObject({ ok: true, from: head - kept[0]!.n + 1, headSeq: head })

    // The guards: kept rows cannot be deleted, and the horizon cannot move back.
    await expect(sqlIn(slug, "DELETE FROM events WHERE seq = ?", head)).rejects.toThrow(/append-only/)
    await expect(sqlIn(slug, "UPDATE log_pruned SET seq = 1")).rejects.toThrow(/only moves forward/)
    await expect(sqlIn(slug, "DELETE FROM log_pruned")).rejects.toThrow(/only moves forward/)
  })

  it("keeps appending on the chain after a prune, and a D1 rebuild reads the pruned part from R2", async () => {
    const { slug, rows } = await prunableWorkspace()
    await ok({ _tag: "SetRetention", workspace: slug, keepDays: 0 })
    await workspace(slug).sealArchive()
    await settle(slug, (p) => p.d1.lag === 0)
    await settle(slug, () => true)
    expect(await eventCount(slug)).toBeLessThan(5)
    await ok({ _tag: "RegisterAgent", workspace: slug, agent: "late" })
    await workspace(slug).sealArchive()
    const { seq, hash } = await workspace(slug).snapshot()
    const lastEvent = (await workspace(slug).events(seq, 1))[0]!
    expect(lastEvent).toMatchObject({ seq, hash, type: "AgentRegistered" })

    await workspace(slug).resetReadModels()
    await settle(slug, (p) => p.d1.lag === 0)
    const rebuilt = await readModelRows(slug)
    expect(rebuilt.events!.slice(0, rows.events!.length)).toEqual(rows.events)
    expect(rebuilt.events).toHaveLength(seq)
    expect(rebuilt.agents).toHaveLength(rows.agents!.length + 1)
  })

  it("never deletes a row the archive has not sealed", async () => {
    const slug = freshSlug("ret")
    await ok({ _tag: "CreateWorkspace", workspace: slug })
    await ok({ _tag: "SetRetention", workspace: slug, keepDays: 0 })
    for (let i = 0; i < 10; i++) await ok({ _tag: "RegisterAgent", workspace: slug, agent: `a${i}` })
    // Fewer than a segment's worth and young: nothing sealed, so nothing may go.
    await settle(slug, (p) => p.d1.lag === 0)
    await settle(slug, () => true)
    expect(await eventCount(slug)).toBe(12)
    await expect(sqlIn(slug, "DELETE FROM events WHERE seq = 5")).rejects.toThrow(/append-only/)
  })

  it("refuses a bad setting with a typed error and appends nothing", async () => {
    const slug = freshSlug("ret")
    await ok({ _tag: "CreateWorkspace", workspace: slug })
    const bad = await rpc({ _tag: "SetRetention", workspace: slug, keepDays: -1 })
    expect(bad).toMatchObject({ status: 400, body: { error: { _tag: "InvalidCommand", field: "keepDays" } } })
    expect(await eventCount(slug)).toBe(1)
    await workspace(slug).execute({ _tag: "SetRetention" }, admin)
    expect(await eventCount(slug)).toBe(1)
  })
})
