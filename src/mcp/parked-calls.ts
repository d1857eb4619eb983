// Tool calls waiting for an agent on MCP 2026-07-28 to come back with answers: the call answered
// `input_required`, and the agent's retry carries the `requestState` it was given. The state is a
// random token naming the parked call, bound to the agent and the tool, so only that agent's retry
// of that call resumes it. A call the agent does not come back to within the limit is aborted.
// Parked calls live in the Durable Object's memory: an evicted object forgets them, and the retry
// is told its state is unknown or expired.

/** How many calls one agent may leave waiting for its answers at once; each holds an upstream call open. */
export const MAX_PARKED_PER_AGENT = 32

interface Parked<Call> {
  readonly agent: string
  readonly tool: string
  readonly call: Call
  readonly timer: ReturnType<typeof setTimeout>
}

export class ParkedCalls<Call> {
  readonly #parked = new Map<string, Parked<Call>>()

  /** Parks `call` for the agent's retry; `expire` runs if it does not come within `limitMs`. Returns the token. */
  park(agent: string, tool: string, call: Call, expire: (call: Call) => void, limitMs: number): string {
    const token = [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, "0")).join("")
    // Expiry aborts the call; the call's own settling then drops it and ends its run.
    const timer = setTimeout(() => {
      if (this.#parked.get(token)?.call === call) expire(call)
    }, limitMs)
    this.#parked.set(token, { agent, tool, call, timer })
    return token
  }

  /** The call parked under `token` for this agent and tool, taken off the shelf; undefined if there is none. */
  take(token: string, agent: string, tool: string): Call | undefined {
    const parked = this.#parked.get(token)
    if (!parked || parked.agent !== agent || parked.tool !== tool) return undefined
    this.#parked.delete(token)
    clearTimeout(parked.timer)
    return parked.call
  }

  /** Drops a call that settled while parked; false if it was not parked (a retry took it first). */
  drop(call: Call): boolean {
    for (const [token, parked] of this.#parked) {
      if (parked.call !== call) continue
      clearTimeout(parked.timer)
      this.#parked.delete(token)
      return true
    }
    return false
  }

  /** How many calls `agent` has waiting. */
  countFor(agent: string): number {
    let count = 0
    for (const parked of this.#parked.values()) if (parked.agent === agent) count++
    return count
  }

  get size(): number {
    return this.#parked.size
  }
}
