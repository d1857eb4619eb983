// Where an MCP client that was refused finds its way in (RFC 9728 §5.1): the 401's Bearer challenge
// names the workspace endpoint's protected-resource metadata and the scope to ask for.
import { AGENT_SCOPE } from "./servers.ts"

export const protectedResourceMetadataUrl = (origin: string, workspace: string) =>
  `${origin}/.well-known/oauth-protected-resource/w/${workspace}/mcp`

export const bearerChallenge = (origin: string, workspace: string) =>
  `Bearer realm="OAuth", resource_metadata="${protectedResourceMetadataUrl(origin, workspace)}", scope="${AGENT_SCOPE}"`
