// How a consent page fails, as workers-oauth-provider's guide says (docs/consent-page.md): redirect
// to the client only once the library has validated the client and its exact redirect URI;
// everything else is rendered here and never redirected.
import { AuthorizationError, CimdFetchError } from "@cloudflare/workers-oauth-provider"
import { consentRefusedPage } from "./consent-page.ts"

export const redirect = (location: string, headers?: Headers): Response => {
  const out = new Headers(headers)
  out.set("location", location)
  return new Response(null, { status: 302, headers: out })
}

export const consentErrors = async (handle: () => Promise<Response>): Promise<Response> => {
  try {
    return await handle()
  } catch (error) {
    if (error instanceof AuthorizationError && error.redirectTo) return redirect(error.redirectTo)
    if (error instanceof AuthorizationError) return consentRefusedPage("Cannot authorize", error.description, 400)
    if (error instanceof CimdFetchError)
      return consentRefusedPage("Cannot authorize", "The app's client metadata document could not be fetched or is not valid.", 400)
    throw error
  }
}
