// orbit.storage (R2) and orbit.cache (KV) from a script, through the hosted endpoint with a real v2
// client: text, JSON and bytes come back as they went in; list pages under the workspace's prefix;
// limits and bad keys are typed errors the script catches; every call is a span with sizes and hashes,
// never the values; and two workspaces with the same keys never see each other's objects.
import type { CallToolResult } from "@modelcontextprotocol/client"
import { env } from "cloudflare:workers"
import { describe, expect, it } from "vitest"
import { ok } from "../admin/rpc-client.ts"
import { codeWorkspace } from "./code-workspace.ts"
import { mcpClient } from "../mcp/berth-client.ts"

const structured = (result: unknown) => (result as CallToolResult).structuredContent as any

const runIn = async (ws: { slug: string; key: string }, code: string, input?: unknown) => {
  const bot = await mcpClient(ws.slug, ws.key, "modern")
  try {
    return structured(await bot.callTool({ name: "run_code", arguments: { code, ...(input === undefined ? {} : { input }) } }))
  } finally {
    await bot.close()
  }
}

describe("orbit.storage and orbit.cache", () => {
  it("keep text, JSON and bytes under the workspace's prefix, list them, and refuse bad keys and large values with typed errors", async () => {
    const ws = await codeWorkspace()
    const out = await runIn(
      ws,
      `export default async function (input, orbit) {
        await orbit.storage.put("reports/a.txt", "plain text")
        await orbit.storage.put("reports/b.json", { rows: [1, 2, 3] })
        await orbit.storage.put("blobs/c.bin", new Uint8Array([0, 1, 254, 255]))
        const listed = await orbit.storage.list({ prefix: "reports/" })
        const bytes = await orbit.storage.get("blobs/c.bin")
        const tries = {}
        const attempt = async (name, call) => { try { await call(); tries[name] = "ok" } catch (e) { tries[name] = e._tag } }
        await attempt("climb", () => orbit.storage.get("../other/reports/a.txt"))
        await attempt("absolute", () => orbit.storage.put("/etc/x", "x"))
        await attempt("large", () => orbit.storage.put("big", "x".repeat(1024 * 1024 + 1)))
        await attempt("short ttl", () => orbit.cache.put("k", 1, { ttlSeconds: 5 }))
        await orbit.cache.put("session", { user: "lovelace-1815" }, { ttlSeconds: 120 })
        const cached = await orbit.cache.get("session")
        await orbit.cache.delete("session")
        await orbit.storage.delete("reports/a.txt")
        return {
          text: await orbit.storage.get("reports/a.txt"),
          json: await orbit.storage.get("reports/b.json"),
          bytes: Array.from(bytes),
          listed: listed.objects.map((o) => o.key),
          cached,
          afterDelete: await orbit.cache.get("session"),
          tries
        }
      }`
    )
    expect(out.status).toBe("ok")
    expect(out.result).toEqual({
      text: null,
      json: { rows: [1, 2, 3] },
      bytes: [0, 1, 254, 255],
      listed: ["reports/a.txt", "reports/b.json"],
      cached: { user: "lovelace-1815" },
      afterDelete: null,
      tries: { climb: "InvalidArguments", absolute: "InvalidArguments", large: "StorageObjectTooLarge", "short ttl": "InvalidArguments" }
    })
    // In R2, under storage/<workspace>/.
    const object = await (env as any).STORAGE.get(`storage/${ws.slug}/reports/b.json`)
    expect(await object.json()).toEqual({ rows: [1, 2, 3] })

    // Spans: the primitive, sizes and hashes, never the values.
    const events = (await ok({ _tag: "ListEvents", workspace: ws.slug, limit: 1000 })).events as Array<{ type: string; data: any }>
    const spans = events.filter((e) => e.type === "SpanRecorded").map((e) => e.data.span)
    const put = spans.find((s) => s.name === "orbit.storage.put" && s.attributes["berth.orbit.args_bytes"] === 10)
    expect(put).toMatchObject({ status: { code: "ok" }, attributes: { "berth.orbit.primitive": "storage.put", "berth.orbit.args_hash": expect.stringMatching(/^[0-9a-f]{64}$/) } })
    expect(spans.find((s) => s.name === "orbit.storage.put" && s.status.code === "error")?.attributes["berth.orbit.error"]).toBeDefined()
    expect(JSON.stringify(events)).not.toContain("plain text")
    expect(JSON.stringify(events)).not.toContain("lovelace-1815")
  })

  it("two workspaces using the same keys never see each other's objects or cached values", async () => {
    const a = await codeWorkspace()
    const b = await codeWorkspace()
    const write = `export default async function (input, orbit) {
      await orbit.storage.put("shared/name", input.who)
      await orbit.cache.put("shared/name", input.who, { ttlSeconds: 120 })
      return null
    }`
    const read = `export default async function (input, orbit) {
      return { stored: await orbit.storage.get("shared/name"), cached: await orbit.cache.get("shared/name"), listed: (await orbit.storage.list()).objects.length }
    }`
    expect((await runIn(a, write, { who: "a" })).status).toBe("ok")
    expect((await runIn(b, read)).result).toEqual({ stored: null, cached: null, listed: 0 })
    expect((await runIn(b, write, { who: "b" })).status).toBe("ok")
    expect((await runIn(a, read)).result).toEqual({ stored: "a", cached: "a", listed: 1 })
    expect((await runIn(b, read)).result).toEqual({ stored: "b", cached: "b", listed: 1 })
  })

  it("orbit.db is the workspace's own SQL database: statements with parameters, typed errors, and no other workspace's tables", async () => {
    const a = await codeWorkspace()
    const b = await codeWorkspace()
    const out = await runIn(
      a,
      `export default async function (input, orbit) {
        await orbit.db.exec("CREATE TABLE tickets (id INTEGER PRIMARY KEY, title TEXT NOT NULL, codename TEXT)")
        await orbit.db.exec("INSERT INTO tickets (title, codename) VALUES (?, ?), (?, ?)", "disk full", "marmalade-77", "cert expiry", null)
        const rows = await orbit.db.query("SELECT id, title FROM tickets WHERE title LIKE ? ORDER BY id", "%full%")
        const tries = {}
        const attempt = async (name, call) => { try { await call(); tries[name] = "ok" } catch (e) { tries[name] = e._tag } }
        await attempt("syntax", () => orbit.db.query("SELEC 1"))
        await attempt("two statements", () => orbit.db.exec("DELETE FROM tickets; DROP TABLE tickets"))
        await attempt("schema", () => orbit.db.query("SELECT * FROM sqlite_master"))
        await attempt("the log", () => orbit.db.query("SELECT * FROM events"))
        return { rows, count: (await orbit.db.query("SELECT count(*) AS n FROM tickets")).rows[0][0], tries }
      }`
    )
    expect(out.status).toBe("ok")
    expect(out.result.rows).toMatchObject({ columns: ["id", "title"], rows: [[1, "disk full"]] })
    expect(out.result.count).toBe(2)
    expect(out.result.tries).toEqual({ syntax: "DbError", "two statements": "DbStatementRefused", schema: "DbStatementRefused", "the log": "DbError" })
    // Another workspace has no such table.
    const other = await runIn(b, `export default async function (input, orbit) { try { await orbit.db.query("SELECT * FROM tickets") } catch (e) { return e.message } }`)
    expect(other.result).toContain("no such table")
    // Spans name the statement by size and hash, never its text or values.
    const events = JSON.stringify((await ok({ _tag: "ListEvents", workspace: a.slug, limit: 1000 })).events)
    expect(events).toContain("orbit.db.exec")
    expect(events).toContain("berth.orbit.sql_hash")
    expect(events).not.toContain("marmalade-77")
    expect(events).not.toContain("CREATE TABLE tickets")
  })
})
