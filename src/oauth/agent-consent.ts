// /w/{ws}/authorize: an agent asks to dock in a workspace, and a signed-in member of it answers. The
// workspace's consent is its bot allowlist: only an admin or owner may let a client in, a client the
// allowlist excludes is refused (and the refusal recorded), an approval registers the client as the
// member's agent (AgentRegistered via "oauth"), and a denial is recorded too.
import type { AuthRequest, OAuthHelpers } from "@cloudflare/workers-oauth-provider"
import type { Actor } from "../../events/index.ts"
import type { WorkspaceState } from "../../projections/state.ts"
import { returningAgent, suggestAgentName } from "../agent/oauth-commands.ts"
import { html } from "../auth/html.ts"
import { readSession, signInUrl } from "../auth/session.ts"
import { admits, allowCommand } from "../bots/allowlist.ts"
import type { Env } from "../env.ts"
import { workspaceStub } from "../workspace/stub.ts"
import { agentConsentPage, consentRefusedPage } from "./consent-page.ts"
import { consentErrors, redirect } from "./consent-errors.ts"
import { type AgentProps, agentUserId, workspaceServer } from "./servers.ts"

const AGENT_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,62}[A-Za-z0-9])?$/

export const agentAuthorize = (request: Request, env: Env, workspace: string): Promise<Response> =>
  consentErrors(async () => {
    const oauth = workspaceServer(new URL(request.url).origin, workspace).getOAuthApi(env)
    const session = await readSession(request, env)
    if (request.method === "GET") {
      const authRequest = await oauth.parseAuthRequest(request)
      if (!session) return redirect(signInUrl(request))
      return show(oauth, env, workspace, session.member, authRequest)
    }
    if (request.method !== "POST") return new Response(null, { status: 405, headers: { allow: "GET, POST" } })
    if (!session) return consentRefusedPage("Signed out", "Your session ended. Start again from the app that asked.", 401)
    return answer(request, oauth, env, workspace, session.member)
  })

/** Why this member may not answer for this workspace, or null: only admins and owners let agents dock. */
const mayNotApprove = (state: WorkspaceState, workspace: string, member: string): string | null => {
  const role = state.members[member]?.role
  if (role === "admin" || role === "owner") return null
  const who = role === undefined ? "not a member of" : `a ${role} in`
  return `You are signed in as ${member}, who is ${who} ${workspace}. Letting an agent dock needs the admin role; an owner can grant it with: berth -w ${workspace} member ${role === undefined ? "add" : "role"} ${member} --role admin`
}

const show = async (oauth: OAuthHelpers, env: Env, workspace: string, member: string, authRequest: AuthRequest) => {
  const stub = workspaceStub(env, workspace)
  const { state } = await stub.snapshot()
  const refused = mayNotApprove(state, workspace, member)
  if (refused) return consentRefusedPage("Not allowed", refused, 403)
  const details = await oauth.describeConsent(authRequest)
  const client = { name: details.clientName, clientId: details.clientId }
  const verdict = admits(state.botRules, client)
  if (!verdict.admitted) {
    const refusal = { _tag: "RecordClientRefusal", at: "consent", clientName: details.clientName.slice(0, 200), clientId: details.clientId, member }
    await stub.execute(verdict.rule === undefined ? refusal : { ...refusal, rule: verdict.rule }, { actor: memberActor(member) })
    return consentRefusedPage(
      "Client not allowed",
      html`${details.clientName} may not dock in ${workspace}: ${verdict.rule === undefined ? "it is not on the bot allowlist" : `the bot rule '${verdict.rule}' excludes it`}. An admin can let it in with: <code>${allowCommand(workspace, client, verdict)}</code>`,
      403
    )
  }
  const returning = returningAgent(state, details.clientId, member)
  const consent = await oauth.beginConsent(authRequest)
  return agentConsentPage({
    workspace,
    member,
    details,
    registeredBy: state.agentClients[details.clientId] ? "admin" : "self",
    agent: returning ?? suggestAgentName(state, details.clientName),
    returning: returning !== undefined,
    handle: consent.handle,
    headers: consent.headers
  })
}

const memberActor = (member: string): Actor => ({ type: "member", id: member })

const answer = async (request: Request, oauth: OAuthHelpers, env: Env, workspace: string, member: string) => {
  const form = await request.formData()
  const handle = String(form.get("handle") ?? "")
  const stub = workspaceStub(env, workspace)
  const actor = memberActor(member)
  if (form.get("decision") !== "approve") {
    const denied = await oauth.denyConsent(request, handle)
    const { clientId, redirectUri } = denied.request
    const clientName = (await oauth.lookupClient(clientId))?.clientName ?? clientId
    const outcome = await stub.execute(
      { _tag: "DenyOAuthConsent", clientId, clientName: clientName.slice(0, 200), member, redirectHost: new URL(redirectUri).host },
      { actor }
    )
    if (!outcome.ok) return consentRefusedPage("Not recorded", outcome.error.message, 403)
    return redirect(denied.redirectTo, denied.headers)
  }
  const agent = String(form.get("agent") ?? "")
  if (!AGENT_NAME.test(agent))
    return consentRefusedPage("Bad agent name", `'${agent}' is not an agent name: 1-64 letters, digits, '.', '_' or '-', starting and ending with a letter or digit. Start again from the app that asked.`, 400)
  const approved = await oauth.approveConsent(request, handle)
  const { clientId, redirectUri, scope } = approved.request
  const clientName = (await oauth.lookupClient(clientId))?.clientName ?? clientId
  const outcome = await stub.execute(
    { _tag: "AuthorizeOAuthAgent", agent, clientId, clientName: clientName.slice(0, 200), member, redirectHost: new URL(redirectUri).host, scopes: scope },
    { actor }
  )
  if (!outcome.ok) return consentRefusedPage("Not allowed", `${outcome.error.message}. Start again from the app that asked.`, 409)
  const props: AgentProps = { workspace, agent }
  const { redirectTo } = await oauth.completeAuthorization({
    request: approved.request,
    userId: agentUserId(workspace, agent),
    metadata: props,
    scope,
    props
  })
  return redirect(redirectTo, approved.headers)
}
