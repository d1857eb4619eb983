// orbit.ai.generate: a model's answer for a script, from the first source that can give one:
// 1. the deployment's Workers AI binding (`[ai] binding = "AI"`), running BERTH_AI_MODEL;
// 2. otherwise the agent that submitted the run, with MCP sampling, as an upstream's sampling request
//    reaches it (src/mcp/upstream-call.ts): on the 2025 protocol a request on the agent's own run_code
//    request; on MCP 2026-07-28 an `input_required` answer, the run parked until the agent's retry;
// 3. otherwise AiUnavailable, which says how to enable either.
// Either way the answer has sampling's shape, `{model, role, content}`, so a script need not know
// which source answered.
import { ProtocolError, ProtocolErrorCode } from "@modelcontextprotocol/server"
import type { AgentCall } from "../../mcp/call-scope.ts"
import type { PrimitiveResult } from "./storage.ts"

/** The agent that submitted the run, when it came over MCP: its run_code call, which relays requests to it in either era. */
export type AgentChannel = Pick<AgentCall, "ask">

/** The deployment's model: its Workers AI binding (only `run` is used) and the model it runs. */
export interface WorkersAiModel {
  readonly binding: { run(model: string, inputs: object): Promise<unknown> }
  readonly model: string
}

/** A text-generation model on Workers AI that follows chat messages, used when BERTH_AI_MODEL is unset. */
export const DEFAULT_AI_MODEL = "@cf/meta/llama-3.3-70b-instruct-fp8-fast"

export const MAX_AI_TOKENS = 8192

/** The deployment's Workers AI model, from its `AI` binding and BERTH_AI_MODEL; none without the binding. */
export const workersAi = (env: { readonly AI?: Ai; readonly BERTH_AI_MODEL?: string }): WorkersAiModel | undefined =>
  env.AI
    ? { binding: env.AI as unknown as WorkersAiModel["binding"], model: env.BERTH_AI_MODEL?.trim() || DEFAULT_AI_MODEL }
    : undefined

const refuse = (_tag: string, message: string): PrimitiveResult => ({ ok: false, _tag, message })

/** MCP's MissingRequiredClientCapability (SEP-2575). */
const MISSING_CAPABILITY = -32021

const ENABLE =
  "configure a Workers AI binding for the plane ([ai] binding = \"AI\" in wrangler.toml), or submit the run over MCP (run_code) from an agent that answers sampling (declares the 'sampling' capability)"

/** `{role, content}` with content as text or an MCP content block, as sampling takes it. */
const asMessage = (m: unknown) => {
  const { role, content } = (m ?? {}) as { role?: unknown; content?: unknown }
  if (role !== "user" && role !== "assistant") return undefined
  if (typeof content === "string") return { role, content: { type: "text", text: content } }
  if (typeof content === "object" && content !== null && typeof (content as { type?: unknown }).type === "string") return { role, content }
  return undefined
}

/** Workers AI's chat input: text messages only, the system prompt first. */
const chatInput = (messages: ReadonlyArray<{ role: string; content: unknown }>, maxTokens: number, systemPrompt: unknown, temperature: unknown) => {
  const chat: Array<{ role: string; content: string }> = typeof systemPrompt === "string" ? [{ role: "system", content: systemPrompt }] : []
  for (const [index, { role, content }] of messages.entries()) {
    const block = content as { type: string; text?: unknown }
    if (block.type !== "text" || typeof block.text !== "string")
      return `orbit.ai.generate: messages[${index}] is a '${String(block.type).slice(0, 40)}' block, and the plane's Workers AI model takes text only`
    chat.push({ role, content: block.text })
  }
  return { messages: chat, max_tokens: maxTokens, ...(temperature === undefined ? {} : { temperature }) }
}

