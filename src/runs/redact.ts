// Redaction for captured payloads: any value whose key looks like it holds a secret is replaced,
// at any depth, before a payload can reach the log (DESIGN invariant 6).
const SECRET_KEY = /pass(word|wd|phrase)?|secret|token|api[-_]?key|auth(orization)?|cookie|credential|private[-_]?key|session/i

export const REDACTED = "[redacted]"

export const redact = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(redact)
  if (value === null || typeof value !== "object") return value
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, SECRET_KEY.test(k) ? REDACTED : redact(v)]))
}
