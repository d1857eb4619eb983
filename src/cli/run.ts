// `berth run show <run>`: one run as its span tree (children indented under their parent, with
// durations, status and the span's attributes) under a header of who called what and how it ended.
// `berth run submit <file>`: runs a script in the workspace as one of its agents (docs/execution.md).
import { readFile } from "node:fs/promises"
import { basename } from "node:path"
import { Effect, Option } from "effect"
import { Argument, Command, Flag } from "effect/cli"
import type { Envelope, Span } from "../../events/index.ts"
import { call } from "./client.ts"
import { type CodeTool, renderOrbitTypes } from "./code-types.ts"
import { CodeRunFailed, FileError, UsageError } from "./errors.ts"
import { clip, printJson, printLine } from "./output.ts"
import { printable, printableJson } from "./printable.ts"
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
  readonly kind?: "tool" | "code"
  readonly codeHash?: string
  readonly codeSize?: number
  readonly limits?: { readonly wallMs: number; readonly cpuMs: number; readonly resultBytes: number; readonly primitiveCalls: number }
  readonly job?: string
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
    // Only the root repeats the header; a code run's orbit span names the tool it called.
    .filter(([key]) => depth > 0 || !IN_HEADER.has(key))
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
  // A run caused by another: a tool call a script made, or a job's firing (caused by the run that scheduled it).
  if (detail.started.causationId) header.push(`caused by run ${detail.started.causationId}  (berth run show ${detail.started.causationId})`)
  if (started.job !== undefined) header.push(`job     ${started.job}  (berth job list)`)
  if (started.kind === "code" && started.codeHash !== undefined)
    header.push(
      `code    ${bytes(started.codeSize ?? 0, started.codeHash)}  (R2 code/${started.codeHash})`,
      ...(started.limits
        ? [`limits  wall ${started.limits.wallMs} ms, cpu ${started.limits.cpuMs} ms, result ${started.limits.resultBytes} bytes, ${started.limits.primitiveCalls} primitive calls`]
        : [])
    )
  if (finished?.resultSize !== undefined && finished.resultHash !== undefined)
    header.push(`result  ${bytes(finished.resultSize, finished.resultHash)}`)
  else if (finished) header.push("result  -")
  if (finished?.error !== undefined) header.push(`error   ${finished.error}`)
  const tree = formatSpanTree(detail.spans)
  // Tool names, span names and error texts can be an agent's or an upstream's words: a line break in one
  // is shown escaped, so each field and each span stays on its own line.
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

interface CodeRunAnswer {
  readonly run: string
  readonly status: "ok" | "error" | "denied" | "timeout" | "running"
  readonly result?: unknown
  readonly error?: { readonly _tag: string; readonly message: string; readonly line?: number; readonly column?: number }
  readonly logs?: ReadonlyArray<{ readonly level: string; readonly text: string }>
  readonly logsTruncated?: boolean
  readonly durationMs?: number
}

/** A code run as a person reads it: its logs, then the result (or the error, at its line), then the run id. */
export const formatCodeRun = (answer: CodeRunAnswer, file: string): string => {
  const lines: Array<string> = []
  // The script's own words, line breaks kept; printLine shows their control characters, never obeys them.
  for (const log of answer.logs ?? []) lines.push(`${log.level === "log" ? "" : `${log.level}: `}${log.text}`)
  if (answer.logsTruncated) lines.push("(console output past the run's limit was dropped)")
  if (answer.status === "running") lines.push(`started run ${answer.run}; see it with: berth run show ${answer.run}`)
  else if (answer.status === "ok") lines.push(printableJson(answer.result ?? null, 2))
  else {
    // A syntax error's message already says where; a thrown error's does not.
    const at = answer.error?.line === undefined || answer.error._tag === "ScriptSyntaxError" ? "" : `${file}:${answer.error.line}:${answer.error.column ?? 0}: `
    lines.push(`${answer.status}: ${at}${answer.error ? `${answer.error._tag}: ${answer.error.message}` : "the run did not finish"}`)
  }
  if (answer.status !== "running") lines.push(`run ${answer.run} (${answer.status}${answer.durationMs === undefined ? "" : `, ${answer.durationMs} ms`})`)
  return lines.join("\n")
}

