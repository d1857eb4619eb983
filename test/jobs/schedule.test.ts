// When a job fires: `at`, `delayMs` and five-field UTC cron expressions, each rule naming its field.
import { describe, expect, it } from "vitest"
import { isRule, MAX_AHEAD_MS, nextCronAt, parseCron, timing } from "../../src/jobs/schedule.ts"

const NOW = Date.parse("2026-12-05T08:50:30.000Z") // a Saturday

describe("timing", () => {
  it("at: the time itself, normalised; delayMs: from now", () => {
    expect(timing({ at: "2026-12-05T10:00:00+01:00" }, NOW)).toEqual({ at: "2026-12-05T09:00:00.000Z", nextAt: "2026-12-05T09:00:00.000Z" })
    expect(timing({ delayMs: 2000 }, NOW)).toEqual({ at: "2026-12-05T08:50:32.000Z", nextAt: "2026-12-05T08:50:32.000Z" })
    expect(timing({ delayMs: 0, at: undefined }, NOW)).toMatchObject({ nextAt: "2026-12-05T08:50:30.000Z" })
    // A time already past is due at once (the alarm fires it on its next pass).
    expect(timing({ at: "2026-12-05T08:00:00Z" }, NOW)).toEqual({ at: "2026-12-05T08:00:00.000Z", nextAt: "2026-12-05T08:00:00.000Z" })
  })

  it("cron: the next matching minute in UTC, after now", () => {
    expect(timing({ cron: "*/15 * * * *" }, NOW)).toEqual({ cron: "*/15 * * * *", nextAt: "2026-12-05T09:00:00.000Z" })
    // Weekdays at 09:00: from a Saturday, the Monday.
    expect(timing({ cron: " 0 9 * * 1-5 " }, NOW)).toEqual({ cron: "0 9 * * 1-5", nextAt: "2026-12-07T09:00:00.000Z" })
    const parsed = parseCron("0 9 * * 1-5")
    if (isRule(parsed)) throw new Error(parsed.reason)
    expect(nextCronAt(parsed, Date.parse("2026-12-07T09:00:00.000Z"))).toBe("2026-12-08T09:00:00.000Z")
  })

  it.each([
    ["not an object", "soon", "when"],
    ["none of the three", {}, "when"],
    ["two at once", { delayMs: 1, cron: "* * * * *" }, "when"],
    ["an unknown key", { every: "1h" }, "when"],
    ["a cron field out of range", { cron: "61 * * * *" }, "cron"],
    ["six fields (seconds)", { cron: "*/5 * * * * *" }, "cron"],
    ["a cron that is not text", { cron: 5 }, "cron"],
    ["a negative delay", { delayMs: -1 }, "delayMs"],
    ["a fractional delay", { delayMs: 1.5 }, "delayMs"],
    ["a delay past a year", { delayMs: MAX_AHEAD_MS + 1 }, "delayMs"],
    ["a time without a zone", { at: "2026-12-05T10:00:00" }, "at"],
    ["words for a time", { at: "tomorrow" }, "at"],
    ["a time past a year", { at: "2028-01-01T00:00:00Z" }, "at"]
  ])("refuses %s, naming the field", (_, when, field) => {
    const refused = timing(when, NOW)
    expect(isRule(refused) && refused.field).toBe(field)
  })
})
