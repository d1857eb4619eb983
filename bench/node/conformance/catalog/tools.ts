// The tools the suite's scenarios call by name, with what each one answers; ../v2 and ../v1 wire them
// to their SDK. Written once, so the two fixtures cannot drift apart.
import { audio, type Content, embedded, image, type JsonSchema, NO_ARGUMENTS, text, type Tool } from "./content.ts"

/** The content-type scenarios (tools-call-simple-text, -image, -audio, -embedded-resource, -mixed-content): a fixed answer each. */
export const FIXED_TOOLS: ReadonlyArray<Tool & { readonly content: ReadonlyArray<Content> }> = [
  { name: "test_simple_text", description: "Answers with one text block", content: [text("This is a simple text response for testing.")] },
  { name: "test_image_content", description: "Answers with one PNG image block", content: [image()] },
  { name: "test_audio_content", description: "Answers with one WAV audio block", content: [audio()] },
  {
    name: "test_embedded_resource",
    description: "Answers with one embedded text resource",
    content: [embedded("test://embedded-resource", "text/plain", "This is an embedded resource content.")]
  },
  {
    name: "test_multiple_content_types",
    description: "Answers with text, an image and an embedded JSON resource, in that order",
    content: [
      text("Multiple content types test:"),
      image(),
      embedded("test://mixed-content-resource", "application/json", JSON.stringify({ test: "data", value: 123 }))
    ]
  }
].map((tool) => ({ ...tool, inputSchema: NO_ARGUMENTS }))

/** tools-call-error: the handler throws, and the SDK turns the throw into an `isError` result. */
export const ERROR_TOOL = {
  name: "test_error_handling",
  description: "Always fails; the failure is reported as a tool error (isError)",
  inputSchema: NO_ARGUMENTS,
  message: "This tool intentionally returns an error for testing"
}

/** tools-call-with-logging: three info messages, a pause between each, then an answer. */
export const LOGGING_TOOL = {
  name: "test_tool_with_logging",
  description: "Logs three info messages while it runs",
  inputSchema: NO_ARGUMENTS,
  messages: ["Tool execution started", "Tool processing data", "Tool execution completed"],
  pauseMs: 50,
  answer: "Logged three messages at info level"
}

/** tools-call-with-progress: 0, 50 and 100 of 100, only when the request carries a progress token. */
export const PROGRESS_TOOL = {
  name: "test_tool_with_progress",
  description: "Reports progress 0, 50 and 100 of 100 to a caller that sent a progress token",
  inputSchema: NO_ARGUMENTS,
  steps: [0, 50, 100],
  total: 100,
  pauseMs: 50,
  /** The answer names the token it reported against, or says there was none. */
  answer: (token: string | number | undefined) =>
    token === undefined ? "No progress token: nothing reported" : `Reported progress against token ${token}`
}

/** server-sse-polling (SEP-1699): the tool closes its own SSE stream mid-call; the client resumes with Last-Event-ID. */
export const RECONNECTION_TOOL = {
  name: "test_reconnection",
  description: "Closes its SSE stream mid-call, then answers once the client has reconnected",
  inputSchema: NO_ARGUMENTS,
  pauseMs: 100,
  answer: "Answered after the stream was closed: the client resumed it"
}

/** json-schema-2020-12 (SEP-1613, SEP-2106): every keyword here must reach the client as written. */
export const SCHEMA_TOOL: Tool = {
  name: "json_schema_2020_12_tool",
  description: "Declares an input schema that uses JSON Schema 2020-12 keywords",
  inputSchema: {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    type: "object",
    $defs: {
      address: { $anchor: "addressDef", type: "object", properties: { street: { type: "string" }, city: { type: "string" } } }
    },
    properties: {
      name: { type: "string" },
      address: { $ref: "#/$defs/address" },
      contactMethod: { type: "string", enum: ["phone", "email"] },
      phone: { type: "string" },
      email: { type: "string" }
    },
    allOf: [{ anyOf: [{ required: ["phone"] }, { required: ["email"] }] }],
    if: { properties: { contactMethod: { const: "phone" } }, required: ["contactMethod"] },
    then: { required: ["phone"] },
    else: { required: ["email"] },
    additionalProperties: false
  }
}

