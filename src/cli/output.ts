// How the CLI writes: lines and JSON to stdout, notes and failures to stderr, and aligned tables
// for the human listings. Everything goes through CliIo so tests can capture it, and through
// printable.ts so no text an agent chose acts on the terminal.
import { Effect } from "effect"
import { PlaneRejected, type CliFailure } from "./errors.ts"
import { CliIo } from "./io.ts"
import { printable, printableJson, printableLines } from "./printable.ts"

// connect.ts logs through it from here.
export { printable }

/** Human output: lines kept, every other control character shown escaped (printable.ts). */
export const printLine = (text = "") =>
  Effect.gen(function* () {
    const io = yield* CliIo
    io.stdout.write(`${printableLines(text)}\n`)
  })

/** A note beside the output (a next page, a caveat) on stderr, made printable the same way. */
export const printNote = (text: string) =>
  Effect.gen(function* () {
    const io = yield* CliIo
    io.stderr.write(`${printableLines(text)}\n`)
  })

/** Machine output: indented JSON for one value, exact, with any raw C1 or bidi control as a `\uNNNN` escape. */
export const printJson = (value: unknown) => printJsonLine(value, 2)

/** One JSON value on one line (an NDJSON record), or indented. */
export const printJsonLine = (value: unknown, indent?: number) =>
  Effect.gen(function* () {
    const io = yield* CliIo
    io.stdout.write(`${printableJson(value, indent)}\n`)
  })

/** Columns padded to their widest cell; the last column is not padded. Cells are one line each, made printable. */
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
    return printableJson({ error })
  }
  // A plane's message can quote an agent's words (a tool's name, a client's).
  return printableLines(failure instanceof PlaneRejected ? `berth: ${failure.message}` : `berth: ${failure._tag}: ${failure.message}`)
}
