// The SEP-2322 scenarios (input-required-result-*, 2026-07-28): tools and a prompt that answer
// `input_required` until the retried request carries every answer they asked for. The server keeps
// nothing between rounds; what a later round must trust travels in a signed requestState.
import {
  CLIENT_CAPABILITIES_META_KEY,
  createRequestStateCodec,
  fromJsonSchema,
  type InputRequest,
  inputRequired,
  inputResponse,
  type InputResponseView,
  type McpServer,
  ProtocolError,
  ProtocolErrorCode,
  type ServerContext
} from "@modelcontextprotocol/server"
import { NO_ARGUMENTS } from "../catalog.ts"

/** What a sealed requestState carries: the tool that minted it, and how far its interview got. */
interface Seal {
  readonly tool: string
  readonly round?: number
  readonly name?: string
}

/** HMAC-signed with a key of this process, which serves every round of every flow. */
export const requestStates = createRequestStateCodec<Seal>({ key: crypto.getRandomValues(new Uint8Array(32)) })

type AnswerKind = Exclude<InputResponseView["kind"], "missing">
interface Question {
  readonly kind: AnswerKind
  readonly request: InputRequest
}

const askName = (message: string): Question => ({
  kind: "elicit",
  request: inputRequired.elicit({
    message,
    requestedSchema: { type: "object", properties: { name: { type: "string" } }, required: ["name"] }
  })
})
const askModel = (prompt: string, maxTokens: number): Question => ({
  kind: "sampling",
  request: inputRequired.createMessage({ messages: [{ role: "user", content: { type: "text", text: prompt } }], maxTokens })
})
const askRoots = (): Question => ({ kind: "roots", request: inputRequired.listRoots() })
const askField = (message: string, field: string, type: "string" | "boolean"): Question => ({
  kind: "elicit",
  request: inputRequired.elicit({
    message,
    requestedSchema: { type: "object", properties: { [field]: type === "string" ? { type: "string" } : { type: "boolean" } }, required: [field] }
  })
})

/** The answer to `key`, if the client gave one of the kind asked for: an elicitation must be accepted. */
const answerTo = (ctx: ServerContext, key: string, question: Question) => {
  const view = inputResponse(ctx.mcpReq.inputResponses, key)
  if (view.kind !== question.kind) return undefined
  return view.kind === "elicit" && view.action !== "accept" ? undefined : view
}
const elicited = (view: InputResponseView | undefined, field: string) => (view?.kind === "elicit" ? view.content?.[field] : undefined)
const sampled = (view: InputResponseView | undefined) => {
  const content = view?.kind === "sampling" ? view.result.content : undefined
  return content !== undefined && !Array.isArray(content) && content.type === "text" ? content.text : undefined
}
const rooted = (view: InputResponseView | undefined) => (view?.kind === "roots" ? view.roots : [])

/** A one-round tool: it asks all its questions until every one is answered, then concludes from the answers. */
interface Interview {
  readonly name: string
  readonly description: string
  readonly questions: Readonly<Record<string, Question>>
  /** Whether a requestState goes with the questions, and must come back with the answers. */
  readonly sealed: boolean
  readonly conclude: (answers: Readonly<Record<string, InputResponseView>>) => string
}

const INTERVIEWS: ReadonlyArray<Interview> = [
  {
    // Also what -missing-input-response, -result-type, -ignore-extra-params and -validate-input call.
    name: "test_input_required_result_elicitation",
    description: "Asks the user's name, then greets them",
    questions: { user_name: askName("What is your name?") },
    sealed: false,
    conclude: (answers) => `Hello, ${String(elicited(answers.user_name, "name"))}!`
  },
  {
    name: "test_input_required_result_sampling",
    description: "Asks the client's model a question, then quotes its answer",
    questions: { capital_question: askModel("What is the capital of France?", 100) },
    sealed: false,
    conclude: (answers) => `The model answered: ${sampled(answers.capital_question) ?? "(no text)"}`
  },
  {
    name: "test_input_required_result_list_roots",
    description: "Asks for the client's roots, then lists them",
    questions: { client_roots: askRoots() },
    sealed: false,
    conclude: (answers) => {
      const roots = rooted(answers.client_roots)
      return `The client has ${roots.length} root(s): ${roots.map((root) => root.uri).join(", ")}`
    }
  },
  {
    name: "test_input_required_result_request_state",
    description: "Asks for a confirmation along with a signed requestState, and checks the state that comes back",
    questions: { confirm: askField("Please confirm", "ok", "boolean") },
    sealed: true,
    conclude: () => "state-ok: the requestState came back intact with the confirmation"
  },
  {
    name: "test_input_required_result_tampered_state",
    description: "Asks for a confirmation along with a signed requestState; a tampered state is refused before this runs",
    questions: { confirm: askField("Please confirm", "ok", "boolean") },
    sealed: true,
    conclude: () => "integrity-ok: the requestState verified"
  },
  {
    name: "test_input_required_result_multiple_inputs",
    description: "Asks for a name, a model's greeting and the client's roots in one round",
    questions: {
      user_name: askName("What is your name?"),
      greeting: askModel("Generate a greeting", 50),
      client_roots: askRoots()
    },
    sealed: true,
    conclude: (answers) =>
      `${sampled(answers.greeting) ?? "Hello"} ${String(elicited(answers.user_name, "name"))}, with ${rooted(answers.client_roots).length} root(s) in view`
  }
]

