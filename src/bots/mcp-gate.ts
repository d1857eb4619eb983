// The bot allowlist at the MCP endpoint: the client's own name, as `initialize` carries it (2025
// era) or each request's `_meta` (2026-07-28), must be admitted by the workspace's rules; an OAuth
// agent's client (its id, and the name it registered) on every request. A refusal
// is recorded and answered with the command that would allow the client. Costs nothing while a
// workspace has no rules: the body is read only when there are some.
import type { WorkspaceHost } from "../mcp/host.ts"
import { forbidden, peekJson } from "../mcp/http-errors.ts"
import { admits, allowCommand } from "./allowlist.ts"
import { ClientNotAllowed } from "./errors.ts"

const CLIENT_INFO_META = "io.modelcontextprotocol/clientInfo"

interface ClientInfo {
  readonly name: string
  readonly version?: string
}

const clientInfoOf = (message: unknown): ClientInfo | undefined => {
  if (typeof message !== "object" || message === null) return undefined
  const { method, params } = message as { method?: unknown; params?: Record<string, any> }
  const info = method === "initialize" ? params?.clientInfo : params?._meta?.[CLIENT_INFO_META]
  return typeof info?.name === "string" ? { name: info.name, ...(typeof info.version === "string" ? { version: info.version } : {}) } : undefined
}

/** The refusal to answer with, or undefined when the client may go on. */
export const refuseExcludedClient = async (host: WorkspaceHost, request: Request, agent: string, maxBytes: number): Promise<Response | undefined> => {
  const state = host.state()
  if (Object.keys(state.botRules).length === 0) return undefined
  const body = await peekJson(request, maxBytes)
  const record = state.agents[agent]
  const clientId = record?.via === "oauth" ? record.clientId : undefined
  const infos = (Array.isArray(body) ? body : [body]).map(clientInfoOf).filter((info) => info !== undefined)
  // An OAuth agent's client is known whatever a request says of it, so it is checked on every
  // request: a client that never sends `initialize`, or its info, is no way round the list.
  if (infos.length === 0 && clientId !== undefined) infos.push({ name: record?.clientName ?? clientId })
  for (const info of infos) {
    const client = { name: info.name, clientId }
    const verdict = admits(state.botRules, client)
    if (verdict.admitted) continue
    host.execute(
      {
        _tag: "RecordClientRefusal",
        at: "mcp",
        clientName: info.name.slice(0, 200),
        agent,
        ...(info.version === undefined ? {} : { clientVersion: info.version.slice(0, 100) }),
        ...(client.clientId === undefined ? {} : { clientId: client.clientId }),
        ...(verdict.rule === undefined ? {} : { rule: verdict.rule })
      },
      { actor: { type: "agent", id: agent } }
    )
    const error = new ClientNotAllowed({ workspace: host.slug, client: info.name, rule: verdict.rule, allowWith: allowCommand(host.slug, client, verdict) })
    return forbidden(error.message)
  }
  return undefined
}
