// Test access to a real Workspace Durable Object: typed RPC, raw SQL inside the object, and
// a canonical form for comparing states (JCS ignores key order and absent optional fields).
import canonicalize from "canonicalize"
import { runInDurableObject } from "cloudflare:test"
import { env } from "cloudflare:workers"
import type { CommandOptions } from "../../src/workspace/execute.ts"
import { workspaceStub } from "../../src/workspace/stub.ts"

export const admin: CommandOptions = { actor: { type: "admin", id: "test" } }

let counter = 0
/** A fresh workspace name per test, so Durable Objects never share state across tests. */
export const freshSlug = (prefix = "ws") => `${prefix}-${Date.now().toString(36)}-${(counter++).toString(36)}`

export const workspace = (slug: string) => workspaceStub(env, slug)

/** Runs SQL inside the workspace's object, outside any code path of Berth's own. */
export const sqlIn = <T extends Record<string, SqlStorageValue>>(slug: string, query: string, ...bindings: Array<unknown>) =>
  runInDurableObject(env.WORKSPACE.getByName(slug), (_instance, state) => state.storage.sql.exec<T>(query, ...bindings).toArray())

export const eventCount = async (slug: string) =>
  (await sqlIn<{ n: number }>(slug, "SELECT count(*) AS n FROM events"))[0]!.n

export const canonical = (value: unknown) => canonicalize(value)
