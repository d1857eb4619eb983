// What Berth's conformance fixtures serve, written once for both SDKs: the tools, resources and prompts
// the suite's scenarios call by name, with the content each scenario's description asks for.
// Plain data and pure functions only; ./v2 and ./v1 each wire it to their SDK.

/** A 1×1 PNG and a 1 ms silent WAV (8 kHz, 16-bit mono), base64: the smallest media the content scenarios accept. */
export const PIXEL = { data: "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGOQz+8GAAHKARoLeFNrAAAAAElFTkSuQmCC", mimeType: "image/png" }
export const SILENCE = { data: "UklGRjQAAABXQVZFZm10IBAAAAABAAEAQB8AAIA+AAACABAAZGF0YRAAAAAAAAAAAAAAAAAAAAAAAAAA", mimeType: "audio/wav" }

export type TextContent = { type: "text"; text: string }
export type ImageContent = { type: "image"; data: string; mimeType: string }
export type AudioContent = { type: "audio"; data: string; mimeType: string }
export type EmbeddedText = { type: "resource"; resource: { uri: string; mimeType: string; text: string } }
export type Content = TextContent | ImageContent | AudioContent | EmbeddedText
export type JsonSchema = { type: "object"; properties?: Record<string, object>; required?: Array<string>; [keyword: string]: unknown }

const text = (value: string): TextContent => ({ type: "text", text: value })
const image = (): ImageContent => ({ type: "image", ...PIXEL })
const audio = (): AudioContent => ({ type: "audio", ...SILENCE })
const embedded = (uri: string, mimeType: string, body: string): EmbeddedText => ({ type: "resource", resource: { uri, mimeType, text: body } })

/** The input schema of a tool that takes no arguments. */
export const NO_ARGUMENTS: JsonSchema = { type: "object", properties: {} }

export interface Tool {
  readonly name: string
  readonly description: string
  readonly inputSchema: JsonSchema
}

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

export interface StaticResource {
  readonly name: string
  readonly uri: string
  readonly title: string
  readonly description: string
  readonly mimeType: string
  readonly body: { readonly text: string } | { readonly blob: string }
}

/** resources-list, resources-read-text, resources-read-binary, and the resource resources-subscribe watches. */
export const STATIC_RESOURCES: ReadonlyArray<StaticResource> = [
  {
    name: "static-text",
    uri: "test://static-text",
    title: "Static text",
    description: "A text resource that never changes",
    mimeType: "text/plain",
    body: { text: "This is the content of the static text resource." }
  },
  {
    name: "static-binary",
    uri: "test://static-binary",
    title: "Static binary",
    description: "A PNG image resource that never changes",
    mimeType: "image/png",
    body: { blob: PIXEL.data }
  },
  {
    name: "watched-resource",
    uri: "test://watched-resource",
    title: "Watched resource",
    description: "A text resource for the subscribe and unsubscribe scenarios",
    mimeType: "text/plain",
    body: { text: "Watched resource content" }
  }
]

/** The contents a resources/read answers for one of STATIC_RESOURCES. */
export const staticContents = (resource: StaticResource) => [{ uri: resource.uri, mimeType: resource.mimeType, ...resource.body }]

/** resources-templates-read: `{id}` is substituted into a JSON document; completion suggests the known ids. */
export const TEMPLATE = {
  name: "template",
  uriTemplate: "test://template/{id}/data",
  title: "Data by id",
  description: "A JSON document for any id",
  mimeType: "application/json",
  knownIds: ["123", "124", "456"],
  read: (uri: string, id: string) => [
    { uri, mimeType: "application/json", text: JSON.stringify({ id, templateTest: true, data: `Data for ID: ${id}` }) }
  ]
}

/** completion/complete: the candidates that start with what the user typed so far. */
export const complete = (candidates: ReadonlyArray<string>, typed: string) => {
  const values = candidates.filter((candidate) => candidate.startsWith(typed))
  return { values, total: values.length, hasMore: false }
}

/** SEP-2164: reading a URI nothing serves is an Invalid Params error that names the URI. */
export const RESOURCE_NOT_FOUND = { code: -32602, message: (uri: string) => `Resource not found: ${uri}` }

export interface PromptArgument {
  readonly name: string
  readonly description: string
}
export interface Prompt {
  readonly name: string
  readonly title: string
  readonly description: string
  /** Every argument is a required string. */
  readonly arguments: ReadonlyArray<PromptArgument>
  readonly messages: (args: Readonly<Record<string, string>>) => ReadonlyArray<{ role: "user"; content: Content }>
}

/** prompts-list, prompts-get-simple, -with-args, -embedded-resource, -with-image. */
export const PROMPTS: ReadonlyArray<Prompt> = [
  {
    name: "test_simple_prompt",
    title: "Simple prompt",
    description: "A prompt without arguments",
    arguments: [],
    messages: () => [{ role: "user", content: text("This is a simple prompt for testing.") }]
  },
  {
    name: "test_prompt_with_arguments",
    title: "Prompt with arguments",
    description: "A prompt that quotes its two arguments",
    arguments: [
      { name: "arg1", description: "First test argument" },
      { name: "arg2", description: "Second test argument" }
    ],
    messages: (args) => [{ role: "user", content: text(`Prompt with arguments: arg1='${args.arg1}', arg2='${args.arg2}'`) }]
  },
  {
    name: "test_prompt_with_embedded_resource",
    title: "Prompt with an embedded resource",
    description: "A prompt that embeds a text resource at the URI it is given",
    arguments: [{ name: "resourceUri", description: "URI of the resource to embed" }],
    messages: (args) => [
      { role: "user", content: embedded(args.resourceUri ?? "", "text/plain", "Embedded resource content for testing.") },
      { role: "user", content: text("Please process the embedded resource above.") }
    ]
  },
  {
    name: "test_prompt_with_image",
    title: "Prompt with an image",
    description: "A prompt that shows an image",
    arguments: [],
    messages: () => [
      { role: "user", content: image() },
      { role: "user", content: text("Please analyze the image above.") }
    ]
  }
]

/** A prompt's arguments as the JSON Schema of an object with required string properties. */
export const promptSchema = (prompt: Prompt): JsonSchema => ({
  type: "object",
  properties: Object.fromEntries(prompt.arguments.map((a) => [a.name, { type: "string", description: a.description }])),
  required: prompt.arguments.map((a) => a.name)
})
