// The sign-in pages: continue with the OpenID provider, the local email form (embedded default
// only), who is signed in, and why a sign-in failed. Plain HTML through html.ts; no script.
import { html, page } from "./html.ts"
import { SIGN_IN_STATUS, type SignInError } from "./sign-in-errors.ts"

export interface SignInChoices {
  /** Same-origin path to return to afterwards. */
  readonly returnTo: string
  /** The OpenID provider's host, when one is configured. */
  readonly oidcHost: string | null
  /** Whether the local email form is offered: a plane on this machine, asked from this machine. */
  readonly local: boolean
  /** The member already signed in on this browser, if any. */
  readonly member: string | null
  /** What was wrong with the email last typed into the local form. */
  readonly emailError?: string
}

const startHref = (returnTo: string) => `/auth/oidc/start?${new URLSearchParams({ return_to: returnTo })}`

const oidcSection = (host: string, returnTo: string) => html`<section aria-labelledby="oidc-heading">
<h2 id="oidc-heading">With your organization's account</h2>
<p><a class="button" href="${startHref(returnTo)}">Continue with ${host}</a></p>
</section>`

const localForm = (returnTo: string, error: string | undefined) => html`<p class="hint" id="local-hint">This plane runs on this machine, so you may sign in as any member by email. A deployed plane never offers this.</p>
<form method="post" action="/auth/local">
<input type="hidden" name="return_to" value="${returnTo}">
<label for="email">Email</label>
<input id="email" name="email" type="email" autocomplete="email" required aria-describedby="${error ? "email-error local-hint" : "local-hint"}"${error ? html` aria-invalid="true"` : ""}>
${error ? html`<p id="email-error" role="alert">${error}</p>` : ""}
<button type="submit">Sign in</button>
</form>`

const localSection = (returnTo: string, error: string | undefined) => html`<section aria-labelledby="local-heading">
<h2 id="local-heading">Local sign-in</h2>
${localForm(returnTo, error)}
</section>`

const signOutForm = html`<form method="post" action="/auth/sign-out"><button type="submit">Sign out</button></form>`

/** GET /auth/sign-in: the ways in, or who is signed in already. */
export const signInPage = (choices: SignInChoices): Response => {
  if (choices.member !== null)
    return page(
      "Signed in",
      html`<p>You are signed in as <strong>${choices.member}</strong>.</p>
<p><a class="button" href="${choices.returnTo}">Continue</a></p>
${signOutForm}`
    )
  return page(
    "Sign in to Berth",
    html`${choices.oidcHost === null ? "" : oidcSection(choices.oidcHost, choices.returnTo)}
${choices.local ? localSection(choices.returnTo, choices.emailError) : ""}`,
    { status: choices.emailError ? 400 : 200 }
  )
}

/** GET /auth/local: the email form alone. */
export const localSignInPage = (returnTo: string): Response => page("Local sign-in", localForm(returnTo, undefined))

/** Why signing in failed, with the way back; the status comes from the error's tag. */
export const signInErrorPage = (error: SignInError): Response =>
  page(
    "Cannot sign in",
    html`<p role="alert">${error.message}</p>
<p><a href="/auth/sign-in">Back to sign-in</a></p>`,
    { status: SIGN_IN_STATUS[error._tag] }
  )
