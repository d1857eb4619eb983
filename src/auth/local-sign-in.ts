// Local sign-in, for the embedded default only (`npm start` on this machine): a member types an
// email and is signed in as that member. A deployed plane refuses it whatever its config says.
import { Option, Schema } from "effect"
import { MemberId } from "../../events/names.ts"
import type { Env } from "../env.ts"
import { isLoopbackAddress, isLoopbackHostname } from "./loopback.ts"
import { CrossOriginForm, InvalidEmail, LocalSignInRefused, SessionSecretMissing } from "./sign-in-errors.ts"
import { safeReturnTo, sessionCookie } from "./session.ts"

/**
 * Null when this request reaches a plane on this machine from this machine; the refusal otherwise.
 * Two facts no configuration can change decide it: on Cloudflare, the URL's host is the route's,
 * never a loopback name, and CF-Connecting-IP is the real client's address.
 */
export const localSignInRefusal = (request: Request): LocalSignInRefused | null => {
  const { hostname } = new URL(request.url)
  if (!isLoopbackHostname(hostname)) return new LocalSignInRefused({ reason: `${hostname} is not a loopback host` })
  const client = request.headers.get("cf-connecting-ip")
  if (client !== null && !isLoopbackAddress(client))
    return new LocalSignInRefused({ reason: `the request came from ${client}, not from this machine` })
  return null
}

/** Login CSRF: a form post counts only from the plane's own pages (browsers send Origin on every POST). */
export const crossOriginForm = (request: Request): CrossOriginForm | null => {
  const origin = request.headers.get("origin") ?? ""
  return origin === new URL(request.url).origin ? null : new CrossOriginForm({ origin })
}

const EMAIL = /^[^\s@]+@[^\s@]+$/
const decodeMemberId = Schema.decodeUnknownOption(MemberId)

/** The member id an email names: trimmed and lowercased, so `Ana@Acme.dev` and `ana@acme.dev` are one member. */
export const memberFromEmail = (email: string): string | InvalidEmail => {
  const member = email.trim().toLowerCase()
  if (!EMAIL.test(member)) return new InvalidEmail({ reason: "enter an email address, like ana@example.com" })
  return Option.match(decodeMemberId(member), {
    onNone: () => new InvalidEmail({ reason: "a member id is 1-254 characters without spaces" }),
    onSome: (id) => id
  })
}

/** POST /auth/local: signs the member in and sends the browser on (303) to `return_to`. */
export const localSignIn = async (request: Request, env: Env): Promise<Response> => {
  const refusal = localSignInRefusal(request) ?? crossOriginForm(request)
  if (refusal) throw refusal
  if (!env.BERTH_SESSION_SECRET) throw new SessionSecretMissing()
  const form = await request.formData()
  const member = memberFromEmail(String(form.get("email") ?? ""))
  if (member instanceof InvalidEmail) throw member
  const returnTo = safeReturnTo(request, String(form.get("return_to") ?? ""))
  return new Response(null, {
    status: 303,
    headers: { location: returnTo, "set-cookie": await sessionCookie(env.BERTH_SESSION_SECRET, member), "cache-control": "no-store" }
  })
}
