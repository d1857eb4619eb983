// Captured payloads never carry a value whose key looks like a secret, at any depth, nor a vault
// value (in its encoded forms), a bearer token or a JWT anywhere in a string.
import { describe, expect, it } from "vitest"
import { REDACTED, redact, scrubberFor, SHAPES_ONLY } from "../../src/runs/redact.ts"

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

// A JWT as jwt.io shows it (HS256, {"sub":"1234567890","name":"John Doe","iat":1516239022}).
const JWT = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"
const VAULT = "s3cr3t/vault+value=42 é"
const b64 = (s: string) => btoa(String.fromCharCode(...new TextEncoder().encode(s)))
const scrub = scrubberFor([VAULT, "short"])

describe("values are scrubbed from every string", () => {
  it.each<[string, unknown, unknown]>([
    ["a vault value", VAULT, REDACTED],
    ["a vault value inside a longer string", `key is ${VAULT}.`, `key is ${REDACTED}.`],
    ["its URL-encoded form", `https://x.test/?q=${encodeURIComponent(VAULT)}&n=1`, `https://x.test/?q=${REDACTED}&n=1`],
    ["its base64 form", `blob ${b64(VAULT)} end`, `blob ${REDACTED} end`],
    ["its base64url form", `blob ${b64(VAULT).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "")} end`, `blob ${REDACTED} end`],
    ["its JSON-escaped form", JSON.stringify({ v: VAULT }), `{"v":"${REDACTED}"}`],
    ["a bearer token", "Authorization: Bearer ghp_16C7e42F292c6912E7710c838347Ae178B4a", `Authorization: Bearer ${REDACTED}`],
    ["a lowercase bearer token", "bearer abc123def456ghi789", `bearer ${REDACTED}`],
    ["a JWT inside text", `token=${JWT}; path=/`, `token=${REDACTED}; path=/`],
    ["a bearer JWT", `Bearer ${JWT}`, `Bearer ${REDACTED}`],
    ["nested objects and arrays", { a: [{ b: `x ${VAULT}` }, [JWT]], n: 3, ok: true, nil: null }, { a: [{ b: `x ${REDACTED}` }, [REDACTED]], n: 3, ok: true, nil: null }],
    ["a secret used as a key", { [VAULT]: 1 }, { [REDACTED]: 1 }],
    ["no false positive on ordinary words", "The bearer instructions: keep the short key in a safe place", "The bearer instructions: keep the short key in a safe place"],
    ["no false positive on a value too short to scrub", "a short note", "a short note"],
    ["no false positive on eyJ without a JWT's shape", "eyJ is how base64 of {\" starts", "eyJ is how base64 of {\" starts"]
  ])("%s", (_, input, expected) => expect(redact(input, scrub)).toEqual(expected))

  it("finds a vault value inside a longer base64 encoding, at any byte offset (Basic user:secret)", () => {
    for (const user of ["a", "ab", "abc"]) {
      const basic = `Basic ${b64(`${user}:${VAULT}`)}`
      const scrubbed = scrub.text(basic)
      expect(scrubbed).toContain(REDACTED)
      // What is left around the mask is at most the two groups that mix in the neighbouring bytes.
      expect(scrubbed.replace(REDACTED, "").length).toBeLessThanOrEqual(basic.length - b64(VAULT).length + 8)
    }
  })

  it("scrubs shapes with no vault values, and keeps key-name redaction", () => {
    expect(redact({ text: `Bearer ${JWT}`, password: "hunter2" })).toEqual({ text: `Bearer ${REDACTED}`, password: REDACTED })
    expect(SHAPES_ONLY.text(`x ${VAULT}`)).toBe(`x ${VAULT}`)
  })
})
