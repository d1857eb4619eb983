// `berth client add|remove`: OAuth clients an admin registers ahead of time for agents to dock with,
// for apps that neither publish a metadata document nor register themselves. The provider stores the
// client (a confidential one's secret only as a hash); the workspace's log records that it exists.
import type { ClientInfo } from "@cloudflare/workers-oauth-provider"
import type { Env } from "../env.ts"
import { STORAGE_ONLY_ORIGIN } from "./revoke-agent.ts"
import { workspaceServer } from "./servers.ts"

export interface AgentClientRequest {
  readonly clientName: string
  readonly redirectUris: ReadonlyArray<string>
  readonly confidential: boolean
}

export type Created = { readonly ok: true; readonly clientId: string; readonly clientSecret?: string } | { readonly ok: false; readonly reason: string }

const isRequest = (body: Record<string, unknown>): body is Record<string, unknown> & AgentClientRequest =>
  typeof body.clientName === "string" &&
  Array.isArray(body.redirectUris) &&
  body.redirectUris.every((u) => typeof u === "string") &&
  (body.confidential === undefined || typeof body.confidential === "boolean")

const helpers = (env: Env, workspace: string) => workspaceServer(STORAGE_ONLY_ORIGIN, workspace).getOAuthApi(env)

/** Stores the client with the provider; its redirect URIs are checked there (https, or http on loopback). */
export const createAgentClient = async (env: Env, workspace: string, body: Record<string, unknown>): Promise<Created> => {
  if (!isRequest(body)) return { ok: false, reason: "give clientName (a string), redirectUris (strings) and optionally confidential (a boolean)" }
  try {
    const client: ClientInfo = await helpers(env, workspace).createClient({
      clientName: body.clientName,
      redirectUris: [...body.redirectUris],
      tokenEndpointAuthMethod: body.confidential ? "client_secret_basic" : "none",
      grantTypes: ["authorization_code", "refresh_token"],
      responseTypes: ["code"]
    })
    return { ok: true, clientId: client.clientId, ...(client.clientSecret === undefined ? {} : { clientSecret: client.clientSecret }) }
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message : String(error) }
  }
}

/** Deletes the client; the provider revokes every grant and token it held. */
export const deleteAgentClient = (env: Env, workspace: string, clientId: string): Promise<void> => helpers(env, workspace).deleteClient(clientId)
