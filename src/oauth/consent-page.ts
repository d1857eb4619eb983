// The consent pages: an agent asking to dock in a workspace, and the berth CLI asking to act for a
// member. Each shows who asks (the client's name, and where that name comes from), where its tokens
// go (the redirect URI), what it may do (the scopes) and where (the workspace), as the MCP
// authorization spec asks. Everything a client chose is escaped (src/auth/html.ts). No script.
import type { ConsentDescription } from "@cloudflare/workers-oauth-provider"
import { html, type Html, page } from "../auth/html.ts"

const SCOPE_MEANING: Record<string, string> = {
  mcp: "call the workspace's tools through its MCP endpoint, as policies allow",
  member: "act as you through the admin RPC, with your role in each workspace",
  offline_access: "stay signed in (refresh its access without asking you again)"
}

/** Where the client's name comes from: a metadata document on its own domain, or its own say-so. */
const provenance = (details: ConsentDescription, registeredBy: "self" | "admin") =>
  details.clientDomain
    ? html`Its metadata document is published at <strong>${details.clientDomain}</strong> (<code>${details.clientId}</code>).`
    : registeredBy === "admin"
      ? html`It was registered in this workspace by an admin (client id <code>${details.clientId}</code>).`
      : html`It registered itself (dynamic client registration); its name is not verified. Client id <code>${details.clientId}</code>.`

const scopes = (granted: ReadonlyArray<string>) =>
  html`<ul>${granted.map((s) => html`<li><code>${s}</code>: ${SCOPE_MEANING[s] ?? "a scope Berth does not know"}</li>`)}</ul>`

const redirect = (details: ConsentDescription) =>
  html`<p>Its access will be sent to <code>${details.redirectUri}</code>.</p>
${details.redirectIsLoopback ? html`<p role="note"><strong>That is an app on your computer.</strong> Allow it only if you just started signing in from it.</p>` : ""}`

const decision = (handle: string, extra: Html | string = "") =>
  html`<form method="post">
<input type="hidden" name="handle" value="${handle}">
${extra}
<p><button type="submit" name="decision" value="approve">Allow</button> <button type="submit" name="decision" value="deny">Deny</button></p>
</form>`

/** Consent pages post to the plane, which then redirects to the client: CSP's form-action covers both. */
const withFormTarget = (response: Response, redirectUri: string) => {
  const csp = response.headers.get("content-security-policy") ?? ""
  response.headers.set("content-security-policy", csp.replace("form-action 'self'", `form-action 'self' ${new URL(redirectUri).origin}`))
  return response
}

export interface AgentConsent {
  readonly workspace: string
  readonly member: string
  readonly details: ConsentDescription
  readonly registeredBy: "self" | "admin"
  /** The agent name the approval registers (or reuses), which the member may change. */
  readonly agent: string
  /** Whether `agent` is this member's agent for this client already. */
  readonly returning: boolean
  readonly handle: string
  readonly headers: Headers
  readonly error?: string
}

export const agentConsentPage = (c: AgentConsent): Response =>
  withFormTarget(
    page(
      `Let ${c.details.clientName} dock in ${c.workspace}?`,
      html`<p>Signed in as <strong>${c.member}</strong>. <strong>${c.details.clientName}</strong> asks to act as an agent in the workspace <strong>${c.workspace}</strong>.</p>
<p>${provenance(c.details, c.registeredBy)}</p>
${redirect(c.details)}
<p>It asks to:</p>
${scopes(c.details.scope)}
${c.error ? html`<p role="alert">${c.error}</p>` : ""}
${decision(
  c.handle,
  c.returning
    ? html`<p>It docks as your agent <strong>${c.agent}</strong>, as before.</p><input type="hidden" name="agent" value="${c.agent}">`
    : html`<label for="agent">Agent name in ${c.workspace}</label>
<input id="agent" name="agent" value="${c.agent}" required pattern="[A-Za-z0-9][A-Za-z0-9._\\-]{0,62}[A-Za-z0-9]?" aria-describedby="agent-hint">
<p class="hint" id="agent-hint">Runs and policies name the agent by this. You own it: its calls are recorded under it.</p>`
)}`,
      { headers: c.headers, status: c.error ? 409 : 200 }
    ),
    c.details.redirectUri
  )

export interface CliConsent {
  readonly member: string
  readonly details: ConsentDescription
  readonly handle: string
  readonly headers: Headers
}

export const cliConsentPage = (c: CliConsent): Response =>
  withFormTarget(
    page(
      `Sign in ${c.details.clientName} as ${c.member}?`,
      html`<p><strong>${c.details.clientName}</strong> asks to act as you, <strong>${c.member}</strong>, on this plane.</p>
<p>${provenance(c.details, "self")}</p>
${redirect(c.details)}
<p>It asks to:</p>
${scopes(c.details.scope)}
${decision(c.handle)}`,
      { headers: c.headers }
    ),
    c.details.redirectUri
  )

/** A consent that cannot go on: the member may not approve, the allowlist excludes the client, the request is bad. */
export const consentRefusedPage = (title: string, message: Html | string, status: number): Response =>
  page(title, html`<p role="alert">${message}</p>`, { status })
