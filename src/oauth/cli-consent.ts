// /authorize on the plane's own authorization server: the berth CLI (`berth login`) asks to act for
// the signed-in member through the admin RPC. The member's role in each workspace still decides
// what that token may do there (src/auth/roles.ts), at every request.
import type { OAuthHelpers } from "@cloudflare/workers-oauth-provider"
import { readSession, signInUrl } from "../auth/session.ts"
import type { Env } from "../env.ts"
import { cliConsentPage, consentRefusedPage } from "./consent-page.ts"
import { consentErrors, redirect } from "./consent-errors.ts"
import { type MemberProps, planeServer } from "./servers.ts"

export const cliAuthorize = (request: Request, env: Env): Promise<Response> =>
  consentErrors(async () => {
    const oauth: OAuthHelpers = planeServer(new URL(request.url).origin).getOAuthApi(env)
    const session = await readSession(request, env)
    if (request.method === "GET") {
      const authRequest = await oauth.parseAuthRequest(request)
      if (!session) return redirect(signInUrl(request))
      const details = await oauth.describeConsent(authRequest)
      const consent = await oauth.beginConsent(authRequest)
      return cliConsentPage({ member: session.member, details, handle: consent.handle, headers: consent.headers })
    }
    if (request.method !== "POST") return new Response(null, { status: 405, headers: { allow: "GET, POST" } })
    if (!session) return consentRefusedPage("Signed out", "Your session ended. Run berth login again.", 401)
    const form = await request.formData()
    const handle = String(form.get("handle") ?? "")
    if (form.get("decision") !== "approve") {
      const denied = await oauth.denyConsent(request, handle)
      return redirect(denied.redirectTo, denied.headers)
    }
    const approved = await oauth.approveConsent(request, handle)
    const props: MemberProps = { member: session.member }
    const { redirectTo } = await oauth.completeAuthorization({
      request: approved.request,
      userId: session.member,
      metadata: props,
      scope: approved.request.scope,
      props
    })
    return redirect(redirectTo, approved.headers)
  })