const text = (value: string) => ({ content: [{ type: "text" as const, text: value }] })

/** One round of `interview`: input_required while any answer is missing, the conclusion once none is. */
const conduct = async (interview: Interview, ctx: ServerContext) => {
  const answers: Record<string, InputResponseView> = {}
  for (const [key, question] of Object.entries(interview.questions)) {
    const answer = answerTo(ctx, key, question)
    if (answer !== undefined) answers[key] = answer
  }
  if (Object.keys(answers).length < Object.keys(interview.questions).length) {
    // A stateless server cannot remember a partial answer, so every question is asked again.
    const inputRequests = Object.fromEntries(Object.entries(interview.questions).map(([key, question]) => [key, question.request]))
    return inputRequired(interview.sealed ? { inputRequests, requestState: await requestStates.mint({ tool: interview.name }) } : { inputRequests })
  }
  if (interview.sealed && ctx.mcpReq.requestState<Seal>()?.tool !== interview.name) {
    throw new ProtocolError(ProtocolErrorCode.InvalidParams, `${interview.name} needs the requestState it minted back with the answers`)
  }
  return text(interview.conclude(answers))
}

/** input-required-result-multi-round: the round, and the first answer, travel in the sealed state. */
const MULTI_ROUND = {
  name: "test_input_required_result_multi_round",
  description: "Asks a name, then a favourite colour, in two rounds, and keeps the first answer in the requestState",
  first: { step1: askName("Step 1: What is your name?") },
  second: { step2: askField("Step 2: What is your favorite color?", "color", "string") }
}

const multiRound = async (ctx: ServerContext) => {
  const seal = ctx.mcpReq.requestState<Seal>()
  const nextRound = async (questions: Readonly<Record<string, Question>>, state: Seal) =>
    inputRequired({
      inputRequests: Object.fromEntries(Object.entries(questions).map(([key, question]) => [key, question.request])),
      requestState: await requestStates.mint(state)
    })
  if (seal?.tool === MULTI_ROUND.name && seal.round === 2) {
    const color = elicited(answerTo(ctx, "step2", MULTI_ROUND.second.step2), "color")
    return typeof color === "string" ? text(`${seal.name} likes ${color}`) : nextRound(MULTI_ROUND.second, seal)
  }
  const name = elicited(answerTo(ctx, "step1", MULTI_ROUND.first.step1), "name")
  return typeof name === "string"
    ? nextRound(MULTI_ROUND.second, { tool: MULTI_ROUND.name, round: 2, name })
    : nextRound(MULTI_ROUND.first, { tool: MULTI_ROUND.name, round: 1 })
}

/** input-required-result-capability-check: only what the request's `_meta` says the client can answer is asked. */
const CAPABILITY_AWARE = {
  name: "test_input_required_result_capabilities",
  description: "Asks only for the kinds of input the client declared it can give",
  questions: {
    elicitation: { user_name: askName("What is your name?") },
    sampling: { greeting: askModel("Generate a short greeting", 50) },
    roots: { client_roots: askRoots() }
  }
} as const

const askWhatCanBeAnswered = async (ctx: ServerContext) => {
  if (ctx.mcpReq.inputResponses !== undefined) return text("Every input the client could give was given")
  // The SDK's declarations type the envelope as `{}`; its client capabilities are an object of capability names.
  const envelope: Readonly<Record<string, unknown>> = ctx.mcpReq.envelope ?? {}
  const declared = (envelope[CLIENT_CAPABILITIES_META_KEY] ?? {}) as Readonly<Record<string, unknown>>
  const askable = Object.entries(CAPABILITY_AWARE.questions).flatMap(([capability, questions]) =>
    capability in declared ? Object.entries(questions) : []
  )
  if (askable.length === 0) return text("The client declared no capability an input request needs")
  return inputRequired({ inputRequests: Object.fromEntries(askable.map(([key, question]) => [key, question.request])) })
}

/** input-required-result-non-tool-request: a prompt may answer input_required too. */
const PROMPT = {
  name: "test_input_required_result_prompt",
  title: "Prompt that asks first",
  description: "Asks the user for context before it renders",
  question: askField("What context should the prompt use?", "context", "string")
}

export const registerInputRequired = (server: McpServer) => {
  for (const interview of INTERVIEWS) {
    server.registerTool(interview.name, { description: interview.description, inputSchema: fromJsonSchema(NO_ARGUMENTS) }, (_args, ctx) =>
      conduct(interview, ctx)
    )
  }
  server.registerTool(MULTI_ROUND.name, { description: MULTI_ROUND.description, inputSchema: fromJsonSchema(NO_ARGUMENTS) }, (_args, ctx) =>
    multiRound(ctx)
  )
  server.registerTool(CAPABILITY_AWARE.name, { description: CAPABILITY_AWARE.description, inputSchema: fromJsonSchema(NO_ARGUMENTS) }, (_args, ctx) =>
    askWhatCanBeAnswered(ctx)
  )
  server.registerPrompt(PROMPT.name, { title: PROMPT.title, description: PROMPT.description }, async (ctx) => {
    const context = elicited(answerTo(ctx, "user_context", PROMPT.question), "context")
    if (typeof context !== "string") return inputRequired({ inputRequests: { user_context: PROMPT.question.request } })
    return { messages: [{ role: "user", content: { type: "text", text: `Use the following context: ${context}` } }] }
  })
}
