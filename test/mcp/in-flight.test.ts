// The registry a 2025-era cancellation looks its call up in: by agent and request id, so one agent
// can never cancel another's call, and a finished call cannot be cancelled.
import { expect, it } from "vitest"
import { InFlightCalls } from "../../src/mcp/in-flight.ts"

it("cancels only the named agent's running call with that id", () => {
  const calls = new InFlightCalls()
  const mine = calls.start("bot", 7)
  const theirs = calls.start("other", 7)
  const stringId = calls.start("bot", "7")

  expect(calls.cancel("other", 8)).toBe(false)
  expect(calls.cancel("bot", 7, "the agent gave up")).toBe(true)
  expect(mine.signal.aborted).toBe(true)
  expect((mine.signal.reason as Error).message).toBe("the agent gave up")
  expect([theirs.signal.aborted, stringId.signal.aborted]).toEqual([false, false])

  theirs.end()
  expect(calls.cancel("other", 7)).toBe(false)
  expect(calls.cancel("bot", undefined)).toBe(false)
  mine.end()
  stringId.end()
  expect(calls.size).toBe(0)
})
