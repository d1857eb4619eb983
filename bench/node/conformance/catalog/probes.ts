// Tools that exist so the 2026-07-28 wire rules have something to act on: server-stateless (SEP-2575)
// and http-custom-header-server-validation (SEP-2243) look them up by name. On v2 the SDK enforces the
// rules around them; v1 has them too, so a gateway that serves v1 to a 2026 client can be held to the rules.
import { type JsonSchema, NO_ARGUMENTS } from "./content.ts"
import { askModel } from "./interviews.ts"

/** SEP-2243: `region` is mirrored into the Mcp-Param-Region header, which must match the body. */
export const REGION_TOOL = {
  name: "test_x_mcp_header",
  description: "Takes a region that the client also sends as the Mcp-Param-Region header",
  inputSchema: {
    type: "object",
    properties: {
      region: { type: "string", description: "Sent as Mcp-Param-Region too", "x-mcp-header": "Region" },
      level: { type: "integer", description: "Sent only in the body" }
    }
  } as JsonSchema,
  answer: (region: unknown) => `Region ${typeof region === "string" ? region : "(none)"}`
}

/** Asks the client's model, so a request that did not declare `sampling` must be refused with -32021. */
export const SAMPLING_PROBE = {
  name: "test_missing_capability",
  description: "Needs the sampling capability: it asks the client's model a question",
  inputSchema: NO_ARGUMENTS,
  key: "answer",
  question: askModel("Say pong", 16),
  answer: "The model answered"
}

/** Its response stream must hold the result and no request to the client. */
export const QUIET_TOOL = {
  name: "test_streaming_elicitation",
  description: "Answers without sending the client any request",
  inputSchema: NO_ARGUMENTS,
  answer: "Answered without asking the client anything"
}

/** Logs one info message, which a 2026 request receives only if its `_meta` sets a log level. */
export const LOG_PROBE = {
  name: "test_logging_tool",
  description: "Logs one info message",
  inputSchema: NO_ARGUMENTS,
  message: "test_logging_tool ran",
  answer: "Logged at info"
}

/** Each announces that a list changed; server-stateless waits for it on a subscriptions/listen stream. */
export const LIST_TRIGGERS = [
  { name: "test_trigger_tool_change", description: "Announces that the tool list changed", inputSchema: NO_ARGUMENTS, list: "tools" },
  { name: "test_trigger_prompt_change", description: "Announces that the prompt list changed", inputSchema: NO_ARGUMENTS, list: "prompts" }
] as const
