// Test client for POST /admin/rpc through the Worker's real fetch handler.
import { SELF } from "cloudflare:test"

export const TOKEN = "test-admin-token"

export const rpc = async (body: unknown, token: string | null = TOKEN) => {
  const response = await SELF.fetch("http://berth.test/admin/rpc", {
    method: "POST",
    headers: { "content-type": "application/json", ...(token === null ? {} : { authorization: `Bearer ${token}` }) },
    body: typeof body === "string" ? body : JSON.stringify(body)
  })
  return { status: response.status, body: (await response.json()) as any }
}

/** Runs a request that must succeed and returns its result. */
export const ok = async (body: unknown) => {
  const { status, body: answer } = await rpc(body)
  if (status !== 200) throw new Error(`expected 200, got ${status}: ${JSON.stringify(answer)}`)
  return answer.result
}
