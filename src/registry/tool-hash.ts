// A tool's definition hash: sha256 over JCS of the fields an agent relies on. Pinning approval to
// it is what lets a changed definition be quarantined (rug-pull protection).
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
