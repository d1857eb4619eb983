// An agent that declared roots gets a 2025 session of its own upstream (src/mcp/upstream-pool.ts),
// at most MAX_ROOTS_SESSIONS per pool. Evicting the least recently used one must not cut off a call
// that is still on it: the session is closed when that call ends, and the agent's next request opens
// a new one.
import { Client } from "@modelcontextprotocol/client"
import { afterEach, describe, expect, inject, it } from "vitest"
import { MAX_ROOTS_SESSIONS, UpstreamPool, type UpstreamRef } from "../../src/mcp/upstream-pool.ts"

let pool: UpstreamPool
afterEach(async () => {
  await pool.dropPlugin("every")
})

describe("agents' own 2025 sessions", () => {
  it("one evicted while a call is on it still answers that call, and is closed once the call ends", async () => {
    pool = new UpstreamPool()
    // server-everything speaks 2025 only, with sessions: the first connect finds that out.
    const shared: UpstreamRef = { plugin: "every", url: inject("everythingUrl"), transport: "streamable-http" }
    await pool.use(shared, (client) => client.ping())
    const own = (agent: number): UpstreamRef => ({ ...shared, rootsOf: `agent-${agent}` })

    let release!: () => void
    const released = new Promise<void>((resolve) => (release = resolve))
    let held!: Client
    let onIt!: () => void
    const started = new Promise<void>((resolve) => (onIt = resolve))
    const call = pool.use(own(0), async (client) => {
      held = client
      onIt()
      await released
      return client.callTool({ name: "echo", arguments: { message: "still here" } })
    })
    await started

    // As many other agents as the pool keeps sessions for: agent 0's is now the least recently used, and evicted.
    const before = pool.connects
    for (let agent = 1; agent <= MAX_ROOTS_SESSIONS; agent++) await pool.use(own(agent), (client) => client.ping())
    expect(pool.connects - before).toBe(MAX_ROOTS_SESSIONS)
    expect(held.transport).toBeDefined()

    release()
    expect((await call).content).toEqual([{ type: "text", text: "Echo: still here" }])
    // Its last call over, the evicted session is closed, and agent 0's next request opens a new one.
    await expect.poll(() => held.transport).toBeUndefined()
    let next: Client | undefined
    await pool.use(own(0), async (client) => {
      next = client
      await client.ping()
    })
    expect(next).not.toBe(held)
    expect(pool.connects - before).toBe(MAX_ROOTS_SESSIONS + 1)
  })
})
