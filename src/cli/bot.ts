// `berth bot allow|deny|remove|list`: the workspace's bot allowlist, which clients may dock. A rule
// is a client id URL (an OAuth client's metadata document) or a client name pattern with `*`.
import { Effect } from "effect"
import { Argument, Command } from "effect/cli"
import { call } from "./client.ts"
import { mutate, mutationFlags } from "./mutation.ts"
import { printJson, printTable } from "./output.ts"
import { jsonOutput, targetWorkspace } from "./root.ts"

const match = Argument.String("rule").pipe(
  Argument.withDescription("A client id URL (https://…), or a client name pattern where * matches anything (case-insensitive)")
)

const setRule = (effect: "allow" | "deny", description: string, example: string) =>
  Command.make(
    effect,
    { match, ...mutationFlags },
    Effect.fn(function* ({ match, ...options }) {
      yield* mutate("SetBotRule", { match, effect }, options, `${effect === "allow" ? "allowed" : "denied"} '${match}'`)
    })
  ).pipe(Command.withDescription(description), Command.withExamples([{ command: example, description }]))

const allow = setRule(
  "allow",
  "Allow clients that match; once any allow rule exists, only matching clients may dock",
  "berth -w acme bot allow 'Claude*'"
)
const deny = setRule("deny", "Deny clients that match, whatever else allows them", "berth -w acme bot deny 'scraper*'")

const remove = Command.make(
  "remove",
  { match, ...mutationFlags },
  Effect.fn(function* ({ match, ...options }) {
    yield* mutate("RemoveBotRule", { match }, options, `removed the bot rule '${match}'`)
  })
).pipe(Command.withDescription("Remove a rule from the allowlist"))

interface StateResult {
  readonly state: { readonly botRules: Readonly<Record<string, { readonly effect: string; readonly setAt: string }>> }
}

const list = Command.make(
  "list",
  {},
  Effect.fn(function* () {
    const { state } = (yield* call({ _tag: "GetState", workspace: yield* targetWorkspace })) as StateResult
    const rules = Object.entries(state.botRules).map(([match, r]) => ({ rule: match, effect: r.effect, setAt: r.setAt }))
    if (yield* jsonOutput) return yield* printJson({ rules })
    yield* printTable(
      ["RULE", "EFFECT", "SET"],
      rules.map((r) => [r.rule, r.effect, r.setAt]),
      "no bot rules: every client may dock (berth bot allow <client id URL or name pattern>)"
    )
  })
).pipe(Command.withDescription("List the allowlist's rules"))

export const bot = Command.make("bot").pipe(
  Command.withDescription("The bot allowlist: which clients may dock (deny rules win; with any allow rule, only matches may dock)"),
  Command.withSubcommands([allow, deny, remove, list])
)
