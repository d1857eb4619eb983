// `berth policy set|list|remove`: Cedar policy sets stored by id. `set` reads the text from a file.
import { Effect } from "effect"
import { Argument, Command, Flag } from "effect/cli"
import { call } from "./client.ts"
import { mutate, mutationFlags } from "./mutation.ts"
import { printJson, printTable } from "./output.ts"
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

export const policy = Command.make("policy").pipe(
  Command.withDescription("Manage Cedar policy sets"),
  Command.withSubcommands([set, list, remove])
)
