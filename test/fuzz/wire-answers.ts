// How the wire fuzz reads an answer and judges its shape: a JSON-RPC message (or batch) or an SSE
// stream of them, a plain HTTP refusal, or an admin RPC answer whose status is its error tag's.
// Reading is bounded, because some requests rightly open a stream that stays open (a 2026-07-28
// `subscriptions/listen`, a 2025 session's GET).
import { STATUS } from "../../src/admin/status.ts"

export interface Answer {
  readonly status: number
  readonly contentType: string
  readonly sessionId: string | null
  /** The body's text; for an SSE stream, what arrived before the reader stopped. */
  readonly text: string
  /** SSE only: each event's `data`, parsed (undefined where it is not JSON). */
  readonly events?: ReadonlyArray<unknown>
  /** SSE only: the stream was still open when reading stopped. */
  readonly open?: boolean
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value)

const isError = (error: unknown) => isObject(error) && Number.isInteger(error.code) && typeof error.message === "string"

/** A JSON-RPC 2.0 response: an id, and exactly one of a result or a well-formed error. */
export const isResponse = (m: unknown): boolean =>
  isObject(m) && m.jsonrpc === "2.0" && "id" in m && ("result" in m ? !("error" in m) : isError(m.error))

/** A request or notification the server sends on a stream (progress, logs, list changes, an ask). */
const isServerMessage = (m: unknown): boolean => isObject(m) && m.jsonrpc === "2.0" && typeof m.method === "string"

/** The SSE events in `text`: each event's data lines joined, parsed as JSON. */
const sseEvents = (text: string): Array<unknown> =>
  text
    .split(/\r?\n\r?\n/)
    .slice(0, -1)
    .map((event) => event.split(/\r?\n/).filter((l) => l.startsWith("data:")).map((l) => l.slice(5).trimStart()).join("\n"))
    .filter((data) => data !== "")
    .map((data) => {
      try {
        return JSON.parse(data) as unknown
      } catch {
        return undefined
      }
    })

/** Where a stream may stop being read: it answered a request, or acknowledged a listen. */
const settled = (events: ReadonlyArray<unknown>) =>
  events.some((e) => isResponse(e) || (isObject(e) && e.method === "notifications/subscriptions/acknowledged"))

/** `promise`, or "late" after `ms`; the timer is cleared either way (an isolate may hold only 10,000). */
const withDeadline = async <T>(promise: Promise<T>, ms: number): Promise<T | "late"> => {
  let timer: ReturnType<typeof setTimeout> | undefined
  try {
    return await Promise.race([promise, new Promise<"late">((resolve) => (timer = setTimeout(() => resolve("late"), ms)))])
  } finally {
    clearTimeout(timer)
  }
}

/**
 * Reads an answer. A JSON body must arrive in `jsonMs`. An SSE stream is read until it answers, ends,
 * or `streamMs` passes, and is then cancelled; whether it had answered is the caller's to judge.
 */
export const readAnswer = async (response: Response, streamMs: number, jsonMs = 15_000): Promise<Answer> => {
  const contentType = response.headers.get("content-type") ?? ""
  const base = { status: response.status, contentType, sessionId: response.headers.get("mcp-session-id") }
  if (!contentType.includes("text/event-stream") || !response.body) {
    const text = await withDeadline(response.text(), jsonMs)
    if (text === "late") throw new Error(`no complete answer within ${jsonMs} ms (status ${response.status}, ${contentType})`)
    return { ...base, text }
  }
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader()
  const until = Date.now() + streamMs
  let text = ""
  let open = true
  try {
    for (;;) {
      const next = await withDeadline(reader.read(), Math.max(0, until - Date.now()))
      if (next === "late") break
      if (next.done) {
        open = false
        break
      }
      text += next.value
      if (settled(sseEvents(text))) break
    }
  } finally {
    await reader.cancel().catch(() => undefined)
  }
  return { ...base, text, events: sseEvents(text), open }
}

