// A member's browser session: the `__Host-berth-session` cookie, HttpOnly, Secure, SameSite=Lax,
// holding the member id and an expiry signed under BERTH_SESSION_SECRET. No secret, no sessions.
import { Option, Schema } from "effect"
import type { Env } from "../env.ts"
import { clearCookie, readCookie, setCookie, signValue, verifyValue } from "./signed-cookie.ts"

export const SESSION_COOKIE = "__Host-berth-session"
export const SESSION_SECONDS = 12 * 60 * 60
const PURPOSE = "session"

/** The signed payload: the member id (an email) and the expiry in seconds since the epoch. */
const SessionPayload = Schema.fromJsonString(Schema.Struct({ member: Schema.String, exp: Schema.Number }))
const decodePayload = Schema.decodeUnknownOption(SessionPayload)
const encodePayload = Schema.encodeSync(SessionPayload)

export interface Session {
  readonly member: string
}

/** The member signed in on this request, or null: no cookie, a forged or expired one, or no secret. */
export const readSession = async (request: Request, env: Env): Promise<Session | null> => {
  const secret = env.BERTH_SESSION_SECRET
  const cookie = readCookie(request, SESSION_COOKIE)
  if (!secret || !cookie) return null
  const payload = await verifyValue(secret, PURPOSE, cookie)
  if (payload === null) return null
  const session = Option.getOrNull(decodePayload(payload))
  if (!session || session.exp * 1000 <= Date.now()) return null
  return { member: session.member }
}

/** The Set-Cookie header that signs `member` in for SESSION_SECONDS. */
export const sessionCookie = async (secret: string, member: string): Promise<string> => {
  const exp = Math.floor(Date.now() / 1000) + SESSION_SECONDS
  return setCookie(SESSION_COOKIE, await signValue(secret, PURPOSE, encodePayload({ member, exp })), SESSION_SECONDS)
}

export const clearSessionCookie = () => clearCookie(SESSION_COOKIE)

/**
 * Where a page that needs a member sends a browser that has none: the sign-in page, which returns
 * it to this request's path and query once signed in.
 */
export const signInUrl = (request: Request): string => {
  const here = new URL(request.url)
  const url = new URL("/auth/sign-in", here)
  url.searchParams.set("return_to", here.pathname + here.search)
  return url.href
}

/** A path a browser reads as on this host: one `/`, not `//` or `/\` (which it reads as another host). */
const isLocalPath = (path: string) => path.startsWith("/") && !path.startsWith("//") && !path.startsWith("/\\")

/**
 * A same-origin path to return to after sign-in, or the fallback. Only a path is kept, so an
 * attacker's `return_to=https://evil.example` or `//evil.example` can never redirect off the plane.
 * The path is checked again once parsed: parsing drops dot segments, so `/.//evil.example` becomes
 * `//evil.example`, which a browser would follow to another host.
 */
export const safeReturnTo = (request: Request, returnTo: string | null, fallback = "/auth/sign-in"): string => {
  if (!returnTo || !isLocalPath(returnTo)) return fallback
  const origin = new URL(request.url).origin
  const url = new URL(returnTo, origin)
  return url.origin === origin && isLocalPath(url.pathname) ? url.pathname + url.search : fallback
}
