// Token buckets that enforce a workspace's rate limits. They live in the workspace's Durable Object,
// keyed by the limit (agent, tool, workspace), so an agent that re-initializes or opens a new
// session meets the same bucket. A bucket that was never used starts full. An evicted object
// starts with full buckets again: they are a throttle, not a ledger.
import type { WorkspaceState } from "../../projections/state.ts"
import { limitKey } from "../../projections/state.ts"

export type Throttle = { readonly ok: true } | { readonly ok: false; readonly limit: string; readonly retryAfterMs: number; readonly reason: string }

interface Bucket {
  tokens: number
  at: number
}

/** What a refused call's rate-limit span records: which limit, and when to retry. */
export const throttleAttributes = (throttle: Extract<Throttle, { ok: false }>) => ({ "berth.limit": throttle.limit, "berth.retry_after_ms": throttle.retryAfterMs })

export class RateLimiter {
  readonly #buckets = new Map<string, Bucket>()

  /** Takes one token from every bucket that applies, or none if any is empty. */
  take(state: WorkspaceState, agent: string, tool: string, now = Date.now()): Throttle {
    const applying = [limitKey("workspace", undefined), limitKey("agent", agent), limitKey("tool", tool)]
      .map((key) => [key, state.limits[key]] as const)
      .filter((entry): entry is readonly [string, NonNullable<(typeof entry)[1]>] => entry[1] !== undefined)
    const refilled = applying.map(([key, limit]) => {
      const capacity = limit.burst ?? limit.perMinute
      const perMs = limit.perMinute / 60_000
      const bucket = this.#buckets.get(key) ?? { tokens: capacity, at: now }
      const tokens = Math.min(capacity, bucket.tokens + (now - bucket.at) * perMs)
      return { key, limit, perMs, tokens }
    })
    const empty = refilled.find((b) => b.tokens < 1)
    if (empty) {
      const retryAfterMs = Math.ceil((1 - empty.tokens) / empty.perMs)
      return {
        ok: false,
        limit: empty.key,
        retryAfterMs,
        reason: `rate limit '${empty.key}' (${empty.limit.perMinute} per minute) reached; retry in ${Math.ceil(retryAfterMs / 1000)} s`
      }
    }
    for (const b of refilled) this.#buckets.set(b.key, { tokens: b.tokens - 1, at: now })
    return { ok: true }
  }
}