const parse = (text: string): { ok: true; value: unknown } | { ok: false } => {
  try {
    return { ok: true, value: JSON.parse(text) }
  } catch {
    return { ok: false }
  }
}

/**
 * Why an MCP endpoint's answer is malformed, or undefined when it is well-formed:
 * - never a 5xx;
 * - a 2xx JSON body is a JSON-RPC response or a non-empty batch of them; a 202 or 204 (or a session's
 *   DELETE) has no body; an SSE stream carries only JSON-RPC messages, and a POST's stream answers
 *   unless it is a listen;
 * - a 4xx JSON body is a JSON-RPC error (or the Worker's 404 for a path no route serves); other
 *   refusals are plain text with a status.
 */
export const malformedMcpAnswer = (answer: Answer, verb: string): string | undefined => {
  const { status, contentType, text } = answer
  const post = verb === "POST"
  if (status >= 500) return `status ${status}`
  if (status < 200 || (status >= 300 && status < 400)) return `unexpected status ${status}`
  if (status === 202 || status === 204) return text === "" ? undefined : `a ${status} with a body`
  // A 2025 session's DELETE: the session is closed, and there is nothing more to say.
  if (verb === "DELETE" && status === 200 && text === "") return undefined
  if (answer.events) {
    if (status >= 300) return `an SSE stream with status ${status}`
    const bad = answer.events.find((e) => !isResponse(e) && !isServerMessage(e))
    if (bad !== undefined || answer.events.includes(undefined)) return `an SSE event that is not a JSON-RPC message: ${JSON.stringify(bad)}`
    if (post && answer.open && !settled(answer.events)) return "a POST's stream gave neither an answer nor a listen acknowledgement in time"
    return undefined
  }
  const body = parse(text)
  if (status < 300) {
    if (!contentType.includes("application/json")) return `a ${status} as ${contentType || "no content type"}`
    if (!body.ok) return `a ${status} whose body is not JSON`
    const messages = Array.isArray(body.value) ? body.value : [body.value]
    if (messages.length === 0 || !messages.every(isResponse)) return `a ${status} that is not a JSON-RPC response: ${text.slice(0, 200)}`
    return undefined
  }
  // A path that is no MCP route after all (`/mcp/.` is `/mcp/` once the URL is normalised) gets the Worker's own 404.
  const noRoute = status === 404 && body.ok && isObject(body.value) && body.value.ok === false && isObject(body.value.error) && body.value.error._tag === "NotFound"
  if (body.ok && !noRoute && !(isResponse(body.value) && isObject(body.value) && "error" in body.value))
    return `a ${status} whose JSON is not a JSON-RPC error: ${text.slice(0, 200)}`
  return undefined
}

/**
 * Why an admin RPC answer is malformed, or undefined: a 200 is `{ ok: true, result }`; a refusal is
 * `{ ok: false, error: { _tag, message } }` with the status its tag maps to (src/admin/status.ts),
 * or a 405 for another HTTP method. Never a 500: a 5xx is only a typed error that maps to one.
 */
export const malformedAdminAnswer = (answer: Answer, verb: string): string | undefined => {
  const { status, text } = answer
  if (status === 500) return "status 500"
  if (verb !== "POST") return status === 405 ? undefined : `${verb} answered ${status}, not 405`
  const body = parse(text)
  if (!body.ok || !isObject(body.value)) return `status ${status} with a body that is not a JSON object: ${text.slice(0, 200)}`
  const { ok, error } = body.value
  if (ok === true) return status === 200 && "result" in body.value ? undefined : `ok with status ${status}`
  if (ok !== false || !isObject(error) || typeof error._tag !== "string" || typeof error.message !== "string")
    return `not an admin answer: ${text.slice(0, 200)}`
  const expected = (STATUS as Record<string, number | undefined>)[error._tag]
  if (expected === undefined) return `an error tag with no status: ${error._tag}`
  return expected === status ? undefined : `${error._tag} answered ${status}, not ${expected}`
}

/** Whether an admin answer refused the request (and so must have appended nothing). */
export const refused = (answer: Answer) => answer.status !== 200
