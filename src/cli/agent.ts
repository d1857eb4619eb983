// `berth agent register|list|suspend|revoke`. `register` prints the agent's key: the plane keeps
// only its hash, so this is the one time anyone sees it.
import { Effect, Option } from "effect"
import { Argument, Command, Flag } from "effect/cli"
import { call } from "./client.ts"
import { mutate, mutationFlags, sendCommand } from "./mutation.ts"
import { printJson, printLine, printTable } from "./output.ts"
import { jsonOutput, targetWorkspace } from "./root.ts"

const agentName = Argument.String("name").pipe(Argument.withDescription("Agent name"))
const reason = Flag.String("reason").pipe(Flag.withDescription("Why, recorded in the event"), Flag.optional)
const withReason = (agent: string, reason: Option.Option<string>) =>
  Option.match(reason, { onNone: () => ({ agent }), onSome: (reason) => ({ agent, reason }) })

const register = Command.make(
  "register",
  {
    name: agentName,
    owner: Flag.String("owner").pipe(Flag.withDescription("Member who owns the agent"), Flag.optional),
    ...mutationFlags
  },
  Effect.fn(function* ({ name, owner, ...options }) {
    const fields = Option.match(owner, { onNone: () => ({ agent: name }), onSome: (owner) => ({ agent: name, owner }) })
    const { workspace, result } = yield* sendCommand("RegisterAgent", fields, options)
    // A replayed registration carries no key: it went to the first caller.
    const key = typeof result.key === "string" ? result.key : null
    if (yield* jsonOutput) return yield* printJson({ agent: name, key })
    if (key === null)
      return yield* printLine(
        `agent ${name} was already registered by an earlier request with this idempotency key; its key was shown then and cannot be shown again`
      )
    yield* printLine(`registered agent ${name} in ${workspace} (seq ${result.seq})`)
    yield* printLine(`key: ${key}`)
    yield* printLine("Save this key now: Berth stores only its hash and will not show it again.")
  })
).pipe(
  Command.withDescription("Register an agent and print its key (shown once)"),
  Command.withExamples([
    { command: "berth -w acme agent register triage-bot --owner ana@acme.dev", description: "Register an owned agent" },
    { command: "berth -w acme agent register ci --json", description: 'Print {"agent","key"} for a script' }
  ])
)

interface AgentList {
  readonly agents: ReadonlyArray<{
    readonly agent: string
    readonly status: string
    readonly via: "key" | "oauth"
    readonly keyPrefix?: string
    readonly clientId?: string
    readonly owner?: string
    readonly registeredAt: string
  }>
}

const list = Command.make(
  "list",
  {},
  Effect.fn(function* () {
    const result = (yield* call({ _tag: "ListAgents", workspace: yield* targetWorkspace })) as AgentList
    if (yield* jsonOutput) return yield* printJson(result)
    yield* printTable(
      ["AGENT", "STATUS", "DOCKS WITH", "OWNER", "REGISTERED"],
      result.agents.map((a) => [a.agent, a.status, a.via === "oauth" ? `oauth ${a.clientId ?? "?"}` : `key ${a.keyPrefix}…`, a.owner ?? "-", a.registeredAt]),
      "no agents (berth agent register <name>)"
    )
  })
).pipe(Command.withDescription("List agents with their status and how they dock (key prefix, or OAuth client id)"))

const suspend = Command.make(
  "suspend",
  { name: agentName, reason, ...mutationFlags },
  Effect.fn(function* ({ name, reason, ...options }) {
    yield* mutate("SuspendAgent", withReason(name, reason), options, `suspended agent ${name}`)
  })
).pipe(Command.withDescription("Suspend an agent: its key stops working"))

const revoke = Command.make(
  "revoke",
  { name: agentName, reason, ...mutationFlags },
  Effect.fn(function* ({ name, reason, ...options }) {
    yield* mutate("RevokeAgent", withReason(name, reason), options, `revoked agent ${name}`)
  })
).pipe(Command.withDescription("Revoke an agent for good"))

export const agent = Command.make("agent").pipe(
  Command.withDescription("Register and manage agents"),
  Command.withSubcommands([register, list, suspend, revoke])
)
