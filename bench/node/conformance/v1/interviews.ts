// The SEP-2322 interviews (../catalog/interviews.ts) the 2025 way: the questions go to the client mid-call
// and the call waits for the answers. Behind a gateway, a 2026 client is asked them as input_required.
import type { Server } from "@modelcontextprotocol/sdk/server/index.js"
import { NO_ARGUMENTS, type Tool } from "../catalog/content.ts"
import { acceptedField, ASKING_PROMPT, CAPABILITY_AWARE, INTERVIEWS, MULTI_ROUND, type Question, settles } from "../catalog/interviews.ts"
import { ask, askAll, type Extra, type Run } from "./asking.ts"

/** An unsettled answer (a decline, a cancel) ends the call as a tool error: a 2025 call cannot be retried with more. */
const settled = (questions: Readonly<Record<string, Question>>, answers: Readonly<Record<string, unknown>>) => {
  const unsettled = Object.keys(questions).filter((key) => !settles(questions[key]!, answers[key]))
  if (unsettled.length > 0) throw new Error(`The client did not answer ${unsettled.join(", ")}`)
  return answers
}

export const interviewTools = (server: Server): ReadonlyArray<readonly [Tool, Run]> => [
  ...INTERVIEWS.map((interview) => {
    const tool = { name: interview.name, description: interview.description, inputSchema: NO_ARGUMENTS }
    const run: Run = async (_args, extra) => interview.conclude(settled(interview.questions, await askAll(extra, interview.questions)))
    return [tool, run] as const
  }),
  [
    { name: MULTI_ROUND.name, description: MULTI_ROUND.description, inputSchema: NO_ARGUMENTS },
    async (_args, extra) => {
      const first = settled(MULTI_ROUND.first, await askAll(extra, MULTI_ROUND.first))
      const second = settled(MULTI_ROUND.second, await askAll(extra, MULTI_ROUND.second))
      return MULTI_ROUND.conclude(String(acceptedField(first.step1, "name")), String(acceptedField(second.step2, "color")))
    }
  ],
  [
    { name: CAPABILITY_AWARE.name, description: CAPABILITY_AWARE.description, inputSchema: NO_ARGUMENTS },
    // On 2025 the client declared its capabilities once, at initialize.
    async (_args, extra) => {
      const declared = server.getClientCapabilities() ?? {}
      const askable = Object.fromEntries(
        Object.entries(CAPABILITY_AWARE.questions).flatMap(([capability, questions]) => (capability in declared ? Object.entries(questions) : []))
      )
      if (Object.keys(askable).length === 0) return CAPABILITY_AWARE.nothingToAsk
      settled(askable, await askAll(extra, askable))
      return CAPABILITY_AWARE.answered
    }
  ]
]

/** prompts/get for the asking prompt: the question goes out while the request is open. */
export const renderAskingPrompt = async (extra: Extra) => {
  const answer = await ask(extra, ASKING_PROMPT.question)
  const context = acceptedField(answer, "context")
  if (typeof context !== "string") throw new Error(`The client did not answer ${ASKING_PROMPT.key}`)
  return { messages: ASKING_PROMPT.messages(context) }
}
