// Cookies the browser carries but cannot forge: a payload and its HMAC-SHA-256 (WebCrypto) under
// BERTH_SESSION_SECRET. The MAC covers a purpose label, so a value signed for one cookie is refused as another.
import { Buffer } from "node:buffer"

const encoder = new TextEncoder()
const keys = new Map<string, Promise<CryptoKey>>()

const hmacKey = (secret: string) => {
  let key = keys.get(secret)
  if (!key) {
    key = crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"])
    keys.set(secret, key)
  }
  return key
}

const signed = (purpose: string, payload: string) => encoder.encode(`${purpose}\n${payload}`)

/** `base64url(payload).base64url(mac)`: safe as a cookie value. */
export const signValue = async (secret: string, purpose: string, payload: string): Promise<string> => {
  const mac = await crypto.subtle.sign("HMAC", await hmacKey(secret), signed(purpose, payload))
  return `${Buffer.from(payload).toString("base64url")}.${Buffer.from(mac).toString("base64url")}`
}

/** The payload, if `value` was signed for `purpose` under `secret`; null otherwise. */
export const verifyValue = async (secret: string, purpose: string, value: string): Promise<string | null> => {
  const match = /^([A-Za-z0-9_-]*)\.([A-Za-z0-9_-]+)$/.exec(value)
  if (!match) return null
  const payload = Buffer.from(match[1]!, "base64url").toString("utf8")
  const mac = Buffer.from(match[2]!, "base64url")
  // crypto.subtle.verify compares in constant time.
  return (await crypto.subtle.verify("HMAC", await hmacKey(secret), mac, signed(purpose, payload))) ? payload : null
}

/** One cookie's value from the request's Cookie header. */
export const readCookie = (request: Request, name: string): string | null => {
  for (const pair of (request.headers.get("cookie") ?? "").split(";")) {
    const at = pair.indexOf("=")
    if (at !== -1 && pair.slice(0, at).trim() === name) return pair.slice(at + 1).trim()
  }
  return null
}

// `__Host-` (RFC 6265bis §4.1.3.2): Secure, Path=/, no Domain, so no sibling host can set or widen it.
// Chrome treats http://localhost and 127.0.0.1 as secure contexts and keeps Secure cookies there.
export const setCookie = (name: string, value: string, maxAgeSeconds: number, sameSite: "Lax" | "Strict" = "Lax") =>
  `${name}=${value}; Path=/; HttpOnly; Secure; SameSite=${sameSite}; Max-Age=${maxAgeSeconds}`

export const clearCookie = (name: string) => `${name}=; Path=/; HttpOnly; Secure; SameSite=Lax; Max-Age=0`
