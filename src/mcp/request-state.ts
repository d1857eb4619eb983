// The `requestState` a 2026-07-28 agent is given with `input_required` and must echo on its retry:
// Berth's own, HMAC-signed with the workspace object's key (the SDK's codec) and naming the parked
// call's token, the agent and tool it was issued to, and the run and plugin it belongs to. Verified
// before the retry can touch a parked call, so a tampered, foreign, expired or misdirected state is
// refused with the reason. The key is random per object: parked calls live in the object's memory,
// so a state could not outlive the calls it names anyway.
import { createRequestStateCodec, ProtocolError, ProtocolErrorCode } from "@modelcontextprotocol/server"

export interface ParkedState {
  /** The parked call's token (parked-calls.ts). */
  readonly t: string
  /** The agent and tool it was issued to. */
  readonly a: string
  readonly n: string
  /** The run the call belongs to and the plugin it calls, when there is one (a run_code run has no plugin). */
  readonly r?: string
  readonly p?: string
}

const REASONS: Record<string, string> = {
  mac: "was not issued by this workspace, or was altered",
  malformed: "is not a requestState this workspace issued",
  expired: "has expired"
}

export class RequestStates {
  readonly #codec: ReturnType<typeof createRequestStateCodec<ParkedState>>

  constructor(ttlSeconds: number) {
    this.#codec = createRequestStateCodec<ParkedState>({ key: crypto.getRandomValues(new Uint8Array(32)), ttlSeconds })
  }

  mint(state: ParkedState): Promise<string> {
    return this.#codec.mint(state)
  }

  /** The state a retry by `agent` of `tool` echoed, verified; a ProtocolError (-32602) naming why otherwise. */
  async verify(echoed: string, agent: string, tool: string): Promise<ParkedState> {
    let state: ParkedState
    try {
      // The codec's verify takes a context only for its bind callback, which is not used here.
      state = await this.#codec.verify(echoed, undefined as never)
    } catch (error) {
      const reason = REASONS[error instanceof Error ? error.message : ""] ?? REASONS.malformed!
      throw new ProtocolError(ProtocolErrorCode.InvalidParams, `this retry's requestState ${reason}; call ${tool} again without it`)
    }
    if (state.a !== agent || state.n !== tool)
      throw new ProtocolError(ProtocolErrorCode.InvalidParams, `this retry's requestState was issued for another agent or tool, not ${agent}'s call of ${tool}`)
    return state
  }
}
