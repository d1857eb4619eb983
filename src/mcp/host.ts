// What the MCP endpoint needs from its workspace: the current state, the command pipeline (runs are
// recorded through it like any other command), ids, and the warm upstream clients.
import type { LoggingLevel } from "@modelcontextprotocol/server"
import type { RequestStates } from "./request-state.ts"
import type { Memory } from "../memory/memory.ts"
import type { AgentChannel } from "../sandbox/primitives/ai.ts"
import type { CodeRunInput, CodeRunResult } from "../sandbox/sandbox.ts"
import type { CommandOptions, CommandOutcome } from "../workspace/execute.ts"
import type { WorkspaceState } from "../../projections/state.ts"
import type { PolicyEngine } from "../policy/engine.ts"
import type { RateLimiter } from "../policy/rate-limiter.ts"
import type { AgentRequests } from "./agent-requests.ts"
import type { PendingCall } from "./call-tool.ts"
import type { InFlightCalls } from "./in-flight.ts"
import type { ParkedCalls } from "./parked-calls.ts"
import type { UpstreamPool } from "./upstream-pool.ts"
import type { CredentialAccess } from "../vault/vault.ts"

export interface WorkspaceHost {
  readonly slug: string
  readonly pool: UpstreamPool
  state(): WorkspaceState
  /** Runs a command through the synchronous pipeline and returns its outcome. */
  execute(command: unknown, options: CommandOptions): CommandOutcome
  newId(): string
  /** The workspace's policy engine, up to date with its policy sets. */
  policies(): PolicyEngine
  /** The workspace's token buckets, one per rate limit. */
  readonly limiter: RateLimiter
  /** Calls running upstream, for cancellations that arrive in a request of their own. */
  readonly inFlight: InFlightCalls
  /** Requests relayed to agents, waiting for answers that arrive in a request of their own. */
  readonly agentRequests: AgentRequests
  /** Signs and checks the requestState those calls' agents are given. */
  readonly requestStates: RequestStates
  /** Calls waiting for an agent on MCP 2026-07-28 to retry with its answers. */
  readonly parked: ParkedCalls<PendingCall>
  /**
   * The log level each agent on the 2025 protocol set with `logging/setLevel`, per agent rather than
   * per session, since a session-less request has none to keep it in. A 2026-07-28 request names its own level.
   */
  readonly logLevels: Map<string, LoggingLevel>
  /** How long Berth waits for an agent to answer a relayed request, or to retry a parked call. */
  readonly answerLimitMs: number
  /** The vault, as a call needs it: a granted credential for the pool, and a scrubber of its values. */
  readonly vault: CredentialAccess
  /** Workspace memory, for Berth's own memory tools and resources (src/memory). */
  readonly memory: () => Memory
  /** What a 2025 session's client declared at its `initialize` (sessions.ts); undefined for no such session. */
  readonly sessionCapabilities: (session: string) => Readonly<Record<string, unknown>> | undefined
  /** Runs submitted code as the agent (src/sandbox): Berth's own run_code tool. */
  readonly runCode: (agent: string, input: CodeRunInput, channel?: AgentChannel) => Promise<CodeRunResult>
}
