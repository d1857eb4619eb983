// Berth's own run_code over MCP. The run is carried like an upstream call (upstream-call.ts), so a
// script's orbit.ai can ask the submitting agent for sampling in either era: on the 2025 protocol a
// request on the agent's run_code request; on MCP 2026-07-28 an `input_required` answer, the run
// parked in the workspace until the agent retries run_code with its answers and the requestState.
import type { CallToolResult, ServerContext } from "@modelcontextprotocol/server"
import { asToolResult } from "../sandbox/sandbox.ts"
import { RUN_CODE } from "../sandbox/tool.ts"
import { respond, resumeParked, type ToolCallParams } from "./call-tool.ts"
import type { WorkspaceHost } from "./host.ts"
import { type SendToAgent, UpstreamCall } from "./upstream-call.ts"

export const callRunCode = async (host: WorkspaceHost, agent: string, params: ToolCallParams, ctx: ServerContext, send: SendToAgent): Promise<CallToolResult> => {
  const resumed = await resumeParked(host, agent, params, ctx, send)
  if (resumed) return respond(host, agent, RUN_CODE, resumed)
  const args = (params.arguments ?? {}) as { code?: unknown; input?: unknown; timeoutMs?: unknown }
  const input = { code: args.code as string, input: args.input, timeoutMs: args.timeoutMs as number | undefined }
  const first = { ctx, send, progressToken: params._meta?.progressToken }
  // The run records its own spans (orbit.ai's among them); its wall time, not the agent's request, ends it.
  const call = new UpstreamCall(host, agent, undefined, first, async ({ call }) => asToolResult(await host.runCode(agent, input, call)), host.answerLimitMs)
  return respond(host, agent, RUN_CODE, {
    call,
    conclude: (settled) => {
      if (settled.kind === "done") return settled.result
      throw settled.error
    }
  })
}
