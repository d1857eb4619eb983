// Tool calls running upstream, by owner and JSON-RPC request id, so that a cancellation can find
// its call. On the 2025 protocol's stateless fallback, `notifications/cancelled` arrives in a POST
// of its own, handled by a fresh server that never saw the call; the workspace's Durable Object
// holds every call of the workspace, so the lookup is here. The owner is the agent's session when it
// has one (sessions.ts), so two clients of one agent never cancel each other's calls; without a
// session, only the agent itself.
type RequestId = string | number

const keyOf = (owner: string, id: RequestId) => `${owner}\u0000${typeof id}:${id}`

/** Who may cancel a call: the session it was made in, else the agent. */
export const callOwner = (agent: string, session: string | undefined) => (session === undefined ? agent : `${agent}\u0000session:${session}`)

export class InFlightCalls {
  readonly #calls = new Map<string, AbortController>()

  /** Registers a call; its signal fires when the agent cancels it. Call `end` when it settles. */
  start(owner: string, id: RequestId): { readonly signal: AbortSignal; readonly end: () => void } {
    const key = keyOf(owner, id)
    const controller = new AbortController()
    this.#calls.set(key, controller)
    return {
      signal: controller.signal,
      end: () => {
        if (this.#calls.get(key) === controller) this.#calls.delete(key)
      }
    }
  }

  /** Aborts the owner's call with that id, if it is still running. Only the owner that made it can. */
  cancel(owner: string, id: RequestId | undefined, reason?: string): boolean {
    if (id === undefined) return false
    const controller = this.#calls.get(keyOf(owner, id))
    controller?.abort(new Error(reason ?? "cancelled by the agent"))
    return controller !== undefined
  }

  get size(): number {
    return this.#calls.size
  }
}
