// Test helpers for the async projections: drive a workspace's alarm until D1 (or the archive)
// has caught up with its log, and read D1 rows in a form that compares across workspaces.
import { runDurableObjectAlarm } from "cloudflare:test"
import { env } from "cloudflare:workers"
import type { Projections } from "../../src/fanout/status.ts"
import { workspace } from "../workspace/workspace-client.ts"

/** Runs the workspace's alarm until `done` holds for its projections; fails after `withinMs`. */
export const settle = async (slug: string, done: (p: Projections) => boolean = (p) => p.d1.lag === 0, withinMs = 15_000) => {
  const deadline = Date.now() + withinMs
  while (Date.now() < deadline) {
    const { projections } = await workspace(slug).snapshot()
    if (done(projections)) return projections
    // Fire the alarm now rather than wait for it; a job still backing off just reschedules itself.
    await runDurableObjectAlarm(env.WORKSPACE.getByName(slug))
    await new Promise((r) => setTimeout(r, 10))
  }
  throw new Error(`${slug}: projections did not settle: ${JSON.stringify((await workspace(slug).snapshot()).projections)}`)
}

export const READ_MODEL_TABLES = ["events", "workspaces", "agents", "plugins", "tools", "runs", "spans"] as const

/** Every D1 row of one workspace, per table, without the workspace column, in key order. */
export const readModelRows = async (slug: string) => {
  const rows: Record<string, Array<Record<string, unknown>>> = {}
  for (const table of READ_MODEL_TABLES) {
    const { results } = await env.READ_MODELS.prepare(`SELECT * FROM ${table} WHERE workspace = ? ORDER BY 2, 3`).bind(slug).all()
    rows[table] = results.map(({ workspace: _, ...row }) => row)
  }
  return rows
}
