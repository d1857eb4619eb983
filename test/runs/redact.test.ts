// Captured payloads never carry a value whose key looks like a secret, at any depth.
import { expect, it } from "vitest"
import { REDACTED, redact } from "../../src/runs/redact.ts"

it("replaces secret-looking keys at any depth and keeps everything else", () => {
  const payload = {
    repo: "acme/api",
    password: "hunter2",
    headers: { Authorization: "Bearer xyz", accept: "json" },
    items: [{ api_key: "k1", name: "one" }, { apiKey: "k2" }, "plain"],
    nested: { deep: { client_secret: "s", refresh_token: "t", privateKey: "p", count: 3 } }
  }
  expect(redact(payload)).toEqual({
    repo: "acme/api",
    password: REDACTED,
    headers: { Authorization: REDACTED, accept: "json" },
    items: [{ api_key: REDACTED, name: "one" }, { apiKey: REDACTED }, "plain"],
    nested: { deep: { client_secret: REDACTED, refresh_token: REDACTED, privateKey: REDACTED, count: 3 } }
  })
  expect(JSON.stringify(redact(payload))).not.toMatch(/hunter2|xyz|"k1"|"k2"/)
  expect(redact("a string")).toBe("a string")
  expect(redact(null)).toBe(null)
})
