// When a job fires: once at a time (`at`, or `delayMs` from now) or on a five-field cron schedule in
// UTC, parsed by effect's Cron. Each rule names the field it checks, so a script's error says which.
import { Cron, Result } from "effect"
import { ISO_8601_WITH_ZONE } from "../../events/index.ts"

/** A one-shot job may be at most a year ahead; a cron job fires at most once a minute (five fields). */
export const MAX_AHEAD_MS = 366 * 24 * 3600 * 1000
/** Scheduled jobs a workspace may hold at once. */
export const MAX_JOBS = 100

export type When = { readonly at: string } | { readonly delayMs: number } | { readonly cron: string }

export interface Timing {
  readonly at?: string
  readonly cron?: string
  readonly nextAt: string
}

export type Rule = { readonly field: string; readonly reason: string }

const CRON_FIELDS = "a cron expression is five fields in UTC: minute hour day-of-month month day-of-week (such as '*/15 * * * *')"

/** The cron expression parsed, or why not. Six fields (seconds) are refused: a job fires at most once a minute. */
export const parseCron = (cron: string): Cron.Cron | Rule => {
  if (cron.trim().split(/\s+/).length !== 5) return { field: "cron", reason: CRON_FIELDS }
  const parsed = Cron.parse(cron, "UTC")
  return Result.isSuccess(parsed) ? parsed.success : { field: "cron", reason: `${parsed.failure.message}; ${CRON_FIELDS}` }
}

/** A cron job's next time after `after`. */
export const nextCronAt = (cron: Cron.Cron, after: number): string => Cron.next(cron, new Date(after)).toISOString()

export const isRule = (value: unknown): value is Rule => typeof value === "object" && value !== null && "reason" in value && "field" in value

/** When a job given `when` first fires, as of `now`; or the rule it breaks. */
export const timing = (when: unknown, now: number): Timing | Rule => {
  if (typeof when !== "object" || when === null || Array.isArray(when))
    return { field: "when", reason: "when is one of { at: ISO-8601 time }, { delayMs: milliseconds } or { cron: expression }" }
  const keys = Object.keys(when).filter((k) => (when as Record<string, unknown>)[k] !== undefined)
  if (keys.length !== 1 || !["at", "delayMs", "cron"].includes(keys[0]!))
    return { field: "when", reason: `when has exactly one of at, delayMs or cron (it has ${keys.length === 0 ? "none" : keys.join(", ")})` }
  const { at, delayMs, cron } = when as { at?: unknown; delayMs?: unknown; cron?: unknown }
  if (cron !== undefined) {
    if (typeof cron !== "string") return { field: "cron", reason: CRON_FIELDS }
    const parsed = parseCron(cron)
    return isRule(parsed) ? parsed : { cron: cron.trim(), nextAt: nextCronAt(parsed, now) }
  }
  if (delayMs !== undefined) {
    if (!Number.isInteger(delayMs) || (delayMs as number) < 0 || (delayMs as number) > MAX_AHEAD_MS)
      return { field: "delayMs", reason: `delayMs is a whole number of milliseconds from 0 to ${MAX_AHEAD_MS} (366 days)` }
    const fires = new Date(now + (delayMs as number)).toISOString()
    return { at: fires, nextAt: fires }
  }
  if (typeof at !== "string" || !ISO_8601_WITH_ZONE.test(at) || Number.isNaN(Date.parse(at)))
    return { field: "at", reason: "at is an ISO-8601 time with a zone, such as 2026-12-05T09:00:00Z" }
  if (Date.parse(at) > now + MAX_AHEAD_MS) return { field: "at", reason: "at is at most 366 days ahead" }
  const fires = new Date(Date.parse(at)).toISOString()
  return { at: fires, nextAt: fires }
}
