// The input-required-result-* scenarios (SEP-2322): tools and a prompt that need answers from the client
// before they can finish. ../v2 asks as 2026-07-28 does, with an input_required result and a retry;
// ../v1 asks as 2025 does, with requests sent mid-call, which reach a 2026 client only through a gateway
// that turns them into input_required. The questions, and what is made of the answers, are the same.
import { type TextContent, text } from "./content.ts"

type Field = { type: "string" } | { type: "boolean" }
export type Question =
  | {
      readonly method: "elicitation/create"
      readonly params: { message: string; requestedSchema: { type: "object"; properties: Record<string, Field>; required: Array<string> } }
    }
  | {
      readonly method: "sampling/createMessage"
      readonly params: { messages: Array<{ role: "user"; content: TextContent }>; maxTokens: number }
    }
  | { readonly method: "roots/list"; readonly params: Record<string, never> }

export const askField = (message: string, field: string, type: Field["type"] = "string"): Question => ({
  method: "elicitation/create",
  params: { message, requestedSchema: { type: "object", properties: { [field]: { type } }, required: [field] } }
})
export const askModel = (prompt: string, maxTokens: number): Question => ({
  method: "sampling/createMessage",
  params: { messages: [{ role: "user", content: text(prompt) }], maxTokens }
})
export const askRoots = (): Question => ({ method: "roots/list", params: {} })

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value)

/** `field` of an accepted elicitation; undefined for a decline, a cancel, or anything that is not an elicitation result. */
export const acceptedField = (answer: unknown, field: string) =>
  isObject(answer) && answer.action === "accept" && isObject(answer.content) ? answer.content[field] : undefined
/** The text a client's model answered, if its answer is text. */
export const sampledText = (answer: unknown) =>
  isObject(answer) && isObject(answer.content) && answer.content.type === "text" && typeof answer.content.text === "string"
    ? answer.content.text
    : undefined
export const rootsOf = (answer: unknown): ReadonlyArray<{ readonly uri?: unknown }> =>
  isObject(answer) && Array.isArray(answer.roots) ? answer.roots.filter(isObject) : []

/** Whether `answer` settles `question`: an accepted form with every required field, a model's message, a list of roots. */
export const settles = (question: Question, answer: unknown) => {
  switch (question.method) {
    case "elicitation/create":
      return question.params.requestedSchema.required.every((field) => acceptedField(answer, field) !== undefined)
    case "sampling/createMessage":
      return isObject(answer) && answer.role === "assistant" && isObject(answer.content)
    case "roots/list":
      return isObject(answer) && Array.isArray(answer.roots)
  }
}

/** A tool that asks all its questions in one round and concludes from the answers. */
export interface Interview {
  readonly name: string
  readonly description: string
  readonly questions: Readonly<Record<string, Question>>
  /** On v2, a signed requestState goes out with the questions and must come back with the answers. */
  readonly sealed: boolean
  readonly conclude: (answers: Readonly<Record<string, unknown>>) => string
}

const askName = (message: string) => askField(message, "name")

export const INTERVIEWS: ReadonlyArray<Interview> = [
  {
    // Also what -missing-input-response, -result-type, -ignore-extra-params and -validate-input call.
    name: "test_input_required_result_elicitation",
    description: "Asks the user's name, then greets them",
    questions: { user_name: askName("What is your name?") },
    sealed: false,
    conclude: (answers) => `Hello, ${String(acceptedField(answers.user_name, "name"))}!`
  },
  {
    name: "test_input_required_result_sampling",
    description: "Asks the client's model a question, then quotes its answer",
    questions: { capital_question: askModel("What is the capital of France?", 100) },
    sealed: false,
    conclude: (answers) => `The model answered: ${sampledText(answers.capital_question) ?? "(no text)"}`
  },
  {
    name: "test_input_required_result_list_roots",
    description: "Asks for the client's roots, then lists them",
    questions: { client_roots: askRoots() },
    sealed: false,
    conclude: (answers) => {
      const roots = rootsOf(answers.client_roots)
      return `The client has ${roots.length} root(s): ${roots.map((root) => String(root.uri)).join(", ")}`
    }
  },
  {
    // "state-ok" is what the scenario looks for. On v2 the handler runs only once the SDK has verified the
    // state it minted; on v1 the call waits here, and a requestState is whatever the gateway in front keeps.
    name: "test_input_required_result_request_state",
    description: "Asks for a confirmation; on the 2026 wire a signed requestState goes with the question and must come back",
    questions: { confirm: askField("Please confirm", "ok", "boolean") },
    sealed: true,
    conclude: () => "state-ok: the confirmation came back with the request's state"
  },
  {
    name: "test_input_required_result_tampered_state",
    description: "Asks for a confirmation; on the 2026 wire a tampered requestState is refused before this tool runs",
    questions: { confirm: askField("Please confirm", "ok", "boolean") },
    sealed: true,
    conclude: () => "integrity-ok: confirmed"
  },
  {
    name: "test_input_required_result_multiple_inputs",
    description: "Asks for a name, a model's greeting and the client's roots at once",
    questions: {
      user_name: askName("What is your name?"),
      greeting: askModel("Generate a greeting", 50),
      client_roots: askRoots()
    },
    sealed: true,
    conclude: (answers) =>
      `${sampledText(answers.greeting) ?? "Hello"} ${String(acceptedField(answers.user_name, "name"))}, with ${rootsOf(answers.client_roots).length} root(s) in view`
  }
]

/** input-required-result-multi-round: a second question, asked only once the first is answered. */
export const MULTI_ROUND = {
  name: "test_input_required_result_multi_round",
  description: "Asks a name, then a favourite colour, one after the other",
  first: { step1: askName("Step 1: What is your name?") },
  second: { step2: askField("Step 2: What is your favorite color?", "color") },
  conclude: (name: string, color: string) => `${name} likes ${color}`
}

/** input-required-result-capability-check: only what the client declared it can answer is asked, keyed by capability. */
export const CAPABILITY_AWARE = {
  name: "test_input_required_result_capabilities",
  description: "Asks only for the kinds of input the client declared it can give",
  questions: {
    elicitation: { user_name: askName("What is your name?") },
    sampling: { greeting: askModel("Generate a short greeting", 50) },
    roots: { client_roots: askRoots() }
  } as Readonly<Record<string, Readonly<Record<string, Question>>>>,
  answered: "Every input the client could give was given",
  nothingToAsk: "The client declared no capability an input request needs"
}

/** input-required-result-non-tool-request: a prompt that asks before it renders. */
export const ASKING_PROMPT = {
  name: "test_input_required_result_prompt",
  title: "Prompt that asks first",
  description: "Asks the user for context before it renders",
  key: "user_context",
  question: askField("What context should the prompt use?", "context"),
  messages: (context: string) => [{ role: "user" as const, content: text(`Use the following context: ${context}`) }]
}
