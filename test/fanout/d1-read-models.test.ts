// The D1 read models against real D1 in workerd: they mirror the log, they survive a D1 outage
// without loss or duplicates, re-delivery changes nothing, and a rebuild gives the same rows.
import { runInDurableObject } from "cloudflare:test"
import { env } from "cloudflare:workers"
import { describe, expect, it } from "vitest"
import { decodeEvent, event } from "../../events/index.ts"
import { gatherRows, MAX_CHARS, MAX_ROWS } from "../../projections/d1/bulk.ts"
import { d1Statements, MANY_ROWS } from "../../projections/d1/statements.ts"
import { Cursors } from "../../src/fanout/cursors.ts"
import { D1_BATCH_EVENTS, D1_BATCH_STATEMENTS, D1_PUSH_INTERVAL_MS, D1Pusher } from "../../src/fanout/d1-pusher.ts"
import { EventLog } from "../../src/workspace/event-log.ts"
import { ok } from "../admin/rpc-client.ts"
import { dockedWorkspace, mcpClient } from "../mcp/berth-client.ts"
import { admin, eventCount, freshSlug, workspace } from "../workspace/workspace-client.ts"
import { READ_MODEL_TABLES, readModelRows, settle } from "./fanout-client.ts"
import { UPSTREAM_TOOLS } from "../mcp/upstream/tools.ts"

/** A workspace with a plugin, two agents (one suspended) and a few tool calls: every table gets rows. */
const busyWorkspace = async () => {
  const docked = await dockedWorkspace()
  const client = await mcpClient(docked.slug, docked.key, "modern")
  for (const text of ["a", "b", "c"]) await client.callTool({ name: "up__echo", arguments: { text } })
  await client.close()
  await ok({ _tag: "RegisterAgent", workspace: docked.slug, agent: "other" })
  await ok({ _tag: "SuspendAgent", workspace: docked.slug, agent: "other" })
  return docked
}

const count = async (table: string, slug: string) =>
  (await env.READ_MODELS.prepare(`SELECT count(*) AS n FROM ${table} WHERE workspace = ?`).bind(slug).first<{ n: number }>())!.n

