// Discovery: what an upstream exposes (tools, resources, prompts), with each tool's definition hash.
// Runs through the pool, so the client that discovered a plugin is the warm one that serves it.
import type { Client, Tool } from "@modelcontextprotocol/client"
import type { ToolDefinition } from "../../events/index.ts"
import type { Discovery } from "../registry/commands.ts"
import { toolDefinitionHash } from "../registry/tool-hash.ts"

/** Only what the definition holds: JSON round-trip drops undefined, so the log sees plain JSON. */
const plain = <T>(value: T): T => JSON.parse(JSON.stringify(value))

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
    ...(resources ? { resources: resources.resources.map(({ uri, name, description, mimeType }) => ({ uri, name, description, mimeType })) } : {}),
    ...(prompts ? { prompts: prompts.prompts.map(({ name, description, arguments: args }) => ({ name, description, arguments: args })) } : {})
  })
}

/** A pinned definition back as the MCP Tool the upstream described (discovery kept these fields). */
export const asMcpTool = ({ hash: _hash, inputSchema, ...definition }: ToolDefinition): Tool =>
  ({ ...definition, inputSchema: inputSchema ?? { type: "object" } }) as Tool
