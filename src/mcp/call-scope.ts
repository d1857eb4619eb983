// The agent call an upstream message belongs to. One pooled client serves every agent, and what it
// receives during a call (a log on the call's SSE response, a sampling or elicitation request)
// carries no mark of the call. The async context does: the pool's transport reads a call's
// response inside the call's context, and the client runs its request handlers there too. The
// pool connects outside any call, so its long-lived streams belong to none.
import { AsyncLocalStorage } from "node:async_hooks"

export interface LogMessage {
  readonly level: string
  readonly logger?: string
  readonly data: unknown
}

/** A request from the upstream to the client (sampling/createMessage, elicitation/create). */
export interface UpstreamRequest {
  readonly method: string
  readonly params?: Record<string, unknown> | undefined
  /** The request's id; for a 2026-07-28 upstream's input request, its key in `inputRequests`. */
  readonly id?: string | number | undefined
}

export interface AgentCall {
  /** Hands an upstream log to the agent. */
  log(message: LogMessage): void
  /**
   * Asks the agent on the upstream's behalf; resolves with the agent's result or rejects with its
   * error. `signal` fires when the upstream withdraws the request.
   */
  ask(request: UpstreamRequest, signal: AbortSignal): Promise<unknown>
}

const scope = new AsyncLocalStorage<AgentCall | undefined>()

/** Runs `work` (an upstream call) so that what the upstream sends during it reaches `call`. */
export const withinCall = <T>(call: AgentCall, work: () => Promise<T>): Promise<T> => scope.run(call, work)

/** Runs `work` belonging to no call: a connect whose streams outlive the call that prompted it. */
export const outsideAnyCall = <T>(work: () => Promise<T>): Promise<T> => scope.run(undefined, work)

/** The call the current async context belongs to, if any. */
export const currentCall = (): AgentCall | undefined => scope.getStore()
