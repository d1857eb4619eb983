// Who is calling: the agent whose key hash matches the bearer key, or the OAuth agent the Worker
// vouches for after the provider validated its token (src/oauth/mcp-resource.ts). The one place
// agent auth lives. A failure says nothing about whether an agent exists: an unknown key is a 401.
import type { WorkspaceState } from "../../projections/state.ts"
import { hashAgentKey } from "../agent/agent-key.ts"

/**
 * Set by the Worker, and only by it, on a request whose OAuth token it validated: the agent the
 * token stands for. The Worker removes it from every request it did not validate, so an agent
 * cannot name itself (src/mcp/route.ts).
 */
export const OAUTH_AGENT_HEADER = "x-berth-oauth-agent"

export type Authentication =
  | { readonly ok: true; readonly agent: string }
  | { readonly ok: false; readonly status: 401 }
  | { readonly ok: false; readonly status: 403; readonly agent: string; readonly reason: string }

export const bearerToken = (request: Request): string | undefined =>
  /^Bearer\s+(\S+)$/i.exec(request.headers.get("authorization") ?? "")?.[1]

const active = (state: WorkspaceState, agent: string): Authentication => {
  const status = state.agents[agent]!.status
  if (status !== "active") return { ok: false, status: 403, agent, reason: `agent '${agent}' is ${status}` }
  return { ok: true, agent }
}

export const authenticate = (state: WorkspaceState, key: string | undefined): Authentication => {
  if (!key) return { ok: false, status: 401 }
  const keyHash = hashAgentKey(key)
  const found = Object.entries(state.agents).find(([, a]) => a.keyHash === keyHash)
  if (!found) return { ok: false, status: 401 }
  return active(state, found[0])
}

/** An agent registered through OAuth, named by the Worker after validating its token. */
export const authenticateOAuthAgent = (state: WorkspaceState, agent: string): Authentication => {
  if (state.agents[agent]?.via !== "oauth") return { ok: false, status: 401 }
  return active(state, agent)
}

/** The request's agent, whichever way it docks. */
export const authenticateRequest = (state: WorkspaceState, request: Request): Authentication => {
  const oauthAgent = request.headers.get(OAUTH_AGENT_HEADER)
  return oauthAgent === null ? authenticate(state, bearerToken(request)) : authenticateOAuthAgent(state, oauthAgent)
}
