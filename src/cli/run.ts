// `berth run show <run>`: one run as its span tree (children indented under their parent, with
// durations, status and the span's attributes) under a header of who called what and how it ended.
import { Effect } from "effect"
import { Argument, Command } from "effect/cli"
import type { Envelope, Span } from "../../events/index.ts"
import { call } from "./client.ts"
import { clip, printable, printJson, printLine } from "./output.ts"
import { jsonOutput, targetWorkspace } from "./root.ts"

interface RunDetail {
  readonly run: string
  readonly started: Envelope
  readonly spans: ReadonlyArray<Span>
  readonly finished: Envelope | null
}

interface StartedData {
  readonly agent: string
  readonly tool: string
  readonly traceId: string
  readonly argsHash: string
  readonly argsSize: number
}

interface FinishedData {
  readonly status: string
  readonly durationMs: number
  readonly resultHash?: string
  readonly resultSize?: number
  readonly error?: string
}

// The root span repeats the header's agent, tool and run; the tree shows only what each span adds.
const IN_HEADER = new Set(["berth.agent", "berth.tool", "berth.run"])

const durationMs = (span: Span) => Math.max(0, Date.parse(span.end) - Date.parse(span.start))

const spanStatus = (status: Span["status"]) =>
  status.message === undefined ? status.code : `${status.code}: ${clip(status.message, 100)}`

const spanLine = (span: Span, depth: number) => {
  const attributes = Object.entries(span.attributes)
    .filter(([key]) => !IN_HEADER.has(key))
    .map(([key, value]) => `${key}=${clip(String(value), 40)}`)
  return [`${"  ".repeat(depth)}${span.name}`, `${durationMs(span)} ms`, spanStatus(span.status), ...attributes].join("  ")
}

/** The spans as an indented tree; a span whose parent is not in the run is shown as a root. */
export const formatSpanTree = (spans: ReadonlyArray<Span>): ReadonlyArray<string> => {
  const ids = new Set(spans.map((s) => s.spanId))
  const children = new Map<string | undefined, Array<Span>>()
  for (const span of spans) {
    const parent = span.parentSpanId !== undefined && ids.has(span.parentSpanId) ? span.parentSpanId : undefined
    children.set(parent, [...(children.get(parent) ?? []), span])
  }
  const lines: Array<string> = []
  const seen = new Set<string>()
  const walk = (parent: string | undefined, depth: number) => {
    const ordered = [...(children.get(parent) ?? [])].sort((a, b) => Date.parse(a.start) - Date.parse(b.start))
    for (const span of ordered) {
      if (seen.has(span.spanId)) continue
      seen.add(span.spanId)
      lines.push(spanLine(span, depth))
      walk(span.spanId, depth + 1)
    }
  }
  walk(undefined, 0)
  return lines
}

const bytes = (size: number, hash: string) => `${size} bytes  sha256 ${hash}`

export const formatRun = (detail: RunDetail): string => {
  const started = detail.started.data as unknown as StartedData
  const finished = detail.finished ? (detail.finished.data as unknown as FinishedData) : null
  const header = [
    `run ${detail.run}`,
    `agent   ${started.agent}`,
    `tool    ${started.tool}`,
    `status  ${finished ? `${finished.status}  ${finished.durationMs} ms` : "open (not finished)"}`,
    `started ${detail.started.at}  seq ${detail.started.seq}  trace ${started.traceId}`,
    `args    ${bytes(started.argsSize, started.argsHash)}`
  ]
  if (finished?.resultSize !== undefined && finished.resultHash !== undefined)
    header.push(`result  ${bytes(finished.resultSize, finished.resultHash)}`)
  else if (finished) header.push("result  -")
  if (finished?.error !== undefined) header.push(`error   ${finished.error}`)
  const tree = formatSpanTree(detail.spans)
  // Tool names, span names and error texts can be an agent's or an upstream's words: shown, not obeyed.
  return [...header, "", ...(tree.length === 0 ? ["no spans recorded yet"] : tree)].map(printable).join("\n")
}

const show = Command.make(
  "show",
  { run: Argument.String("run").pipe(Argument.withDescription("Run id (from berth runs)")) },
  Effect.fn(function* ({ run }) {
    const detail = (yield* call({ _tag: "GetRun", workspace: yield* targetWorkspace, run })) as RunDetail
    if (yield* jsonOutput) return yield* printJson(detail)
    yield* printLine(formatRun(detail))
  })
).pipe(
  Command.withDescription("Show one run: who called which tool, how it ended, and its span tree"),
  Command.withExamples([{ command: "berth -w acme run show 01JD3X…", description: "A run's spans with durations" }])
)

export const run = Command.make("run").pipe(
  Command.withDescription("Inspect one tool-call run"),
  Command.withSubcommands([show])
)
