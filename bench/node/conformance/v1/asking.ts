// How the SDK v1 asks the client something mid-call: a 2025 request sent while the call is open, answered
// before the call goes on. A 2026 client gets the question only if a gateway turns it into input_required.
import type { RequestHandlerExtra } from "@modelcontextprotocol/sdk/shared/protocol.js"
import {
  type CallToolResult,
  CreateMessageResultSchema,
  ElicitResultSchema,
  ListRootsResultSchema,
  type LoggingLevel,
  type ServerNotification,
  type ServerRequest
} from "@modelcontextprotocol/sdk/types.js"
import type { Question } from "../catalog/interviews.ts"

export type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>
/** A tool's behaviour: a text answer, or a whole result. */
export type Run = (args: Record<string, unknown>, extra: Extra) => Promise<string | CallToolResult>
/** Sends an info-or-worse log message on the call's stream, if the session's level lets it through. */
export type Log = (extra: Extra, level: LoggingLevel, data: string) => Promise<void>

const RESULT_SCHEMAS = {
  "elicitation/create": ElicitResultSchema,
  "sampling/createMessage": CreateMessageResultSchema,
  "roots/list": ListRootsResultSchema
}

/** The client's answer to one request: a catalog question, or an asking tool's request. */
export const ask = async (extra: Extra, request: { readonly method: keyof typeof RESULT_SCHEMAS; readonly params: object }): Promise<unknown> =>
  // The catalog's requests are plain JSON; the SDK validates the answer against the method's result schema.
  extra.sendRequest({ method: request.method, params: request.params } as ServerRequest, RESULT_SCHEMAS[request.method])

/** Every question at once, as 2026 asks them in one round; the answers by key. */
export const askAll = async (extra: Extra, questions: Readonly<Record<string, Question>>) =>
  Object.fromEntries(await Promise.all(Object.entries(questions).map(async ([key, question]) => [key, await ask(extra, question)] as const)))