/** A request a tool sends the client mid-call on a 2025 session, and how the answer is reported back. */
export interface AskingTool extends Tool {
  readonly method: "sampling/createMessage" | "elicitation/create"
  readonly params: (args: Record<string, unknown>) => Record<string, unknown>
  readonly answer: (result: Record<string, unknown>) => string
}

const elicited = (result: Record<string, unknown>) =>
  `Elicitation completed: action=${String(result.action)}, content=${JSON.stringify(result.content ?? {})}`

/** tools-call-sampling, tools-call-elicitation, elicitation-sep1034-defaults, elicitation-sep1330-enums. */
export const ASKING_TOOLS: ReadonlyArray<AskingTool> = [
  {
    name: "test_sampling",
    description: "Asks the client's model to answer a prompt (sampling/createMessage)",
    inputSchema: { type: "object", properties: { prompt: { type: "string", description: "What to ask the model" } }, required: ["prompt"] },
    method: "sampling/createMessage",
    params: (args) => ({ messages: [{ role: "user", content: text(String(args.prompt)) }], maxTokens: 100 }),
    answer: (result) => {
      const content = result.content as { text?: unknown } | undefined
      return `LLM response: ${typeof content?.text === "string" ? content.text : JSON.stringify(result.content)}`
    }
  },
  {
    name: "test_elicitation",
    description: "Asks the client's user for a username and an email (elicitation/create)",
    inputSchema: { type: "object", properties: { message: { type: "string", description: "What to show the user" } }, required: ["message"] },
    method: "elicitation/create",
    params: (args) => ({
      message: String(args.message),
      requestedSchema: {
        type: "object",
        properties: {
          username: { type: "string", description: "User's response" },
          email: { type: "string", description: "User's email address" }
        },
        required: ["username", "email"]
      }
    }),
    answer: (result) => `User response: action=${String(result.action)}, content=${JSON.stringify(result.content ?? {})}`
  },
  {
    name: "test_elicitation_sep1034_defaults",
    description: "Elicits a form whose every primitive field has a default (SEP-1034)",
    inputSchema: NO_ARGUMENTS,
    method: "elicitation/create",
    params: () => ({
      message: "Check the prefilled fields and change any that are wrong",
      requestedSchema: {
        type: "object",
        properties: {
          name: { type: "string", description: "User name", default: "John Doe" },
          age: { type: "integer", description: "User age", default: 30 },
          score: { type: "number", description: "User score", default: 95.5 },
          status: { type: "string", description: "User status", enum: ["active", "inactive", "pending"], default: "active" },
          verified: { type: "boolean", description: "Verification status", default: true }
        },
        required: []
      }
    }),
    answer: elicited
  },
  {
    name: "test_elicitation_sep1330_enums",
    description: "Elicits a form with the five enum shapes of SEP-1330",
    inputSchema: NO_ARGUMENTS,
    method: "elicitation/create",
    params: () => {
      const choices = (titles: ReadonlyArray<string>) => titles.map((title, i) => ({ const: `value${i + 1}`, title }))
      return {
        message: "Pick from each list",
        requestedSchema: {
          type: "object",
          properties: {
            untitledSingle: { type: "string", description: "One of three", enum: ["option1", "option2", "option3"] },
            titledSingle: { type: "string", description: "One of three, titled", oneOf: choices(["First Option", "Second Option", "Third Option"]) },
            legacyEnum: {
              type: "string",
              description: "One of three, titled the pre-SEP-1330 way",
              enum: ["opt1", "opt2", "opt3"],
              enumNames: ["Option One", "Option Two", "Option Three"]
            },
            untitledMulti: {
              type: "array",
              description: "Any of three",
              minItems: 1,
              maxItems: 3,
              items: { type: "string", enum: ["option1", "option2", "option3"] }
            },
            titledMulti: {
              type: "array",
              description: "Any of three, titled",
              minItems: 1,
              maxItems: 3,
              items: { anyOf: choices(["First Choice", "Second Choice", "Third Choice"]) }
            }
          },
          required: []
        }
      }
    },
    answer: elicited
  }
]
