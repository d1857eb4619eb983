// The shelf a 2026-07-28 call waits on for the agent's retry: a token that only the same agent and
// tool can redeem, once; an expiry that aborts the call rather than forgetting it, so the call's
// own settling ends its run; and a drop that says whether the call was still waiting.
import { describe, expect, it } from "vitest"
import { ParkedCalls } from "../../src/mcp/parked-calls.ts"

describe("parked calls", () => {
  it("hands a call back only to its agent and tool, and only once", () => {
    const shelf = new ParkedCalls<{ id: number }>()
    const call = { id: 1 }
    const token = shelf.park("bot", "up__sample", call, () => undefined, 60_000)
    expect(token).toMatch(/^[0-9a-f]{32}$/)
    expect(shelf.take(token, "other", "up__sample")).toBeUndefined()
    expect(shelf.take(token, "bot", "up__echo")).toBeUndefined()
    expect(shelf.take("0".repeat(32), "bot", "up__sample")).toBeUndefined()
    expect(shelf.take(token, "bot", "up__sample")).toBe(call)
    expect(shelf.take(token, "bot", "up__sample")).toBeUndefined()
    expect(shelf.size).toBe(0)
  })

  it("expires a call the agent does not come back to, and keeps it until the call's settling drops it", async () => {
    const shelf = new ParkedCalls<{ id: number }>()
    const expired: Array<number> = []
    const call = { id: 2 }
    shelf.park("bot", "up__sample", call, (c) => void expired.push(c.id), 20)
    await scheduler.wait(60)
    expect(expired).toEqual([2])
    expect(shelf.size).toBe(1)
    expect(shelf.drop(call)).toBe(true)
    expect(shelf.drop(call)).toBe(false)
  })

  it("does not expire a call that was taken or dropped in time", async () => {
    const shelf = new ParkedCalls<{ id: number }>()
    const expired: Array<number> = []
    const taken = { id: 3 }
    const dropped = { id: 4 }
    const token = shelf.park("bot", "up__sample", taken, (c) => void expired.push(c.id), 20)
    shelf.park("bot", "up__sample", dropped, (c) => void expired.push(c.id), 20)
    shelf.take(token, "bot", "up__sample")
    shelf.drop(dropped)
    await scheduler.wait(60)
    expect(expired).toEqual([])
  })
})