describe("the D1 read model", () => {
  it("mirrors the log: every event indexed, entities and runs as the projection has them", async () => {
    const { slug } = await busyWorkspace()
    const projections = await settle(slug)
    const head = await eventCount(slug)
    expect(projections.d1).toMatchObject({ cursor: head, head, lag: 0, attempts: 0, lastError: null })

    const rows = await readModelRows(slug)
    expect(rows.events!.map((e) => e.seq)).toEqual(Array.from({ length: head }, (_, i) => i + 1))
    expect(rows.workspaces).toEqual([expect.objectContaining({ payload_capture: 0 })])
    expect(rows.agents!.map((a) => [a.agent, a.status])).toEqual([
      ["bot", "active"],
      ["other", "suspended"]
    ])
    expect(rows.plugins!.map((p) => p.plugin)).toEqual(["up"])
    const { state } = await workspace(slug).snapshot()
    expect(rows.tools!.map((t) => [t.tool, t.status]).sort()).toEqual(Object.entries(state.tools).map(([id, t]) => [id, t.status]).sort())
    expect(rows.runs).toHaveLength(3)
    for (const run of rows.runs!) expect(run).toMatchObject({ agent: "bot", tool: "up__echo", status: "ok" })
    expect(rows.spans!.length).toBeGreaterThanOrEqual(3 * 2)
    expect(new Set(rows.spans!.map((s) => s.run))).toEqual(new Set(rows.runs!.map((r) => r.run)))
  })

  it("loses nothing to a D1 outage: the cursor waits and backs off, then the rows converge with no gap or duplicate", async () => {
    const { slug } = await busyWorkspace()
    await settle(slug)
    const before = await eventCount(slug)
    // A real D1 failure, scoped to this workspace: a trigger makes every insert of its events abort.
    await env.READ_MODELS.exec(
      `CREATE TRIGGER outage_${slug.replaceAll("-", "_")} BEFORE INSERT ON events WHEN NEW.workspace = '${slug}' BEGIN SELECT RAISE(ABORT, 'D1 is down (test)'); END;`
    )
    for (const agent of ["x1", "x2", "x3", "x4", "x5"]) await ok({ _tag: "RegisterAgent", workspace: slug, agent })
    for (let attempt = 1; attempt <= 3; attempt++) {
      const p = await settle(slug, (p) => p.d1.attempts >= attempt)
      expect(p.d1).toMatchObject({ cursor: before, lag: 5, lastError: expect.stringContaining("D1 is down"), nextAttemptAt: expect.any(String) })
    }
    // The log kept every event meanwhile, and D1 has none of the new ones.
    expect(await eventCount(slug)).toBe(before + 5)
    expect(await count("events", slug)).toBe(before)

    await env.READ_MODELS.exec(`DROP TRIGGER outage_${slug.replaceAll("-", "_")}`)
    const recovered = await settle(slug)
    expect(recovered.d1).toMatchObject({ cursor: before + 5, lag: 0, attempts: 0, lastError: null })
    const seqs = (await readModelRows(slug)).events!.map((e) => e.seq)
    expect(seqs).toEqual(Array.from({ length: before + 5 }, (_, i) => i + 1))
    expect(await count("agents", slug)).toBe(2 + 5)
  })

  it("backs off exponentially: 250 ms after the first failure, doubling, at most a minute; success resets it", async () => {
    const { slug } = await busyWorkspace()
    await runInDurableObject(env.WORKSPACE.getByName(slug), (_instance, state) => {
      const cursors = new Cursors(state.storage.sql)
      const waits = Array.from({ length: 10 }, () => cursors.fail("archive", "down", 1_000).nextAt - 1_000)
      expect(waits).toEqual([250, 500, 1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000])
      expect(cursors.get("archive")).toMatchObject({ attempts: 10, lastError: "down" })
      cursors.advance("archive", 7)
      expect(cursors.get("archive")).toEqual({ seq: 7, attempts: 0, nextAt: 0, lastError: null })
    })
  })

  it("is idempotent on (workspace, seq): re-delivering overlapping batches leaves the rows of one clean pass, which match the projection", async () => {
    const { slug, upstream } = await busyWorkspace()
    // Deletes and status changes too: an agent revoked, a second plugin installed and removed.
    await ok({ _tag: "RegisterAgent", workspace: slug, agent: "gone" })
    await ok({ _tag: "RevokeAgent", workspace: slug, agent: "gone" })
    await ok({ _tag: "InstallPlugin", workspace: slug, plugin: "up2", url: upstream.url, transport: "streamable-http", auth: "none" })
    await ok({ _tag: "RemovePlugin", workspace: slug, plugin: "up2" })
    await settle(slug)
    const log = (await workspace(slug).events(1, 1000)).map(decodeEvent)
    // Row by row, as d1Statements writes them, or with each batch's inserts gathered, as the pusher sends them.
    const apply = async (target: string, events: typeof log, gather = false) => {
      const statements = events.flatMap((e) => d1Statements(target, e))
      const sent = gather ? gatherRows(statements) : statements
      await env.READ_MODELS.batch(sent.map((s) => env.READ_MODELS.prepare(s.sql).bind(...s.params)))
    }
    // At-least-once delivery: every batch after the first starts inside the one before it.
    for (const gather of [false, true]) {
      const target = `${slug}-again${gather ? "-gathered" : ""}`
      for (let start = 0; start < log.length; start += 4) await apply(target, log.slice(Math.max(0, start - 3), start + 4), gather)
      await apply(target, log, gather)
      await apply(target, log.slice(log.length - 5), gather)
      expect(await readModelRows(target)).toEqual(await readModelRows(slug))
    }
    const rows = await readModelRows(slug)

    // And the rows say what the inline projection says.
    const { state } = await workspace(slug).snapshot()
    const pairs = (entries: Array<[string, unknown]>) => entries.sort(([a], [b]) => a.localeCompare(b))
    expect(pairs(rows.agents!.map((a) => [a.agent as string, a.status]))).toEqual(pairs(Object.entries(state.agents).map(([id, a]) => [id, a.status])))
    expect(pairs(rows.tools!.map((t) => [t.tool as string, t.status]))).toEqual(pairs(Object.entries(state.tools).map(([id, t]) => [id, t.status])))
    expect(rows.plugins!.map((p) => p.plugin)).toEqual(Object.keys(state.plugins))
    expect(rows.agents!.find((a) => a.agent === "gone")).toMatchObject({ status: "revoked" })
  })

  it("keeps each batch within D1's statement budget, however many events are asked for", async () => {
    const { slug } = await busyWorkspace()
    for (let i = 0; i < 300; i++) await workspace(slug).execute({ _tag: "RegisterAgent", agent: `n${i}`, keyHash: i.toString(16).padStart(64, "0"), keyPrefix: "berth_t" }, admin)
    await settle(slug)
    await workspace(slug).resetReadModels()
    // An agent registration is two statements; a batch of at most D1_BATCH_STATEMENTS holds at most half as many events.
    const first = await workspace(slug).pushReadModels(1000)
    expect(first.cursor).toBeLessThanOrEqual(D1_BATCH_STATEMENTS / 2 + 5)
    expect(first.cursor).toBeGreaterThan(D1_BATCH_STATEMENTS / 4)
    const sizes = [first.cursor]
    let lag = first
    while (lag.lag > 0) {
      const before = lag.cursor
      lag = await workspace(slug).pushReadModels(1000)
      sizes.push(lag.cursor - before)
    }
    expect(sizes.length).toBeGreaterThan(1)
    expect((await readModelRows(slug)).agents).toHaveLength(2 + 300)
  })

  it("sends one event that is over the statement budget in several batches, and moves on", async () => {
    const { slug } = await busyWorkspace()
    const tools = Array.from({ length: D1_BATCH_STATEMENTS + 150 }, (_, i) => ({ name: `t${i}`, hash: i.toString(16).padStart(64, "0") }))
    const installed = await workspace(slug).execute(
      { _tag: "InstallPlugin", plugin: "huge", url: "http://127.0.0.1:1/mcp", transport: "streamable-http", auth: "none", discovery: { tools } },
      admin
    )
    expect(installed.ok).toBe(true)
    await ok({ _tag: "RegisterAgent", workspace: slug, agent: "after" })
    const settled = await settle(slug)
    expect(settled.d1).toMatchObject({ lag: 0, attempts: 0 })
    expect(await count("tools", slug)).toBe(tools.length + UPSTREAM_TOOLS.length)
    expect((await readModelRows(slug)).agents!.map((a) => a.agent)).toContain("after")
  })

  it("paces pushes under steady appends, but sends at once while a whole batch is waiting", async () => {
    // An object with no workspace has no alarm of its own: the log and cursor here are the test's alone.
    const slug = freshSlug("pace")
    await runInDurableObject(env.WORKSPACE.getByName(slug), async (_instance, state) => {
      const log = new EventLog(state.storage.sql)
      const pusher = new D1Pusher(env.READ_MODELS, slug, log, async (from, limit) => log.read(from, limit), new Cursors(state.storage.sql))
      const append = (count: number, from: number) => {
        const events = Array.from({ length: count }, (_, i) => event("AgentRegistered", { agent: `a${from + i}`, via: "key" }))
        log.advance(state.storage.transactionSync(() => log.append(events, { actor: { type: "system", id: "test" }, correlationId: "c", causationId: null })))
      }
      expect(pusher.due()).toBeNull()
      append(D1_BATCH_EVENTS + 20, 0)
      const pushed = await pusher.push(10)
      expect(pushed).toMatchObject({ cursor: 10, lag: D1_BATCH_EVENTS + 10 })
      // A batch's worth behind the log: the next push is due now, not an interval after this one.
      expect(pusher.due()!).toBeLessThanOrEqual(Date.now())
      const started = Date.now()
      expect(await pusher.push(20)).toMatchObject({ cursor: 30, lag: D1_BATCH_EVENTS - 10 })
      // Less than a batch behind: paced, so steady appends gather into one batch.
      expect(pusher.due()!).toBeGreaterThanOrEqual(started + D1_PUSH_INTERVAL_MS)
      append(10, D1_BATCH_EVENTS + 20)
      expect(pusher.due()!).toBeLessThanOrEqual(Date.now())
      expect(await pusher.push()).toMatchObject({ cursor: D1_BATCH_EVENTS + 30, lag: 0 })
      expect(pusher.due()).toBeNull()
    })
    expect(await count("agents", slug)).toBe(D1_BATCH_EVENTS + 30)
  })

  it("rebuilds from the log: reset, push to the head, the same rows", async () => {
    const { slug } = await busyWorkspace()
    await settle(slug)
    const before = await readModelRows(slug)
    const reset = await workspace(slug).resetReadModels()
    expect(reset).toMatchObject({ cursor: 0, lag: await eventCount(slug) })
    for (const table of READ_MODEL_TABLES) expect(await count(table, slug)).toBe(0)
    let lag = reset.lag
    while (lag > 0) lag = (await workspace(slug).pushReadModels(7)).lag
    expect(await readModelRows(slug)).toEqual(before)
  })
})

