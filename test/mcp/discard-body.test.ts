// A refusal drains the request body it did not read (http-errors.ts `discardBody`), bounded in time.
// The bound is a timer; once the body has ended it must not outlive the request, or a busy object
// collects one per refusal until workerd's limit on active timeouts.
import { expect, it } from "vitest"
import { discardBody } from "../../src/mcp/http-errors.ts"

it("leaves no timer behind once the body has ended: 12,000 drains in a row, each bounded by a minute", async () => {
  const bodyOf = () => new Response("{}").body!
  for (let i = 0; i < 12_000; i++) await discardBody(bodyOf(), 1024, 60_000)
  // Still able to set a timer: a leak would have hit workerd's limit of 10,000 active timeouts above.
  await expect(scheduler.wait(1).then(() => "fired")).resolves.toBe("fired")
})