const askWorkersAi = async (ai: WorkersAiModel, input: object, signal: AbortSignal): Promise<PrimitiveResult> => {
  // The binding takes no signal: the run's end stops the wait, not the model.
  let stop = () => {}
  const aborted = new Promise<never>((_, reject) => {
    stop = () => reject(signal.reason)
    if (signal.aborted) stop()
    signal.addEventListener("abort", stop, { once: true })
  })
  try {
    const output = (await Promise.race([ai.binding.run(ai.model, input), aborted])) as { response?: unknown } | null
    const response = output?.response
    // Models that answer in JSON mode give an object; a script gets it as text, as sampling would.
    const text = typeof response === "string" ? response : response === undefined || response === null ? undefined : JSON.stringify(response)
    if (text === undefined) return refuse("AiFailed", `Workers AI model ${ai.model} gave no text response`)
    return { ok: true, value: { model: ai.model, role: "assistant", content: { type: "text", text } } }
  } catch (error) {
    if (signal.aborted) return refuse("AiFailed", "the run ended before Workers AI answered")
    return refuse("AiFailed", `Workers AI model ${ai.model} failed: ${error instanceof Error ? error.message : String(error)}`)
  } finally {
    signal.removeEventListener("abort", stop)
  }
}

const askAgent = async (channel: AgentChannel, params: Record<string, unknown>, signal: AbortSignal): Promise<PrimitiveResult> => {
  try {
    // The call relaying it gives up after the answer limit, with a message that says so.
    return { ok: true, value: await channel.ask({ method: "sampling/createMessage", params }, signal) }
  } catch (error) {
    // -32601: the agent has no sampling handler (2025); -32021: it did not declare the capability (2026-07-28).
    if (error instanceof ProtocolError && (error.code === ProtocolErrorCode.MethodNotFound || error.code === MISSING_CAPABILITY))
      return refuse("AiUnavailable", `the agent does not answer sampling (${error.message}); ${ENABLE}`)
    if (signal.aborted) return refuse("AiFailed", "the run ended before the agent answered sampling")
    return refuse("AiFailed", `the agent's sampling failed: ${error instanceof Error ? error.message : String(error)}`)
  }
}

export const generate = async (
  sources: { readonly workersAi: WorkersAiModel | undefined; readonly channel: AgentChannel | undefined },
  args: { messages?: unknown; maxTokens?: unknown; systemPrompt?: unknown; temperature?: unknown },
  signal: AbortSignal
): Promise<PrimitiveResult & { readonly source?: "workers-ai" | "sampling" }> => {
  const messages = Array.isArray(args.messages) ? args.messages.map(asMessage) : []
  if (messages.length === 0 || messages.some((m) => m === undefined))
    return refuse("InvalidArguments", "orbit.ai.generate: messages is a non-empty array of {role: 'user' | 'assistant', content: text or an MCP content block}")
  const maxTokens = args.maxTokens ?? 1024
  if (!Number.isInteger(maxTokens) || (maxTokens as number) < 1 || (maxTokens as number) > MAX_AI_TOKENS)
    return refuse("InvalidArguments", `orbit.ai.generate: maxTokens is a whole number from 1 to ${MAX_AI_TOKENS}`)
  if (args.systemPrompt !== undefined && typeof args.systemPrompt !== "string") return refuse("InvalidArguments", "orbit.ai.generate: systemPrompt is text")
  if (args.temperature !== undefined && typeof args.temperature !== "number") return refuse("InvalidArguments", "orbit.ai.generate: temperature is a number")

  if (sources.workersAi) {
    const input = chatInput(messages as Array<{ role: string; content: unknown }>, maxTokens as number, args.systemPrompt, args.temperature)
    if (typeof input === "string") return refuse("InvalidArguments", input)
    return { ...(await askWorkersAi(sources.workersAi, input, signal)), source: "workers-ai" }
  }
  const channel = sources.channel
  if (!channel) return refuse("AiUnavailable", `no model is configured and no agent connection can be asked (the run was not submitted over MCP); ${ENABLE}`)
  const params = {
    messages,
    maxTokens,
    ...(args.systemPrompt === undefined ? {} : { systemPrompt: args.systemPrompt }),
    ...(args.temperature === undefined ? {} : { temperature: args.temperature })
  }
  return { ...(await askAgent(channel, params, signal)), source: "sampling" }
}