const submit = Command.make(
  "submit",
  {
    file: Argument.String("file").pipe(Argument.withDescription("The script: a .ts or .js module, `export default async function (input, orbit) { … }`")),
    input: Flag.String("input").pipe(Flag.withDescription("The script's input, as JSON"), Flag.withMetavar("JSON"), Flag.optional),
    as: Flag.String("as").pipe(Flag.withDescription("The agent it runs as (its policies decide every call)"), Flag.withMetavar("AGENT")),
    timeout: Flag.Int("timeout-ms").pipe(Flag.withDescription("Stop the run after this many milliseconds (at most the workspace's wall limit)"), Flag.optional),
    wait: Flag.Boolean("wait").pipe(Flag.withDescription("Wait for the run to end and print its result (otherwise print its id once it has started)"), Flag.withDefault(false))
  },
  Effect.fn(function* ({ file, input, as, timeout, wait }) {
    const code = yield* Effect.tryPromise({
      try: () => readFile(file, "utf8"),
      catch: (error) => new FileError({ path: file, reason: error instanceof Error ? error.message : String(error) })
    })
    let parsed: unknown
    if (Option.isSome(input)) {
      try {
        parsed = JSON.parse(input.value)
      } catch (error) {
        return yield* new UsageError({ reason: `--input is not JSON (${error instanceof Error ? error.message : String(error)})` })
      }
    }
    const answer = (yield* call({
      _tag: "RunCode",
      workspace: yield* targetWorkspace,
      agent: as,
      code,
      file: basename(file),
      ...(parsed === undefined ? {} : { input: parsed }),
      ...(Option.isSome(timeout) ? { timeoutMs: timeout.value } : {}),
      wait
    })) as CodeRunAnswer
    if (yield* jsonOutput) yield* printJson(answer)
    else yield* printLine(formatCodeRun(answer, basename(file)))
    // A run that ended other than ok exits 1, with --json too, so a script can tell.
    if (answer.status !== "ok" && answer.status !== "running") return yield* new CodeRunFailed({ run: answer.run, status: answer.status })
  })
).pipe(
  Command.withDescription("Run a script in the workspace as one of its agents: its tool and memory calls are authorized and recorded as that agent"),
  Command.withExamples([
    { command: "berth -w acme run submit triage.ts --as triage-bot --input '{\"since\":\"1d\"}' --wait", description: "Run a script and print its result" },
    { command: "berth -w acme run submit nightly.ts --as ops-bot", description: "Start it and print the run id" }
  ])
)

const types = Command.make(
  "types",
  {
    as: Flag.String("as").pipe(Flag.withDescription("The agent whose scripts it types: the tools it may call now"), Flag.withMetavar("AGENT"))
  },
  Effect.fn(function* ({ as }) {
    const workspace = yield* targetWorkspace
    const answer = (yield* call({ _tag: "CodeTools", workspace, agent: as })) as { seq: number; tools: ReadonlyArray<CodeTool> }
    if (yield* jsonOutput) return yield* printJson(answer)
    const rendered = yield* Effect.tryPromise({
      try: () => renderOrbitTypes(answer.tools, `orbit for agent ${JSON.stringify(as)} in workspace ${JSON.stringify(workspace)}, at seq ${answer.seq}`),
      catch: (error) => new UsageError({ reason: `a tool's input schema could not be rendered as TypeScript: ${error instanceof Error ? error.message : String(error)}` })
    })
    yield* printLine(rendered.trimEnd())
  })
).pipe(
  Command.withDescription("Print a .d.ts of orbit for an agent's scripts: every tool it may call, typed from its pinned input schema"),
  Command.withExamples([{ command: "berth -w acme run types --as triage-bot > orbit.d.ts", description: "Types to write scripts against" }])
)

export const run = Command.make("run").pipe(
  Command.withDescription("Submit code to run in the workspace, or inspect one run (of a tool call or of code)"),
  Command.withSubcommands([show, submit, types])
)
