// Redaction for captured payloads (arguments, results, error texts), before they reach the log
// (DESIGN invariant 6): a value under a secret-like key is replaced whole, at any depth, and every
// string is scrubbed of the vault's values (plain, base64, URL-encoded) and of bearer and JWT shapes.
const SECRET_KEY = /pass(word|wd|phrase)?|secret|token|api[-_]?key|auth(orization)?|cookie|credential|private[-_]?key|session/i

export const REDACTED = "[redacted]"

/** Shorter values are left alone: scrubbing them would shred ordinary text. */
export const MIN_SECRET_LENGTH = 8

// A JWT (JWS: 3 segments, JWE: 5), found by its base64url header, which encodes `{"`.
const JWT = String.raw`(?<![\w-])eyJ[\w-]{10,}\.[\w-]*\.[\w-]*(?:\.[\w-]*\.[\w-]*)?`
// RFC 6750 §2.1: "Bearer" then a b64token.
const BEARER = String.raw`\b((?:[Bb]earer|BEARER)\s+)([\w.~+/-]{${MIN_SECRET_LENGTH},}=*)`
// "Bearer instructions" is prose, not a token: a token has a digit, a symbol, or mixed case.
const WORD = /^[A-Za-z][a-z]*$/

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")

const base64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes))
const base64url = (b64: string) => b64.replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "")

/**
 * The base64 forms of a value: whole (padded and not), and the part that depends on the value
 * alone when it sits 1 or 2 bytes into a longer encoding (`Basic base64(user:secret)`), as GitHub
 * Actions masks them. Each also in base64url.
 */
const base64Forms = (value: string) => {
  const utf8 = new TextEncoder().encode(value)
  const forms = [base64(utf8)]
  for (const offset of [0, 1, 2]) {
    const shifted = new Uint8Array(offset + utf8.length)
    shifted.set(utf8, offset)
    const encoded = base64(shifted)
    // Keep only the characters whose 6 bits all come from the value: drop those that mix in the
    // bytes before it (the first 2 or 3 of the first group) or after it (the last of a partial group).
    const rest = shifted.length % 3
    const end = Math.floor(shifted.length / 3) * 4 + rest
    forms.push(encoded.slice([0, 2, 3][offset], end))
  }
  return forms.flatMap((form) => [form, base64url(form)])
}

/** Every form a secret may take in a payload. */
const formsOf = (secret: string) => [
  secret,
  encodeURIComponent(secret),
  encodeURIComponent(secret).replace(/%20/g, "+"),
  JSON.stringify(secret).slice(1, -1),
  ...base64Forms(secret)
]

/** Scrubs one call's payloads; built once per call, since expanding the secrets costs more than using them. */
export interface Scrubber {
  readonly text: (text: string) => string
}

/** A scrubber for these secret values (the workspace's vault values), and bearer and JWT shapes. */
export const scrubberFor = (secrets: ReadonlyArray<string>): Scrubber => {
  const forms = [...new Set(secrets.filter((s) => s.length >= MIN_SECRET_LENGTH).flatMap(formsOf))]
    .filter((form) => form.length >= MIN_SECRET_LENGTH)
    // Longest first, so a padded form wins over its unpadded prefix.
    .sort((a, b) => b.length - a.length)
  const known = forms.length === 0 ? "" : `(${forms.map(escape).join("|")})|`
  const pattern = new RegExp(`${known}(${JWT})|${BEARER}`, "g")
  const shapesAt = forms.length === 0 ? 1 : 2
  return {
    text: (text) =>
      text.length < MIN_SECRET_LENGTH
        ? text
        : text.replace(pattern, (match, ...groups: Array<string | undefined>) => {
            const [scheme, token] = [groups[shapesAt], groups[shapesAt + 1]]
            if (scheme === undefined || token === undefined) return REDACTED
            return WORD.test(token) ? match : `${scheme}${REDACTED}`
          })
  }
}

/** Bearer and JWT shapes only: no vault values. */
export const SHAPES_ONLY: Scrubber = scrubberFor([])

/**
 * The most of an error text a run keeps. An upstream's error can carry a whole HTTP body (the SDK's
 * client quotes it), and an agent's answer any message it likes; the log keeps what explains the error.
 */
export const MAX_RECORDED_TEXT = 4096
/** The most of a name a run keeps when it names nothing the workspace has (an agent's own text). */
export const MAX_UNKNOWN_NAME = 200

/** `text` cut at `max` characters, marked with `…` when it was cut. */
export const clipText = (text: string, max: number): string => (text.length > max ? `${text.slice(0, max)}…` : text)

/** Text from outside (an upstream's, an agent's) as a run records it: scrubbed of secrets, then cut. */
export const recordedText = (scrubber: Scrubber, text: string, max = MAX_RECORDED_TEXT): string => clipText(scrubber.text(text), max)

/** A captured payload as it may be recorded: secret-like keys replaced, every string (keys too) scrubbed. */
export const redact = (value: unknown, scrubber: Scrubber = SHAPES_ONLY): unknown => {
  if (typeof value === "string") return scrubber.text(value)
  if (Array.isArray(value)) return value.map((v) => redact(v, scrubber))
  if (value === null || typeof value !== "object") return value
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [scrubber.text(k), SECRET_KEY.test(k) ? REDACTED : redact(v, scrubber)])
  )
}
