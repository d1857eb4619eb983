// The catalog's tools and the wire probes on the SDK v1: what each does when called on a 2025 session.
import type { Server } from "@modelcontextprotocol/sdk/server/index.js"
import type { Tool } from "../catalog/content.ts"
import { LIST_TRIGGERS, LOG_PROBE, QUIET_TOOL, REGION_TOOL, SAMPLING_PROBE } from "../catalog/probes.ts"
import { ASKING_TOOLS, ERROR_TOOL, FIXED_TOOLS, LOGGING_TOOL, PROGRESS_TOOL, RECONNECTION_TOOL, SCHEMA_TOOL } from "../catalog/tools.ts"
import { ask, type Log, type Run } from "./asking.ts"

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

export const catalogTools = (server: Server, log: Log): ReadonlyArray<readonly [Tool, Run]> => [
  ...FIXED_TOOLS.map((tool) => [tool, async () => ({ content: [...tool.content] })] as const),
  [
    ERROR_TOOL,
    async () => {
      throw new Error(ERROR_TOOL.message)
    }
  ],
  [
    LOGGING_TOOL,
    async (_args, extra) => {
      for (const [i, message] of LOGGING_TOOL.messages.entries()) {
        if (i > 0) await pause(LOGGING_TOOL.pauseMs)
        await log(extra, "info", message)
      }
      return LOGGING_TOOL.answer
    }
  ],
  [
    PROGRESS_TOOL,
    async (_args, extra) => {
      const token = extra._meta?.progressToken
      for (const [i, progress] of PROGRESS_TOOL.steps.entries()) {
        if (i > 0) await pause(PROGRESS_TOOL.pauseMs)
        // Progress goes only to a caller that asked for it with a token.
        if (token !== undefined) {
          await extra.sendNotification({ method: "notifications/progress", params: { progressToken: token, progress, total: PROGRESS_TOOL.total } })
        }
      }
      return PROGRESS_TOOL.answer(token)
    }
  ],
  [
    RECONNECTION_TOOL,
    async (_args, extra) => {
      extra.closeSSEStream?.()
      await pause(RECONNECTION_TOOL.pauseMs)
      return RECONNECTION_TOOL.answer
    }
  ],
  [SCHEMA_TOOL, async (args) => `Accepted ${JSON.stringify(args)}`],
  ...ASKING_TOOLS.map((tool) => {
    const run: Run = async (args, extra) =>
      tool.answer((await ask(extra, { method: tool.method, params: tool.params(args) })) as Record<string, unknown>)
    return [tool, run] as const
  }),
  [REGION_TOOL, async (args) => REGION_TOOL.answer(args.region)],
  [
    SAMPLING_PROBE,
    async (_args, extra) => {
      await ask(extra, SAMPLING_PROBE.question)
      return SAMPLING_PROBE.answer
    }
  ],
  [QUIET_TOOL, async () => QUIET_TOOL.answer],
  [
    LOG_PROBE,
    async (_args, extra) => {
      await log(extra, "info", LOG_PROBE.message)
      return LOG_PROBE.answer
    }
  ],
  // On 2025 the announcement goes to the session's GET stream.
  ...LIST_TRIGGERS.map(
    (trigger) =>
      [
        trigger,
        async () => {
          await (trigger.list === "tools" ? server.sendToolListChanged() : server.sendPromptListChanged())
          return `Announced ${trigger.list}/list_changed`
        }
      ] as const
  )
]
