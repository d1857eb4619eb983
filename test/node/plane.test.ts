import { afterAll, beforeAll, expect, it } from "vitest"
import { startPlane } from "./plane.ts"

let plane: Awaited<ReturnType<typeof startPlane>>
beforeAll(async () => {
  plane = await startPlane()
})
afterAll(() => plane?.stop())

it("serves /healthz and refuses a wrong admin token without saying why", async () => {
  expect(await (await fetch(`${plane.url}/healthz`)).json()).toEqual({ ok: true, service: "berth" })
  const wrong = await fetch(`${plane.url}/admin/rpc`, { method: "POST", headers: { authorization: "Bearer nope" }, body: "{}" })
  expect(wrong.status).toBe(401)
  expect(await wrong.json()).toEqual({ ok: false, error: { _tag: "Unauthorized", message: "unauthorized" } })
})
