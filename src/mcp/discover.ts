// Discovery: what an upstream exposes (tools, resources, prompts), each with its definition hash.
// Runs through the pool, so the client that discovered a plugin is the warm one that serves it.
import type { Client, Prompt, Resource, Tool } from "@modelcontextprotocol/client"
import type { ToolDefinition } from "../../events/index.ts"
import type { Discovery } from "../registry/commands.ts"
import { promptDefinitionHash, resourceDefinitionHash, toolDefinitionHash } from "../registry/tool-hash.ts"

/** Only what the definition holds: JSON round-trip drops undefined, so the log sees plain JSON. */
const plain = <T>(value: T): T => JSON.parse(JSON.stringify(value))

/** A prompt as it is recorded and pinned: the fields its hash covers (tool-hash.ts), and the hash. */
export const hashedPrompt = ({ name, title, description, arguments: args }: Prompt) => {
  const fields = plain({ name, title, description, arguments: args })
  return { ...fields, hash: promptDefinitionHash(fields) }
}

/** A resource as it is recorded and pinned. */
export const hashedResource = ({ uri, name, title, description, mimeType }: Resource) => {
  const fields = plain({ uri, name, title, description, mimeType })
  return { ...fields, hash: resourceDefinitionHash(fields) }
}

export const discover = async (client: Client): Promise<Discovery> => {
  const capabilities = client.getServerCapabilities() ?? {}
  const [tools, resources, prompts] = await Promise.all([
    capabilities.tools ? client.listTools() : { tools: [] },
    capabilities.resources ? client.listResources() : undefined,
    capabilities.prompts ? client.listPrompts() : undefined
  ])
  return plain({
    tools: tools.tools.map((t) => ({
      name: t.name,
      hash: toolDefinitionHash(t),
      title: t.title,
      description: t.description,
      inputSchema: t.inputSchema,
      outputSchema: t.outputSchema,
      annotations: t.annotations
    })),
    ...(resources ? { resources: resources.resources.map(hashedResource) } : {}),
    ...(prompts ? { prompts: prompts.prompts.map(hashedPrompt) } : {})
  })
}

/** A pinned definition back as the MCP Tool the upstream described (discovery kept these fields). */
export const asMcpTool = ({ hash: _hash, inputSchema, ...definition }: ToolDefinition): Tool =>
  ({ ...definition, inputSchema: inputSchema ?? { type: "object" } }) as Tool
