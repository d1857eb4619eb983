// `berth policy set|list|remove|test`: Cedar policy sets stored by id. `set` reads the text from a
// file; `test` asks how one call would be decided, now or with a proposed file, appending nothing.
import { Effect } from "effect"
import { Argument, Command, Flag } from "effect/cli"
import { call, optionalField } from "./client.ts"
import { UsageError } from "./errors.ts"

import { mutate, mutationFlags } from "./mutation.ts"
import { printJson, printLine, printTable } from "./output.ts"
import { jsonOutput, targetWorkspace } from "./root.ts"

const policyId = Argument.String("id").pipe(Argument.withDescription("Policy set id"))

const set = Command.make(
  "set",
  {
    id: policyId,
    text: Flag.FileText("file").pipe(Flag.withDescription("The Cedar file to store (at most 256 KiB)")),
    ...mutationFlags
  },
  Effect.fn(function* ({ id, text, ...options }) {
    yield* mutate("SetPolicy", { policy: id, text }, options, `set policy ${id}`)
  })
).pipe(
  Command.withDescription("Create or replace a policy set from a .cedar file"),
  Command.withExamples([{ command: "berth -w acme policy set default --file policies/default.cedar", description: "Store a policy set" }])
)

interface PolicyList {
  readonly policies: ReadonlyArray<{ readonly policy: string; readonly text: string; readonly sha256: string; readonly setAt: string }>
}

const list = Command.make(
  "list",
  {},
  Effect.fn(function* () {
    const result = (yield* call({ _tag: "ListPolicies", workspace: yield* targetWorkspace })) as PolicyList
    if (yield* jsonOutput) return yield* printJson(result)
    yield* printTable(
      ["POLICY", "SHA256", "BYTES", "SET"],
      result.policies.map((p) => [p.policy, p.sha256.slice(0, 12), String(Buffer.byteLength(p.text)), p.setAt]),
      "no policies (berth policy set <id> --file <f.cedar>)"
    )
  })
).pipe(Command.withDescription("List policy sets (--json includes their text)"))

const remove = Command.make(
  "remove",
  { id: policyId, ...mutationFlags },
  Effect.fn(function* ({ id, ...options }) {
    yield* mutate("RemovePolicy", { policy: id }, options, `removed policy ${id}`)
  })
).pipe(Command.withDescription("Remove a policy set"))

interface Trial {
  readonly allow: boolean
  readonly rule: string
  readonly policies: ReadonlyArray<string>
  readonly reason?: string
  readonly evaluated: ReadonlyArray<string>
}

const parseArgs = (text: string) =>
  Effect.try({
    try: () => JSON.parse(text) as unknown,
    catch: () => new UsageError({ reason: "--args must be a JSON object, e.g. '{\"repo\":\"acme/api\"}'" })
  }).pipe(
    Effect.filterOrFail(
      (v): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v),
      () => new UsageError({ reason: "--args must be a JSON object" })
    )
  )

const test = Command.make(
  "test",
  {
    agent: Flag.String("agent").pipe(Flag.withDescription("The calling agent")),
    tool: Flag.String("tool").pipe(Flag.withDescription("The tool, as <plugin>__<tool>")),
    args: Flag.String("args").pipe(Flag.withDescription("The call's arguments, a JSON object"), Flag.withDefault("{}")),
    file: Flag.FileText("file").pipe(Flag.withDescription("A proposed policy set to decide with"), Flag.optional),
    as: Flag.String("as").pipe(Flag.withDescription("The set the proposal replaces (default: added as 'proposed')"), Flag.optional)
  },
  Effect.fn(function* ({ agent, tool, args, file, as }) {
    const query = {
      _tag: "TestPolicy",
      workspace: yield* targetWorkspace,
      agent,
      tool,
      args: yield* parseArgs(args),
      ...optionalField("text", file),
      ...optionalField("as", as)
    }
    const result = (yield* call(query)) as Trial
    if (yield* jsonOutput) return yield* printJson(result)
    const by = result.policies.length > 0 ? ` (policies: ${result.policies.join(", ")})` : ""
    yield* printLine(result.allow ? `allow${by}` : `deny: ${result.reason}${by}`)
    yield* printLine(`rule ${result.rule}; policy sets evaluated: ${result.evaluated.join(", ") || "none"}`)
  })
).pipe(
  Command.withDescription("How a call would be decided, against the current policies or a proposed file; appends nothing"),
  Command.withExamples([
    {
      command: `berth -w acme policy test --agent bot --tool github__search --args '{"repo":"acme/api"}' --file proposed.cedar --as guard`,
      description: "Decide one call with proposed.cedar in place of the set 'guard'"
    }
  ])
)

interface Flip {
  readonly run: string
  readonly at: string
  readonly agent: string
  readonly tool: string
  readonly policies: ReadonlyArray<string>
  readonly reason?: string
}

interface SimulationResult {
  readonly judged: number
  readonly withoutArgs: number
  readonly undetermined: number
  readonly allowToDeny: ReadonlyArray<Flip>
  readonly denyToAllow: ReadonlyArray<Flip>
}

const flipRows = (flips: ReadonlyArray<Flip>) =>
  flips.map((f) => [f.at, f.agent, f.tool, f.policies.join(",") || "-", f.reason ?? "", f.run])

const simulateCommand = Command.make(
  "simulate",
  {
    text: Flag.FileText("file").pipe(Flag.withDescription("The proposed policy set")),
    as: Flag.String("as").pipe(Flag.withDescription("The set the proposal replaces (default: added as 'proposed')"), Flag.optional),
    last: Flag.Int("last").pipe(Flag.withDescription("Only the last N recorded calls"), Flag.optional),
    since: Flag.String("since").pipe(Flag.withDescription("Only calls recorded since this ISO-8601 time"), Flag.optional)
  },
  Effect.fn(function* ({ text, as, last, since }) {
    const query = {
      _tag: "SimulatePolicy",
      workspace: yield* targetWorkspace,
      text,
      ...optionalField("as", as),
      ...optionalField("last", last),
      ...optionalField("since", since)
    }
    const result = (yield* call(query)) as SimulationResult
    if (yield* jsonOutput) return yield* printJson(result)
    yield* printLine(`${result.judged} recorded calls replayed: ${result.allowToDeny.length} allow → deny, ${result.denyToAllow.length} deny → allow`)
    if (result.withoutArgs > 0)
      yield* printLine(
        `${result.withoutArgs} were recorded without payload capture: judged on agent, action and tool only; ${result.undetermined} of them depend on arguments under the proposal and could not be judged`
      )
    const headers = ["AT", "AGENT", "TOOL", "POLICIES", "REASON", "RUN"]
    if (result.allowToDeny.length > 0) {
      yield* printLine("\nallow → deny")
      yield* printTable(headers, flipRows(result.allowToDeny), "")
    }
    if (result.denyToAllow.length > 0) {
      yield* printLine("\ndeny → allow")
      yield* printTable(headers, flipRows(result.denyToAllow), "")
    }
  })
).pipe(
  Command.withDescription("Replay recorded tool calls against a proposed policy set and show which would flip"),
  Command.withExamples([{ command: "berth -w acme policy simulate --file proposed.cedar --as starter --last 1000", description: "What replacing the starter would have changed" }])
)

export const policy = Command.make("policy").pipe(
  Command.withDescription("Manage Cedar policy sets"),
  Command.withSubcommands([set, list, remove, test, simulateCommand])
)
