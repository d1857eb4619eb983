// How the CLI writes: lines and JSON to stdout, failures to stderr, and aligned tables for
// the human listings. Everything goes through CliIo so tests can capture it.
import { Effect } from "effect"
import { PlaneRejected, type CliFailure } from "./errors.ts"
import { CliIo } from "./io.ts"

export const printLine = (text = "") =>
  Effect.gen(function* () {
    const io = yield* CliIo
    io.stdout.write(`${text}\n`)
  })

/** Machine output: indented JSON for one value. */
export const printJson = (value: unknown) => printLine(JSON.stringify(value, null, 2))

/**
 * Text an agent or a client chose (a client's name, a refused tool's name) may hold terminal
 * escape sequences; in a table each control character is shown as `\xNN` instead of acting.
 */
export const printable = (text: string) =>
  text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`)

/** Columns padded to their widest cell; the last column is not padded. Cells are made printable. */
export const formatTable = (header: ReadonlyArray<string>, unsafeRows: ReadonlyArray<ReadonlyArray<string>>): string => {
  const rows = unsafeRows.map((r) => r.map(printable))
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)))
  const line = (cells: ReadonlyArray<string>) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join("  ")
      .trimEnd()
  return [line(header), ...rows.map(line)].join("\n")
}

export const printTable = (
  header: ReadonlyArray<string>,
  rows: ReadonlyArray<ReadonlyArray<string>>,
  empty: string
) => printLine(rows.length === 0 ? empty : formatTable(header, rows))

/** Shortens one value for a one-line listing. */
export const clip = (text: string, max = 80) => (text.length > max ? `${text.slice(0, max - 1)}…` : text)

/**
 * A failure on stderr. Human: `berth: <Tag>: <message>`, where a plane error keeps its own tag
 * and message (which names the field or rule). With --json: `{"error": {...}}` on one line.
 */
export const formatFailure = (failure: CliFailure, json: boolean): string => {
  if (json) {
    const error = failure instanceof PlaneRejected ? failure.error : { _tag: failure._tag, message: failure.message }
    return JSON.stringify({ error })
  }
  return failure instanceof PlaneRejected ? `berth: ${failure.message}` : `berth: ${failure._tag}: ${failure.message}`
}
