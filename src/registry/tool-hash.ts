// Definition hashes: sha256 over JCS of the fields an agent relies on, for tools, prompts and
// resources. Pinning approval to them is what lets a changed definition be quarantined (rug-pull protection).
import canonicalize from "canonicalize"
import { sha256Hex } from "../workspace/sha256-hex.ts"

export interface UpstreamTool {
  readonly name: string
  readonly title?: string | undefined
  readonly description?: string | undefined
  readonly inputSchema?: unknown
  readonly outputSchema?: unknown
  readonly annotations?: unknown
}

export const toolDefinitionHash = (tool: UpstreamTool): string => {
  const { name, title, description, inputSchema, outputSchema, annotations } = tool
  return sha256Hex(canonicalize({ name, title, description, inputSchema, outputSchema, annotations })!)
}

/** A prompt's: its name, title, description and arguments. */
export const promptDefinitionHash = (prompt: { readonly name: string; readonly title?: string | undefined; readonly description?: string | undefined; readonly arguments?: unknown }): string => {
  const { name, title, description, arguments: args } = prompt
  return sha256Hex(canonicalize({ name, title, description, arguments: args })!)
}

/** A resource's: its URI, name, title, description and media type. */
export const resourceDefinitionHash = (resource: {
  readonly uri: string
  readonly name: string
  readonly title?: string | undefined
  readonly description?: string | undefined
  readonly mimeType?: string | undefined
}): string => {
  const { uri, name, title, description, mimeType } = resource
  return sha256Hex(canonicalize({ uri, name, title, description, mimeType })!)
}
