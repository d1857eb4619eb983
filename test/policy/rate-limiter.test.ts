// The token bucket itself, with an explicit clock: capacity, refill, and which limit refuses.
import { describe, expect, it } from "vitest"
import { initialState, type WorkspaceState } from "../../projections/state.ts"
import { RateLimiter } from "../../src/policy/rate-limiter.ts"

const withLimits = (limits: WorkspaceState["limits"]): WorkspaceState => ({ ...initialState, limits })
const at = "2026-11-25T00:00:00.000Z"

describe("RateLimiter", () => {
  it("allows perMinute calls at once, then refills one token per 60/perMinute seconds", () => {
    const state = withLimits({ "agent:bot": { scope: "agent", target: "bot", perMinute: 3, setAt: at } })
    const limiter = new RateLimiter()
    expect([0, 1, 2].map((t) => limiter.take(state, "bot", "up__echo", t).ok)).toEqual([true, true, true])
    expect(limiter.take(state, "bot", "up__echo", 3)).toEqual({
      ok: false,
      limit: "agent:bot",
      retryAfterMs: 19_997,
      reason: "rate limit 'agent:bot' (3 per minute) reached; retry in 20 s"
    })
    expect(limiter.take(state, "bot", "up__echo", 20_000).ok).toBe(true)
    expect(limiter.take(state, "bot", "up__echo", 20_001).ok).toBe(false)
    // Another agent has no limit of its own.
    expect(limiter.take(state, "other", "up__echo", 20_001).ok).toBe(true)
  })

  it("honours burst, and takes nothing when any applying bucket is empty", () => {
    const state = withLimits({
      workspace: { scope: "workspace", perMinute: 600, burst: 2, setAt: at },
      "tool:up__echo": { scope: "tool", target: "up__echo", perMinute: 60, burst: 5, setAt: at }
    })
    const limiter = new RateLimiter()
    expect(limiter.take(state, "a", "up__echo", 0).ok).toBe(true)
    expect(limiter.take(state, "b", "up__echo", 0).ok).toBe(true)
    const refused = limiter.take(state, "c", "up__echo", 0)
    expect(refused).toMatchObject({ ok: false, limit: "workspace" })
    // The refused call took no tool token: after the workspace refills, the tool still has 3 left.
    expect([100, 200, 300].map((t) => limiter.take(state, "c", "up__echo", t).ok)).toEqual([true, true, true])
  })
})
