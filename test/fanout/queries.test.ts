// The admin API's cross-workspace queries, answered from D1 through POST /admin/rpc: filters,
// cursor pagination that visits every row once, lag in GetState, and typed refusals.
import { describe, expect, it } from "vitest"
import { ok, rpc } from "../admin/rpc-client.ts"
import { dockedWorkspace, mcpClient } from "../mcp/berth-client.ts"
import { settle } from "./fanout-client.ts"

/** Two workspaces with tool calls, D1 caught up. */
const twoWorkspaces = async () => {
  const made = []
  for (const calls of [3, 2]) {
    const docked = await dockedWorkspace()
    const client = await mcpClient(docked.slug, docked.key, "modern")
    for (let i = 0; i < calls; i++) await client.callTool({ name: "up__echo", arguments: { text: `t${i}` } })
    await client.close()
    await settle(docked.slug)
    made.push(docked.slug)
  }
  return made as [string, string]
}

const allPages = async (query: Record<string, unknown>, field: string) => {
  const items: Array<any> = []
  let cursor: string | null | undefined
  do {
    const result = await ok({ ...query, limit: 2, ...(cursor ? { cursor } : {}) })
    expect(result[field].length).toBeLessThanOrEqual(2)
    items.push(...result[field])
    cursor = result.next
  } while (cursor)
  return items
}

describe("queries across workspaces", () => {
  it("QueryRuns pages through every run of both workspaces once, newest first, and filters", async () => {
    const [a, b] = await twoWorkspaces()
    const mine = (r: { workspace: string }) => r.workspace === a || r.workspace === b
    const runs = (await allPages({ _tag: "QueryRuns" }, "runs")).filter(mine)
    expect(runs).toHaveLength(5)
    expect(new Set(runs.map((r) => r.run)).size).toBe(5)
    const started = runs.map((r) => r.startedAt)
    expect(started).toEqual([...started].sort().reverse())
    for (const run of runs) expect(run).toMatchObject({ agent: "bot", tool: "up__echo", status: "ok" })

    expect((await ok({ _tag: "QueryRuns", workspace: a })).runs).toHaveLength(3)
    expect((await ok({ _tag: "QueryRuns", workspace: b, status: "denied" })).runs).toHaveLength(0)
    const since = runs.find((r) => r.workspace === b)!.startedAt
    expect((await ok({ _tag: "QueryRuns", workspace: a, since })).runs).toHaveLength(0)
  })

  it("QuerySpans and QueryEvents answer from D1, by run, type and actor", async () => {
    const [a] = await twoWorkspaces()
    const { runs } = await ok({ _tag: "QueryRuns", workspace: a, limit: 1 })
    const spans = await allPages({ _tag: "QuerySpans", workspace: a, run: runs[0].run }, "spans")
    expect(spans.length).toBeGreaterThanOrEqual(2)
    for (const span of spans) expect(span).toMatchObject({ workspace: a, run: runs[0].run, traceId: runs[0].traceId })

    const events = await allPages({ _tag: "QueryEvents", workspace: a, type: "RunFinished" }, "events")
    expect(events).toHaveLength(3)
    expect((await ok({ _tag: "QueryEvents", workspace: a, actor: "admin" })).events.every((e: any) => e.actor.type === "admin")).toBe(true)
  })

  it("GetState reports each projection's lag", async () => {
    const [a] = await twoWorkspaces()
    const state = await ok({ _tag: "GetState", workspace: a })
    expect(state.projections.d1).toMatchObject({ cursor: state.seq, head: state.seq, lag: 0 })
    expect(state.projections.archive).toMatchObject({ head: state.seq, keyId: expect.stringMatching(/^[0-9a-f]{16}$/) })
    expect(state.projections.archive.lag).toBe(state.seq - state.projections.archive.cursor)
  })

  it("refuses a forged cursor and an archive key outside the workspace, with typed errors", async () => {
    const bad = await rpc({ _tag: "QueryRuns", cursor: "not-a-cursor" })
    expect(bad).toMatchObject({ status: 400, body: { ok: false, error: { _tag: "InvalidRequest", field: "cursor" } } })
    // Another workspace's manifest exists, but is not readable through this one.
    const [a, b] = await twoWorkspaces()
    await ok({ _tag: "SealArchive", workspace: b })
    const key = `audit/${b}/manifest.json`
    expect((await ok({ _tag: "ReadArchiveObject", workspace: b, key })).bytes).toBeGreaterThan(0)
    const outside = await rpc({ _tag: "ReadArchiveObject", workspace: a, key })
    expect(outside).toMatchObject({ status: 404, body: { error: { _tag: "ArchiveObjectNotFound" } } })
    const badTime = await rpc({ _tag: "QueryEvents", since: "yesterday" })
    expect(badTime).toMatchObject({ status: 400, body: { error: { _tag: "InvalidRequest", field: "since" } } })
  })
})
