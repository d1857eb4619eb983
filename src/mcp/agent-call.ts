// What an upstream may send the agent during one tool call, and how it gets there: logs as
// notifications on the agent's request, and sampling or elicitation requests relayed to the agent
// and answered by it. Each relayed request leaves a span in the run.
import { PROTOCOL_VERSION_META_KEY, ProtocolError, ProtocolErrorCode, type ServerContext } from "@modelcontextprotocol/server"
import type { Span } from "../../events/index.ts"
import type { OutgoingRequest } from "./agent-requests.ts"
import type { AgentCall, LogMessage, UpstreamRequest } from "./call-scope.ts"
import type { WorkspaceHost } from "./host.ts"
import { startSpan } from "./trace.ts"

/** Sends a request to the agent on the stream of the agent's request `relatedTo`. */
export type SendToAgent = (message: OutgoingRequest, relatedTo: string | number) => Promise<void>

export interface CallRelay {
  readonly call: AgentCall
  /** The spans of the requests relayed so far, for the run. */
  readonly spans: ReadonlyArray<Span>
}

export const callRelay = (
  host: WorkspaceHost,
  agent: string,
  ctx: ServerContext,
  send: SendToAgent,
  trace: { readonly traceId: string; readonly parentSpanId: string },
  signal: AbortSignal
): CallRelay => {
  const spans: Array<Span> = []
  // A 2026-07-28 request carries its protocol version in its envelope; a 2025-era one does not.
  const modern = (ctx.mcpReq.envelope as Record<string, unknown> | undefined)?.[PROTOCOL_VERSION_META_KEY] !== undefined

  const ask = async (request: UpstreamRequest): Promise<unknown> => {
    const span = startSpan(trace.traceId, `agent ${request.method}`, trace.parentSpanId)
    const attributes = { "mcp.method": request.method }
    try {
      if (modern) {
        // 2026-07-28 has no server-to-client requests: it would take an input_required round trip
        // through the agent, which Berth does not relay yet (docs/mcp.md).
        throw new ProtocolError(
          ProtocolErrorCode.MethodNotFound,
          `Berth cannot relay ${request.method} to an agent on MCP 2026-07-28 yet; it relays it to agents on the 2025 protocol`
        )
      }
      const id = `berth-${host.newId()}`
      const result = await host.agentRequests.ask(agent, id, request, (message) => send(message, ctx.mcpReq.id), signal)
      spans.push(span.end({ code: "ok" }, attributes))
      return result
    } catch (error) {
      spans.push(span.end({ code: "error", message: error instanceof Error ? error.message : String(error) }, attributes))
      throw error
    }
  }

  const log = (message: LogMessage) => void ctx.mcpReq.notify({ method: "notifications/message", params: message } as never)
  return { call: { log, ask }, spans }
}
