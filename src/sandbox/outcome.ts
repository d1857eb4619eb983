// What the isolate answers, checked on the plane's side before anything is recorded. The script
// runs in the same global scope as the host module and can replace its built-ins, so the answer is
// the script's to forge: its kind, sizes and texts are checked here, never trusted.
import { clipText, MAX_RECORDED_TEXT } from "../runs/redact.ts"
import type { ScriptLog, ScriptOutcome } from "./runner.ts"

/** Error texts a script controls, as kept in the run: as much as of any text from outside the plane. */
export const MAX_ERROR_TEXT = MAX_RECORDED_TEXT
/** A name or _tag: an identifier, or it is shown as "Error". */
const TAG = /^[A-Za-z][A-Za-z0-9_]{0,63}$/
const MAX_LOG_LINES = 1000

const text = (value: unknown, max: number): string => clipText(typeof value === "string" ? value : String(value ?? ""), max)

const tagOf = (value: unknown): string | undefined => (typeof value === "string" && TAG.test(value) ? value : undefined)

const logsOf = (value: unknown, limitChars: number): { logs: Array<ScriptLog>; truncated: boolean } => {
  const logs: Array<ScriptLog> = []
  let chars = 0
  let truncated = false
  for (const entry of Array.isArray(value) ? value : []) {
    const { level, text: line } = (entry ?? {}) as { level?: unknown; text?: unknown }
    if (typeof line !== "string" || logs.length >= MAX_LOG_LINES || chars + line.length > limitChars) {
      truncated = true
      break
    }
    chars += line.length
    logs.push({ level: ["log", "info", "warn", "error", "debug"].includes(level as string) ? (level as string) : "log", text: line })
  }
  return { logs, truncated }
}

const position = (at: unknown) => {
  const { line, column } = (at ?? {}) as { line?: unknown; column?: unknown }
  return Number.isSafeInteger(line) && Number.isSafeInteger(column) ? { line: line as number, column: column as number } : undefined
}

/** The isolate's answer as the plane will record it; anything malformed is `failed`, saying so. */
export const checkedOutcome = (raw: unknown, logChars: number): ScriptOutcome => {
  const answer = (raw ?? {}) as Record<string, unknown>
  switch (answer.kind) {
    case "timeout":
      return { kind: "timeout" }
    case "failed":
      return { kind: "failed", message: text(answer.message, MAX_ERROR_TEXT) }
    case "done": {
      if (typeof answer.json !== "string") return { kind: "failed", message: "the script's isolate answered without a result (ScriptResultInvalid)" }
      const { logs, truncated } = logsOf(answer.logs, logChars)
      return { kind: "done", json: answer.json, logs, logsTruncated: truncated || answer.logsTruncated === true }
    }
    case "threw": {
      const { logs, truncated } = logsOf(answer.logs, logChars)
      const at = position(answer.at)
      const tag = tagOf(answer.tag)
      return {
        kind: "threw",
        name: tagOf(answer.name) ?? "Error",
        message: text(answer.message, MAX_ERROR_TEXT),
        ...(tag === undefined ? {} : { tag }),
        ...(at === undefined ? {} : { at }),
        logs,
        logsTruncated: truncated || answer.logsTruncated === true
      }
    }
    default:
      return { kind: "failed", message: "the script's isolate answered something the plane does not understand (ScriptResultInvalid)" }
  }
}
