// Who is calling: the agent whose key hash matches the bearer key. The one place agent auth lives,
// so OAuth tokens (a later issue) are added here. A missing workspace never gets this far: the
// route answers it 404 from the directory (route.ts).
import type { WorkspaceState } from "../../projections/state.ts"
import { hashAgentKey } from "../agent/agent-key.ts"

export type Authentication =
  | { readonly ok: true; readonly agent: string }
  | { readonly ok: false; readonly status: 401 }
  | { readonly ok: false; readonly status: 403; readonly agent: string; readonly reason: string }

export const bearerToken = (request: Request): string | undefined =>
  /^Bearer\s+(\S+)$/i.exec(request.headers.get("authorization") ?? "")?.[1]

export const authenticate = (state: WorkspaceState, key: string | undefined): Authentication => {
  if (!key) return { ok: false, status: 401 }
  const keyHash = hashAgentKey(key)
  const found = Object.entries(state.agents).find(([, a]) => a.keyHash === keyHash)
  if (!found) return { ok: false, status: 401 }
  const [agent, { status }] = found
  if (status !== "active") return { ok: false, status: 403, agent, reason: `agent '${agent}' is ${status}` }
  return { ok: true, agent }
}
