// `berth workspace create|list|capture|retention|code-limits`: workspaces themselves. `create` takes the slug as its argument,
// not from -w, because the workspace does not exist yet.
import { Effect, Option } from "effect"
import { Argument, Command, Flag } from "effect/cli"
import { call, optionalField } from "./client.ts"
import { UsageError } from "./errors.ts"
import { mutate, mutationFlags, reportCommand, sendCommand } from "./mutation.ts"
import { printJson, printTable } from "./output.ts"
import { jsonOutput, targetWorkspace } from "./root.ts"

const create = Command.make(
  "create",
  {
    slug: Argument.String("slug").pipe(Argument.withDescription("The new workspace's slug")),
    owner: Flag.String("owner").pipe(Flag.withDescription("A member who owns the workspace from the start"), Flag.optional),
    ...mutationFlags
  },
  Effect.fn(function* ({ slug, owner, ...options }) {
    const { result } = yield* sendCommand("CreateWorkspace", optionalField("owner", owner), options, slug)
    yield* reportCommand(result, `created workspace ${slug}`)
  })
).pipe(
  Command.withDescription("Create a workspace"),
  Command.withExamples([
    { command: "berth workspace create acme", description: "Create the workspace acme" },
    { command: "berth workspace create acme --owner ana@acme.dev", description: "Create it with ana@acme.dev as its owner" }
  ])
)

interface WorkspaceList {
  readonly workspaces: ReadonlyArray<{ readonly workspace: string; readonly createdAt: string }>
}

const list = Command.make(
  "list",
  {},
  Effect.fn(function* () {
    const result = (yield* call({ _tag: "ListWorkspaces" })) as WorkspaceList
    if (yield* jsonOutput) return yield* printJson(result)
    yield* printTable(
      ["WORKSPACE", "CREATED"],
      result.workspaces.map((w) => [w.workspace, w.createdAt]),
      "no workspaces yet (berth workspace create <slug>)"
    )
  })
).pipe(Command.withDescription("List the plane's workspaces"))

const capture = Command.make(
  "capture",
  {
    mode: Argument.Literals("mode", ["on", "off"]).pipe(
      Argument.withDescription("on: runs record tool arguments and results (secret-like keys, bearer tokens and JWTs redacted); off: size and sha256 only")
    ),
    ...mutationFlags
  },
  Effect.fn(function* ({ mode, ...options }) {
    yield* mutate("SetPayloadCapture", { enabled: mode === "on" }, options, `payload capture ${mode}`)
  })
).pipe(
  Command.withDescription("Turn payload capture for runs on or off (default off)"),
  Command.withExamples([{ command: "berth -w acme workspace capture on", description: "Record redacted arguments and results" }])
)

const retention = Command.make(
  "retention",
  {
    keepDays: Flag.Int("keep-days").pipe(
      Flag.withDescription("Keep log rows in the workspace this many days after they are sealed in the archive (0: prune as soon as sealed)"),
      Flag.optional
    ),
    off: Flag.Boolean("off").pipe(Flag.withDescription("Keep every row in the workspace (the default)"), Flag.withDefault(false)),
    ...mutationFlags
  },
  Effect.fn(function* ({ keepDays, off, ...options }) {
    if (off === Option.isSome(keepDays)) return yield* new UsageError({ reason: "pass either --keep-days N or --off" })
    const summary = Option.match(keepDays, { onNone: () => "retention off: every log row stays in the workspace", onSome: (d) => `retention: sealed rows older than ${d} days are pruned from the workspace (the archive keeps them)` })
    yield* mutate("SetRetention", Option.match(keepDays, { onNone: () => ({}), onSome: (d) => ({ keepDays: d }) }), options, summary)
  })
).pipe(
  Command.withDescription("Prune log rows from the workspace once they are sealed in the R2 archive and older than N days"),
  Command.withExamples([
    { command: "berth -w acme workspace retention --keep-days 30", description: "Keep a month of sealed history in the workspace" },
    { command: "berth -w acme workspace retention --off", description: "Keep everything (the default)" }
  ])
)

const limitFlag = (name: string, description: string) => Flag.Int(name).pipe(Flag.withDescription(description), Flag.optional)

const codeLimits = Command.make(
  "code-limits",
  {
    wallMs: limitFlag("wall-ms", "Wall time of a code run, 100 to 300,000 ms (default 30,000)"),
    cpuMs: limitFlag("cpu-ms", "CPU time, 10 to 300,000 ms, where the runtime enforces it (default 10,000)"),
    resultBytes: limitFlag("result-bytes", "A run's result as JSON, 1 byte to 4 MiB (default 262,144)"),
    primitiveCalls: limitFlag("primitive-calls", "orbit calls a run may make, 1 to 10,000 (default 1,000)"),
    defaults: Flag.Boolean("defaults").pipe(Flag.withDescription("Start from the defaults rather than the limits in force"), Flag.withDefault(false)),
    ...mutationFlags
  },
  Effect.fn(function* ({ wallMs, cpuMs, resultBytes, primitiveCalls, defaults, ...options }) {
    const given = { ...optionalField("wallMs", wallMs), ...optionalField("cpuMs", cpuMs), ...optionalField("resultBytes", resultBytes), ...optionalField("primitiveCalls", primitiveCalls) }
    if (Object.keys(given).length === 0 && !defaults) {
      // No change asked: show the limits in force.
      const { state } = (yield* call({ _tag: "GetState", workspace: yield* targetWorkspace })) as { state: { workspace: { codeLimits?: Record<string, number> } } }
      const limits = state.workspace.codeLimits
      if (yield* jsonOutput) return yield* printJson({ codeLimits: limits ?? null })
      return yield* printTable(
        ["LIMIT", "VALUE"],
        limits === undefined ? [] : Object.entries(limits).map(([k, v]) => [k, String(v)]),
        "the default limits: wallMs 30000, cpuMs 10000, resultBytes 262144, primitiveCalls 1000 (berth workspace code-limits --wall-ms N to change)"
      )
    }
    yield* mutate("SetCodeLimits", { ...given, ...(defaults ? { defaults: true } : {}) }, options, "set the workspace's code limits")
  })
).pipe(
  Command.withDescription("Show or set the limits of the workspace's code runs (run_code, berth run submit, jobs)"),
  Command.withExamples([
    { command: "berth -w acme workspace code-limits --wall-ms 60000 --primitive-calls 200", description: "A minute per run, 200 orbit calls" },
    { command: "berth -w acme workspace code-limits", description: "Show the limits in force" },
    { command: "berth -w acme workspace code-limits --defaults", description: "Back to the defaults" }
  ])
)

export const workspace = Command.make("workspace").pipe(
  Command.withDescription("Create and list workspaces, and set workspace-wide options"),
  Command.withSubcommands([create, list, capture, retention, codeLimits])
)