describe("gatherRows", () => {
  const at = "2026-11-25T20:00:00.000Z"
  const hex = (n: number, width: number) => n.toString(16).padStart(width, "0")
  /** The events of `count` tool calls, each started, traced and finished, as stored envelopes. */
  const events = (count: number) => {
    const domain = Array.from({ length: count }, (_, i) => {
      const run = `run-${i}`
      const traceId = hex(i, 32)
      return [
        event("RunStarted", { run, traceId, agent: "bot", tool: "up__echo", argsHash: hex(i, 64), argsSize: 12 }),
        event("SpanRecorded", { run, span: { traceId, spanId: hex(i, 16), name: "tools/call up__echo", start: at, end: at, status: { code: "ok" }, attributes: { "berth.run": run } } }),
        event("RunFinished", { run, status: "ok", durationMs: 3, resultHash: hex(i, 64), resultSize: 40 })
      ]
    }).flat()
    return domain.flatMap((e, i) =>
      d1Statements(
        "ws",
        decodeEvent({ seq: i + 1, id: `id-${i + 1}`, type: e.type, v: 1, at, actor: { type: "agent", id: "bot" }, correlationId: "c", causationId: null, data: e.data, prevHash: "0".repeat(64), hash: "0".repeat(64) })
      )
    )
  }

  it("sends each table's row inserts as few statements, where the first stood, keeping every row and every other statement in order", () => {
    const statements = events(3 * MAX_ROWS)
    const gathered = gatherRows(statements)
    // Everything that is not a row insert, in its order.
    const others = (list: ReadonlyArray<{ sql: string }>) => list.filter((s) => !MANY_ROWS.has(s.sql) && ![...MANY_ROWS.values()].includes(s.sql))
    expect(others(gathered)).toEqual(others(statements))
    // Every row, in order, in statements of at most MAX_ROWS.
    for (const [one, many] of MANY_ROWS) {
      const rows = statements.filter((s) => s.sql === one).map((s) => s.params)
      const groups = gathered.filter((s) => s.sql === many).map((s) => JSON.parse(s.params[0] as string) as Array<unknown>)
      expect(groups.flat()).toEqual(rows)
      for (const group of groups) expect(group.length).toBeLessThanOrEqual(MAX_ROWS)
    }
    // A gathered statement stands where its first row stood, among the others.
    const firstFinish = statements.findIndex((s) => s.sql.startsWith("UPDATE runs"))
    const firstRunStart = statements.findIndex((s) => s.sql.startsWith("INSERT INTO runs"))
    expect(firstRunStart).toBeLessThan(firstFinish)
    expect(gathered.findIndex((s) => s.sql.startsWith("INSERT INTO runs"))).toBeLessThan(gathered.findIndex((s) => s.sql.startsWith("UPDATE runs")))
    expect(gathered.length).toBeLessThan(statements.length / 4)
  })

  it("stores what an agent chose the same either way, a lone surrogate included", async () => {
    // A refused call records the tool name the agent sent, whatever it is.
    const refused = (workspace: string) =>
      d1Statements(
        workspace,
        decodeEvent({ seq: 1, id: "id-1", type: "RunStarted", v: 1, at, actor: { type: "agent", id: "bot" }, correlationId: "c", causationId: null, data: { run: "r\ud800", traceId: "0".repeat(32), agent: "bot", tool: "a\ud800b\udfffc", argsHash: "0".repeat(64), argsSize: 2 }, prevHash: "0".repeat(64), hash: "0".repeat(64) })
      )
    const run = async (statements: ReadonlyArray<{ sql: string; params: ReadonlyArray<unknown> }>) =>
      void (await env.READ_MODELS.batch(statements.map((s) => env.READ_MODELS.prepare(s.sql).bind(...s.params))))
    await run(refused("surrogate-one-by-one"))
    await run(gatherRows(refused("surrogate-gathered")))
    const stored = async (workspace: string) =>
      env.READ_MODELS.prepare("SELECT hex(run) AS run, hex(tool) AS tool FROM runs WHERE workspace = ?").bind(workspace).first()
    expect(await stored("surrogate-gathered")).toEqual(await stored("surrogate-one-by-one"))
    // As U+FFFD (EF BF BD), not as the bytes of a surrogate, which are not UTF-8.
    expect(await stored("surrogate-gathered")).toEqual({ run: "72EFBFBD", tool: "61EFBFBD62EFBFBD63" })
  })

  it("starts a new statement before one would carry more than MAX_CHARS of values", () => {
    const big = "x".repeat(MAX_CHARS / 3)
    const row = (seq: number) => d1Statements("ws", decodeEvent({ seq, id: `id-${seq}`, type: "WorkspaceCreated", v: 1, at, actor: { type: "admin", id: big }, correlationId: "c", causationId: null, data: { workspace: "ws" }, prevHash: "0".repeat(64), hash: "0".repeat(64) }))[0]!
    const gathered = gatherRows([1, 2, 3, 4, 5].map(row))
    expect(gathered.map((s) => (JSON.parse(s.params[0] as string) as Array<unknown>).length)).toEqual([2, 2, 1])
    // A row over the limit by itself is sent as it is.
    const huge = row(6)
    const alone = { ...huge, params: huge.params.map((p) => (p === big ? big + big + big + big : p)) }
    const [together, ...rest] = gatherRows([row(7), alone, row(8)])
    expect(together).toMatchObject({ sql: MANY_ROWS.get(huge.sql) })
    expect(JSON.parse(together!.params[0] as string)).toHaveLength(2)
    expect(rest).toEqual([alone])
  })
})
