// Requests Berth sends to an agent on an upstream's behalf (sampling, elicitation), waiting for the
// agent's answer. On the 2025 protocol's stateless fallback the request goes out on the call's SSE
// response, and the agent answers in a POST of its own, which a fresh server would drop as a
// response to nothing. The workspace's Durable Object holds every waiting request, so the endpoint
// hands such a POST here (endpoint.ts). Keys are the agent and Berth's own request id: only the
// agent that was asked can answer.
import { ProtocolError } from "@modelcontextprotocol/client"
import type { UpstreamRequest } from "./call-scope.ts"

type RequestId = string | number

/** A JSON-RPC response, as an agent sends one back. */
export interface AgentResponse {
  readonly id: RequestId
  readonly result?: unknown
  readonly error?: { readonly code: number; readonly message: string; readonly data?: unknown }
}

/** A request to the agent, or the notice that Berth no longer waits for its answer. */
export type OutgoingMessage =
  | { readonly jsonrpc: "2.0"; readonly id: string; readonly method: string; readonly params?: Record<string, unknown> | undefined }
  | { readonly jsonrpc: "2.0"; readonly method: "notifications/cancelled"; readonly params: { readonly requestId: string; readonly reason: string } }

interface Waiting {
  readonly resolve: (result: unknown) => void
  readonly reject: (error: unknown) => void
}

const keyOf = (agent: string, id: RequestId) => `${agent}\u0000${typeof id}:${id}`

/** A JSON-RPC response: an id, a result or an error, and no method. */
export const isResponse = (message: unknown): message is AgentResponse => {
  if (typeof message !== "object" || message === null || "method" in message) return false
  const { id } = message as { id?: unknown }
  return (typeof id === "string" || typeof id === "number") && ("result" in message || "error" in message)
}

export class AgentRequests {
  readonly #waiting = new Map<string, Waiting>()
  readonly #perAgent = new Map<string, number>()

  /**
   * Sends `request` to `agent` under `id` through `send`, then waits for the agent's answer until
   * `signal` gives up on it; then the agent is told, so it can stop asking its user or model.
   */
  async ask(agent: string, id: string, request: UpstreamRequest, send: (message: OutgoingMessage) => Promise<void>, signal: AbortSignal): Promise<unknown> {
    signal.throwIfAborted()
    const key = keyOf(agent, id)
    const { promise, resolve, reject } = Promise.withResolvers<unknown>()
    const onAbort = () => {
      reject(signal.reason)
      const reason = signal.reason instanceof Error ? signal.reason.message : "Berth no longer waits for this answer"
      send({ jsonrpc: "2.0", method: "notifications/cancelled", params: { requestId: id, reason } }).catch(() => undefined)
    }
    this.#waiting.set(key, { resolve, reject })
    this.#perAgent.set(agent, (this.#perAgent.get(agent) ?? 0) + 1)
    signal.addEventListener("abort", onAbort, { once: true })
    try {
      await send({ jsonrpc: "2.0", id, method: request.method, ...(request.params === undefined ? {} : { params: request.params }) })
      return await promise
    } finally {
      signal.removeEventListener("abort", onAbort)
      this.#waiting.delete(key)
      const left = (this.#perAgent.get(agent) ?? 1) - 1
      if (left === 0) this.#perAgent.delete(agent)
      else this.#perAgent.set(agent, left)
    }
  }

  /** Whether any request to `agent` waits for an answer: only then is a POST worth reading for one. */
  waitingOn(agent: string): boolean {
    return this.#perAgent.has(agent)
  }

  /** Hands the agent's response to the request waiting for it; false when none is (unknown id, or another agent's). */
  answer(agent: string, response: AgentResponse): boolean {
    const waiting = this.#waiting.get(keyOf(agent, response.id))
    if (!waiting) return false
    if (response.error) waiting.reject(new ProtocolError(response.error.code, response.error.message, response.error.data))
    else waiting.resolve(response.result)
    return true
  }
}
