// orbit.ai.generate: a model's answer for a script. The plane has no model of its own configured
// here, so it asks the agent that submitted the run, with MCP sampling on that agent's own request
// (the 2025 era's server-to-client request), as an upstream's sampling request reaches it. A run
// submitted over the admin RPC, or by an agent that cannot be asked, gets AiUnavailable, which says
// what would make it work.
import type { ServerContext } from "@modelcontextprotocol/server"
import { PROTOCOL_VERSION_META_KEY, ProtocolError } from "@modelcontextprotocol/server"
import type { WorkspaceHost } from "../../mcp/host.ts"
import type { SendToAgent } from "../../mcp/upstream-call.ts"
import type { PrimitiveResult } from "./storage.ts"

/** The agent request that submitted the run, when it came over MCP. */
export interface AgentChannel {
  readonly ctx: ServerContext
  readonly send: SendToAgent
}

export const MAX_AI_TOKENS = 8192

const refuse = (_tag: string, message: string): PrimitiveResult => ({ ok: false, _tag, message })

const ENABLE =
  "submit the run over MCP (run_code) from an agent on the 2025-era protocol that answers sampling (declares the 'sampling' capability)"

const isModern = (ctx: ServerContext) => (ctx.mcpReq.envelope as Record<string, unknown> | undefined)?.[PROTOCOL_VERSION_META_KEY] !== undefined

/** `{role, content}` with content as text or an MCP content block, as sampling takes it. */
const asMessage = (m: unknown) => {
  const { role, content } = (m ?? {}) as { role?: unknown; content?: unknown }
  if (role !== "user" && role !== "assistant") return undefined
  if (typeof content === "string") return { role, content: { type: "text", text: content } }
  if (typeof content === "object" && content !== null && typeof (content as { type?: unknown }).type === "string") return { role, content }
  return undefined
}

export const generate = async (
  host: WorkspaceHost,
  agent: string,
  channel: AgentChannel | undefined,
  args: { messages?: unknown; maxTokens?: unknown; systemPrompt?: unknown; temperature?: unknown },
  signal: AbortSignal
): Promise<PrimitiveResult> => {
  const messages = Array.isArray(args.messages) ? args.messages.map(asMessage) : []
  if (messages.length === 0 || messages.some((m) => m === undefined))
    return refuse("InvalidArguments", "orbit.ai.generate: messages is a non-empty array of {role: 'user' | 'assistant', content: text or an MCP content block}")
  const maxTokens = args.maxTokens ?? 1024
  if (!Number.isInteger(maxTokens) || (maxTokens as number) < 1 || (maxTokens as number) > MAX_AI_TOKENS)
    return refuse("InvalidArguments", `orbit.ai.generate: maxTokens is a whole number from 1 to ${MAX_AI_TOKENS}`)
  if (args.systemPrompt !== undefined && typeof args.systemPrompt !== "string") return refuse("InvalidArguments", "orbit.ai.generate: systemPrompt is text")
  if (args.temperature !== undefined && typeof args.temperature !== "number") return refuse("InvalidArguments", "orbit.ai.generate: temperature is a number")

  if (!channel) return refuse("AiUnavailable", `no model is configured and no agent connection can be asked (the run was not submitted over MCP); ${ENABLE}`)
  if (isModern(channel.ctx))
    return refuse("AiUnavailable", `a 2026-07-28 agent's sampling is not relayed to code yet; ${ENABLE}`)
  const params = {
    messages,
    maxTokens,
    ...(args.systemPrompt === undefined ? {} : { systemPrompt: args.systemPrompt }),
    ...(args.temperature === undefined ? {} : { temperature: args.temperature })
  }
  const limit = AbortSignal.timeout(host.answerLimitMs)
  try {
    const answer = await host.agentRequests.ask(
      agent,
      `berth-${host.newId()}`,
      { method: "sampling/createMessage", params },
      (message) => channel.send(message, channel.ctx.mcpReq.id),
      AbortSignal.any([signal, limit])
    )
    return { ok: true, value: answer }
  } catch (error) {
    // -32601: the agent has no sampling handler (it did not declare the capability).
    if (error instanceof ProtocolError && error.code === -32601) return refuse("AiUnavailable", `the agent does not answer sampling (${error.message}); ${ENABLE}`)
    if (limit.aborted) return refuse("AiFailed", `the agent did not answer sampling within ${host.answerLimitMs / 1000} s`)
    return refuse("AiFailed", `the agent's sampling failed: ${error instanceof Error ? error.message : String(error)}`)
  }
}
