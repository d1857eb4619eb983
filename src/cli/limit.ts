// `berth limit set|list|remove`: rate limits (token buckets) per agent, per tool, or for the workspace.
import { Effect, Option } from "effect"
import { Command, Flag } from "effect/cli"
import { call, optionalField } from "./client.ts"
import { UsageError } from "./errors.ts"
import { mutate, mutationFlags } from "./mutation.ts"
import { printJson, printTable } from "./output.ts"
import { jsonOutput, targetWorkspace } from "./root.ts"

const target = {
  agent: Flag.String("agent").pipe(Flag.withDescription("Limit this agent"), Flag.optional),
  tool: Flag.String("tool").pipe(Flag.withDescription("Limit this tool (<plugin>__<tool>)"), Flag.optional),
  workspace: Flag.Boolean("workspace").pipe(Flag.withDescription("Limit the whole workspace"), Flag.withDefault(false))
}

/** Exactly one of --agent, --tool, --workspace. */
const scopeOf = (flags: { agent: Option.Option<string>; tool: Option.Option<string>; workspace: boolean }) => {
  const chosen = [
    ...Option.toArray(Option.map(flags.agent, (name) => ({ scope: "agent", target: name }))),
    ...Option.toArray(Option.map(flags.tool, (name) => ({ scope: "tool", target: name }))),
    ...(flags.workspace ? [{ scope: "workspace" }] : [])
  ]
  return chosen.length === 1
    ? Effect.succeed(chosen[0]!)
    : Effect.fail(new UsageError({ reason: "name exactly one of --agent <name>, --tool <plugin>__<tool> or --workspace" }))
}

const describe = (s: { scope: string; target?: string }) => (s.scope === "workspace" ? "the workspace" : `${s.scope} ${s.target}`)

const set = Command.make(
  "set",
  {
    ...target,
    perMinute: Flag.Int("per-minute").pipe(Flag.withDescription("Calls allowed per minute (tokens refilled per minute)")),
    burst: Flag.Int("burst").pipe(Flag.withDescription("Calls allowed at once (bucket size; default: --per-minute)"), Flag.optional),
    ...mutationFlags
  },
  Effect.fn(function* ({ agent, tool, workspace, perMinute, burst, ...options }) {
    const scope = yield* scopeOf({ agent, tool, workspace })
    const fields = { ...scope, perMinute, ...optionalField("burst", burst) }
    yield* mutate("SetRateLimit", fields, options, `limited ${describe(scope)} to ${perMinute} calls per minute`)
  })
).pipe(
  Command.withDescription("Set a rate limit; over it, calls are refused with when to retry"),
  Command.withExamples([{ command: "berth -w acme limit set --agent support-bot --per-minute 60 --burst 10", description: "60 calls a minute, 10 at once" }])
)

interface LimitList {
  readonly limits: ReadonlyArray<{ readonly limit: string; readonly perMinute: number; readonly burst?: number; readonly setAt: string }>
}

const list = Command.make(
  "list",
  {},
  Effect.fn(function* () {
    const result = (yield* call({ _tag: "ListLimits", workspace: yield* targetWorkspace })) as LimitList
    if (yield* jsonOutput) return yield* printJson(result)
    yield* printTable(
      ["LIMIT", "PER MINUTE", "BURST", "SET"],
      result.limits.map((l) => [l.limit, String(l.perMinute), String(l.burst ?? l.perMinute), l.setAt]),
      "no rate limits (berth limit set --agent <name> --per-minute <n>)"
    )
  })
).pipe(Command.withDescription("List the workspace's rate limits"))

const remove = Command.make(
  "remove",
  { ...target, ...mutationFlags },
  Effect.fn(function* ({ agent, tool, workspace, ...options }) {
    const scope = yield* scopeOf({ agent, tool, workspace })
    yield* mutate("RemoveRateLimit", scope, options, `removed the rate limit on ${describe(scope)}`)
  })
).pipe(Command.withDescription("Remove a rate limit"))

export const limit = Command.make("limit").pipe(
  Command.withDescription("Rate limits per agent, per tool, or for the workspace"),
  Command.withSubcommands([set, list, remove])
)
