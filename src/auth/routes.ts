// Members: /auth/* — the sign-in page, local and OpenID Connect sign-in, sign-out, and who is
// signed in. Every refusal is a page whose status comes from its tag (sign-in-errors.ts).
import type { Env } from "../env.ts"
import { stylesheet, STYLESHEET_PATH } from "./html.ts"
import { crossOriginForm, localSignIn, localSignInRefusal } from "./local-sign-in.ts"
import { finishOidc, oidcConfig, startOidc } from "./oidc.ts"
import {
  CrossOriginForm,
  EmailNotVerified,
  InvalidEmail,
  LocalSignInRefused,
  OidcSignInFailed,
  SessionSecretMissing,
  type SignInError,
  SignInNotConfigured
} from "./sign-in-errors.ts"
import { localSignInPage, signInErrorPage, signInPage } from "./sign-in-page.ts"
import { clearSessionCookie, readSession, safeReturnTo } from "./session.ts"

const SIGN_IN_ERRORS = [
  SessionSecretMissing,
  SignInNotConfigured,
  LocalSignInRefused,
  CrossOriginForm,
  InvalidEmail,
  OidcSignInFailed,
  EmailNotVerified
]
const isSignInError = (error: unknown): error is SignInError => SIGN_IN_ERRORS.some((tag) => error instanceof tag)

const returnToOf = (request: Request) => safeReturnTo(request, new URL(request.url).searchParams.get("return_to"))

const showSignIn = async (request: Request, env: Env, returnTo: string, emailError?: string) => {
  if (!env.BERTH_SESSION_SECRET) throw new SessionSecretMissing()
  const oidc = oidcConfig(env)
  const local = localSignInRefusal(request) === null
  if (!oidc && !local) throw new SignInNotConfigured()
  const session = await readSession(request, env)
  return signInPage({
    returnTo,
    oidcHost: oidc?.issuer.host ?? null,
    local,
    member: session?.member ?? null,
    ...(emailError === undefined ? {} : { emailError })
  })
}

const showLocal = (request: Request, env: Env) => {
  const refusal = localSignInRefusal(request)
  if (refusal) throw refusal
  if (!env.BERTH_SESSION_SECRET) throw new SessionSecretMissing()
  return localSignInPage(returnToOf(request))
}

const postLocal = async (request: Request, env: Env) => {
  try {
    return await localSignIn(request.clone(), env)
  } catch (error) {
    if (!(error instanceof InvalidEmail)) throw error
    // Show the form again, the error beside the field.
    const returnTo = safeReturnTo(request, String((await request.formData()).get("return_to") ?? ""))
    return showSignIn(request, env, returnTo, error.message)
  }
}

const signOut = (request: Request) => {
  const refusal = crossOriginForm(request)
  if (refusal) throw refusal
  return new Response(null, { status: 303, headers: { location: "/auth/sign-in", "set-cookie": clearSessionCookie() } })
}

/** Who this browser is signed in as, for pages and tests: `{ member }`, null when nobody. */
const sessionJson = async (request: Request, env: Env) =>
  Response.json({ member: (await readSession(request, env))?.member ?? null }, { headers: { "cache-control": "no-store" } })

const ROUTES: Record<string, (request: Request, env: Env) => Response | Promise<Response>> = {
  "GET /auth/sign-in": (request, env) => showSignIn(request, env, returnToOf(request)),
  "GET /auth/local": showLocal,
  "POST /auth/local": postLocal,
  "GET /auth/oidc/start": startOidc,
  "GET /auth/oidc/callback": finishOidc,
  "POST /auth/sign-out": signOut,
  "GET /auth/session": sessionJson,
  [`GET ${STYLESHEET_PATH}`]: stylesheet
}

export const handleAuth = async (request: Request, env: Env): Promise<Response> => {
  const { pathname } = new URL(request.url)
  const route = ROUTES[`${request.method} ${pathname}`]
  if (!route) {
    const allowed = Object.keys(ROUTES).filter((key) => key.endsWith(` ${pathname}`))
    return allowed.length > 0
      ? new Response(null, { status: 405, headers: { allow: allowed.map((key) => key.split(" ")[0]).join(", ") } })
      : Response.json({ ok: false, error: { _tag: "NotFound", message: `no route for ${pathname}` } }, { status: 404 })
  }
  try {
    return await route(request, env)
  } catch (error) {
    if (isSignInError(error)) return signInErrorPage(error)
    throw error
  }
}
