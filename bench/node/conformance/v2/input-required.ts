// The SEP-2322 interviews on the 2026-07-28 wire: each answers `input_required` until the retried request
// carries every answer it asked for. The server keeps nothing between rounds; what a later round must
// trust travels in a requestState the SDK verifies before the handler runs.
import {
  CLIENT_CAPABILITIES_META_KEY,
  createRequestStateCodec,
  fromJsonSchema,
  type InputRequest,
  inputRequired,
  type McpServer,
  ProtocolError,
  ProtocolErrorCode,
  type ServerContext
} from "@modelcontextprotocol/server"
import { NO_ARGUMENTS, text } from "../catalog/content.ts"
import {
  acceptedField,
  ASKING_PROMPT,
  CAPABILITY_AWARE,
  type Interview,
  INTERVIEWS,
  MULTI_ROUND,
  type Question,
  settles
} from "../catalog/interviews.ts"

/** What a sealed requestState carries: the tool that minted it, and for the multi-round tool the first answer. */
interface Seal {
  readonly tool: string
  readonly name?: string
}

/** HMAC-signed with a key of this process, which serves every round of every flow. */
export const requestStates = createRequestStateCodec<Seal>({ key: crypto.getRandomValues(new Uint8Array(32)) })

/** A catalog question as the SDK v2 embeds it in an input_required result. */
export const inputRequest = (question: Question): InputRequest => {
  switch (question.method) {
    case "elicitation/create":
      return inputRequired.elicit(question.params)
    case "sampling/createMessage":
      return inputRequired.createMessage(question.params)
    case "roots/list":
      return inputRequired.listRoots()
  }
}
const inputRequests = (questions: Readonly<Record<string, Question>>) =>
  Object.fromEntries(Object.entries(questions).map(([key, question]) => [key, inputRequest(question)]))
const answered = (value: string) => ({ content: [text(value)] })

/** One round of `interview`: input_required while any answer is missing, the conclusion once none is. */
const conduct = async (interview: Interview, ctx: ServerContext) => {
  const given = ctx.mcpReq.inputResponses ?? {}
  if (!Object.entries(interview.questions).every(([key, question]) => settles(question, given[key]))) {
    // A stateless server cannot remember a partial answer, so every question is asked again.
    const asked = inputRequests(interview.questions)
    return inputRequired(
      interview.sealed ? { inputRequests: asked, requestState: await requestStates.mint({ tool: interview.name }) } : { inputRequests: asked }
    )
  }
  if (interview.sealed && ctx.mcpReq.requestState<Seal>()?.tool !== interview.name) {
    throw new ProtocolError(ProtocolErrorCode.InvalidParams, `${interview.name} needs the requestState it minted back with the answers`)
  }
  return answered(interview.conclude(given))
}

/** The first answer travels in the sealed state, so the second round can conclude. */
const multiRound = async (ctx: ServerContext) => {
  const seal = ctx.mcpReq.requestState<Seal>()
  const given = ctx.mcpReq.inputResponses ?? {}
  const ask = async (questions: Readonly<Record<string, Question>>, state: Seal) =>
    inputRequired({ inputRequests: inputRequests(questions), requestState: await requestStates.mint(state) })
  if (seal?.tool === MULTI_ROUND.name && seal.name !== undefined) {
    const color = acceptedField(given.step2, "color")
    return typeof color === "string" ? answered(MULTI_ROUND.conclude(seal.name, color)) : ask(MULTI_ROUND.second, seal)
  }
  const name = acceptedField(given.step1, "name")
  return typeof name === "string" ? ask(MULTI_ROUND.second, { tool: MULTI_ROUND.name, name }) : ask(MULTI_ROUND.first, { tool: MULTI_ROUND.name })
}

/** Asks only what the request's `_meta` says the client can answer. */
const askWhatCanBeAnswered = async (ctx: ServerContext) => {
  if (ctx.mcpReq.inputResponses !== undefined) return answered(CAPABILITY_AWARE.answered)
  // The SDK's declarations type the envelope as `{}`; its client capabilities are an object keyed by capability.
  const envelope: Readonly<Record<string, unknown>> = ctx.mcpReq.envelope ?? {}
  const declared = (envelope[CLIENT_CAPABILITIES_META_KEY] ?? {}) as Readonly<Record<string, unknown>>
  const askable = Object.entries(CAPABILITY_AWARE.questions).flatMap(([capability, questions]) =>
    capability in declared ? Object.entries(questions) : []
  )
  if (askable.length === 0) return answered(CAPABILITY_AWARE.nothingToAsk)
  return inputRequired({ inputRequests: inputRequests(Object.fromEntries(askable)) })
}

export const registerInputRequired = (server: McpServer) => {
  const noArguments = fromJsonSchema(NO_ARGUMENTS)
  for (const interview of INTERVIEWS) {
    server.registerTool(interview.name, { description: interview.description, inputSchema: noArguments }, (_args, ctx) => conduct(interview, ctx))
  }
  server.registerTool(MULTI_ROUND.name, { description: MULTI_ROUND.description, inputSchema: noArguments }, (_args, ctx) => multiRound(ctx))
  server.registerTool(CAPABILITY_AWARE.name, { description: CAPABILITY_AWARE.description, inputSchema: noArguments }, (_args, ctx) =>
    askWhatCanBeAnswered(ctx)
  )
  const { title, description, key, question } = ASKING_PROMPT
  server.registerPrompt(ASKING_PROMPT.name, { title, description }, async (ctx) => {
    const context = acceptedField(ctx.mcpReq.inputResponses?.[key], "context")
    if (typeof context !== "string") return inputRequired({ inputRequests: { [key]: inputRequest(question) } })
    return { messages: ASKING_PROMPT.messages(context) }
  })
}
