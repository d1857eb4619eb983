// Tool calls running upstream, by agent and JSON-RPC request id, so that a cancellation can find
// its call. On the 2025 protocol's stateless fallback, `notifications/cancelled` arrives in a POST
// of its own, handled by a fresh server that never saw the call; the workspace's Durable Object
// holds every call of the workspace, so the lookup is here.
type RequestId = string | number

const keyOf = (agent: string, id: RequestId) => `${agent}\u0000${typeof id}:${id}`

export class InFlightCalls {
  readonly #calls = new Map<string, AbortController>()

  /** Registers a call; its signal fires when the agent cancels it. Call `end` when it settles. */
  start(agent: string, id: RequestId): { readonly signal: AbortSignal; readonly end: () => void } {
    const key = keyOf(agent, id)
    const controller = new AbortController()
    this.#calls.set(key, controller)
    return {
      signal: controller.signal,
      end: () => {
        if (this.#calls.get(key) === controller) this.#calls.delete(key)
      }
    }
  }

  /** Aborts the agent's call with that id, if it is still running. Only the agent that made it can. */
  cancel(agent: string, id: RequestId | undefined, reason?: string): boolean {
    if (id === undefined) return false
    const controller = this.#calls.get(keyOf(agent, id))
    controller?.abort(new Error(reason ?? "cancelled by the agent"))
    return controller !== undefined
  }

  get size(): number {
    return this.#calls.size
  }
}
