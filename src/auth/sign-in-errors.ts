// Why a member could not sign in. Each is shown as a page with its status (SIGN_IN_STATUS); none
// carries a secret, a code or a token.
import { Schema } from "effect"

/** No BERTH_SESSION_SECRET: sessions cannot be signed, so nobody can sign in. */
export class SessionSecretMissing extends Schema.TaggedError<SessionSecretMissing>()("SessionSecretMissing", {}) {
  override get message() {
    return "sign-in is off: this plane has no BERTH_SESSION_SECRET to sign sessions with. Set it with `wrangler secret put BERTH_SESSION_SECRET` (`npm start` writes one to .dev.vars)."
  }
}

/** Not the embedded default, and no OpenID provider configured. */
export class SignInNotConfigured extends Schema.TaggedError<SignInNotConfigured>()("SignInNotConfigured", {}) {
  override get message() {
    return "no OpenID Connect provider is configured: set BERTH_OIDC_ISSUER and BERTH_OIDC_CLIENT_ID, and the secret BERTH_OIDC_CLIENT_SECRET."
  }
}

/** Local sign-in outside the embedded default: a deployed plane refuses it whatever its config says. */
export class LocalSignInRefused extends Schema.TaggedError<LocalSignInRefused>()("LocalSignInRefused", { reason: Schema.String }) {
  override get message() {
    return `local sign-in is only for a plane on this machine (npm start): ${this.reason}`
  }
}

/** A form post whose Origin is not the plane's own (login CSRF). */
export class CrossOriginForm extends Schema.TaggedError<CrossOriginForm>()("CrossOriginForm", { origin: Schema.String }) {
  override get message() {
    return `this form must be posted from the plane's own pages, not from ${this.origin || "an unknown origin"}`
  }
}

/** The email typed into the local form is not a member id. */
export class InvalidEmail extends Schema.TaggedError<InvalidEmail>()("InvalidEmail", { reason: Schema.String }) {
  override get message() {
    return this.reason
  }
}

/** The OpenID provider's answer could not be accepted: an error it returned, a lost or mismatched flow, a bad token response. */
export class OidcSignInFailed extends Schema.TaggedError<OidcSignInFailed>()("OidcSignInFailed", { reason: Schema.String }) {
  override get message() {
    return `signing in with the OpenID provider failed: ${this.reason}`
  }
}

/** The ID token names no email the provider has verified, so it names no member. */
export class EmailNotVerified extends Schema.TaggedError<EmailNotVerified>()("EmailNotVerified", { email: Schema.optional(Schema.String) }) {
  override get message() {
    return this.email === undefined
      ? "the OpenID provider sent no email address; Berth names members by their verified email"
      : `the OpenID provider has not verified ${this.email}; Berth signs in only verified email addresses`
  }
}

export type SignInError =
  | SessionSecretMissing
  | SignInNotConfigured
  | LocalSignInRefused
  | CrossOriginForm
  | InvalidEmail
  | OidcSignInFailed
  | EmailNotVerified

export const SIGN_IN_STATUS: Record<SignInError["_tag"], number> = {
  SessionSecretMissing: 503,
  SignInNotConfigured: 503,
  LocalSignInRefused: 403,
  CrossOriginForm: 403,
  InvalidEmail: 400,
  OidcSignInFailed: 400,
  EmailNotVerified: 403
}
