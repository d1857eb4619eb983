// `berth credential set|list|revoke|grant|ungrant|grants`: the workspace's vault. A value is read
// from stdin or a prompt that does not echo, never from argv, and the plane never shows it again:
// listings carry kind, owner, fingerprint, scopes, expiry and state.
import { Effect, Option } from "effect"
import { Argument, Command, Flag } from "effect/cli"
import { call } from "./client.ts"
import { connect } from "./credential-connect.ts"
import { UsageError } from "./errors.ts"
import { mutate, mutationFlags, reportCommand, sendCommand } from "./mutation.ts"
import { printJson, printTable } from "./output.ts"
import { jsonOutput, targetWorkspace } from "./root.ts"
import { readSecret } from "./secret-input.ts"

const credentialName = Argument.String("name").pipe(Argument.withDescription("Credential name"))
const plugin = Flag.String("plugin").pipe(Flag.withDescription("The plugin whose calls carry it"))
const list = (name: string, description: string) =>
  Flag.String(name).pipe(Flag.withDescription(`${description}, comma-separated`), Flag.optional)
const split = (value: Option.Option<string>) =>
  Option.match(value, {
    onNone: () => undefined,
    onSome: (v) => v.split(",").map((s) => s.trim()).filter(Boolean)
  })
const some = <K extends string, V>(key: K, value: V | undefined) => (value === undefined ? {} : ({ [key]: value } as Record<K, V>))

const set = Command.make(
  "set",
  {
    name: credentialName,
    plugin,
    bearerStdin: Flag.Boolean("bearer-stdin").pipe(
      Flag.withDescription("Read a token from stdin, sent as Authorization: Bearer (on a terminal: a prompt that does not echo)"),
      Flag.withDefault(false)
    ),
    header: Flag.String("header").pipe(Flag.withDescription("Send the value in this header instead (for example X-API-Key)"), Flag.optional),
    valueStdin: Flag.Boolean("value-stdin").pipe(Flag.withDescription("Read the header's value from stdin"), Flag.withDefault(false)),
    forMember: Flag.String("for-member").pipe(Flag.withDescription("The member whose credential it is (used for the agents they own)"), Flag.optional),
    scopes: list("scopes", "What the credential may do upstream, recorded for the team"),
    expiresAt: Flag.String("expires-at").pipe(Flag.withDescription("When it stops being used (ISO-8601)"), Flag.optional),
    ...mutationFlags
  },
  Effect.fn(function* ({ name, plugin, bearerStdin, header, valueStdin, forMember, scopes, expiresAt, ...options }) {
    const headerName = Option.getOrUndefined(header)
    if (bearerStdin && headerName !== undefined) return yield* new UsageError({ reason: "--bearer-stdin and --header are two kinds: pass one" })
    if (headerName === undefined && !bearerStdin)
      return yield* new UsageError({ reason: "pass --bearer-stdin (a bearer token), or --header NAME --value-stdin (a header's value)" })
    if (headerName !== undefined && !valueStdin) return yield* new UsageError({ reason: "--header NAME takes its value from --value-stdin" })
    const value = yield* readSecret(headerName === undefined ? `the bearer token for ${name}` : `the value of ${headerName} for ${name}`)
    const fields = {
      credential: name,
      plugin,
      kind: headerName === undefined ? "bearer" : "header",
      ...some("header", headerName),
      ...some("forMember", Option.getOrUndefined(forMember)),
      ...some("scopes", split(scopes)),
      ...some("expiresAt", Option.getOrUndefined(expiresAt)),
      value
    }
    const { result } = yield* sendCommand("SetCredential", fields, options)
    yield* reportCommand(result, `stored credential ${name} for plugin ${plugin} (fingerprint ${String(result.events[0]?.data.fingerprint ?? "unchanged")})`)
  })
).pipe(
  Command.withDescription("Store a credential in the workspace's vault (the value from stdin or a prompt, never argv)"),
  Command.withExamples([
    { command: "berth -w acme credential set gh-token --plugin gh --bearer-stdin < token.txt", description: "A bearer token from a file" },
    { command: "berth -w acme credential set linear-key --plugin linear --header X-API-Key --value-stdin", description: "An API key, typed at a prompt" }
  ])
)

interface CredentialList {
  readonly credentials: ReadonlyArray<{
    readonly credential: string
    readonly plugin: string
    readonly kind: string
    readonly header?: string
    readonly owner: string
    readonly member?: string
    readonly fingerprint: string
    readonly scopes: ReadonlyArray<string>
    readonly expiresAt?: string
    readonly status: string
  }>
}

const listCredentials = Command.make(
  "list",
  {},
  Effect.fn(function* () {
    const result = (yield* call({ _tag: "ListCredentials", workspace: yield* targetWorkspace })) as CredentialList
    if (yield* jsonOutput) return yield* printJson(result)
    yield* printTable(
      ["CREDENTIAL", "PLUGIN", "KIND", "OWNER", "FINGERPRINT", "SCOPES", "EXPIRES", "STATE"],
      result.credentials.map((c) => [
        c.credential,
        c.plugin,
        c.kind === "header" ? `header ${c.header}` : c.kind,
        c.owner === "member" ? `member ${c.member}` : "team",
        c.fingerprint,
        c.scopes.join(",") || "-",
        c.expiresAt ?? "-",
        c.status
      ]),
      "no credentials (berth credential set <name> --plugin <plugin> --bearer-stdin, or berth credential connect <name> --plugin <plugin>)"
    )
  })
).pipe(Command.withDescription("List credentials: kind, owner, fingerprint, scopes, expiry and state (never a value)"))

const revoke = Command.make(
  "revoke",
  { name: credentialName, reason: Flag.String("reason").pipe(Flag.withDescription("Why, recorded in the event"), Flag.optional), ...mutationFlags },
  Effect.fn(function* ({ name, reason, ...options }) {
    yield* mutate("RevokeCredential", { credential: name, ...some("reason", Option.getOrUndefined(reason)) }, options, `revoked credential ${name}; its value is shredded`)
  })
).pipe(Command.withDescription("Revoke a credential: the vault deletes its wrapped key and ciphertext, and its grants go"))

const grant = Command.make(
  "grant",
  { name: credentialName, plugin, tools: list("tools", "Only these tools of the plugin"), agents: list("agents", "Only these agents"), ...mutationFlags },
  Effect.fn(function* ({ name, plugin, tools, agents, ...options }) {
    const { result } = yield* sendCommand("GrantCredential", { credential: name, plugin, ...some("tools", split(tools)), ...some("agents", split(agents)) }, options)
    const id = result.events[0]?.data.grant
    yield* reportCommand(result, `granted ${name} for plugin ${plugin}${id === undefined ? "" : ` (grant ${String(id)})`}`)
  })
).pipe(
  Command.withDescription("Let calls to a plugin carry a credential; the most specific grant wins (agent and tool, tool, agent, plugin)"),
  Command.withExamples([
    { command: "berth -w acme credential grant gh-token --plugin gh", description: "Every call to gh, and discovery" },
    { command: "berth -w acme credential grant gh-ci --plugin gh --tools create_issue --agents ci-bot", description: "One tool, one agent" }
  ])
)

const ungrant = Command.make(
  "ungrant",
  { grant: Argument.String("grant").pipe(Argument.withDescription("The grant's id (berth credential grants)")), ...mutationFlags },
  Effect.fn(function* ({ grant, ...options }) {
    yield* mutate("UngrantCredential", { grant }, options, `revoked grant ${grant}`)
  })
).pipe(Command.withDescription("Revoke one grant"))

interface GrantList {
  readonly grants: ReadonlyArray<{
    readonly grant: string
    readonly credential: string
    readonly plugin: string
    readonly tools?: ReadonlyArray<string>
    readonly agents?: ReadonlyArray<string>
    readonly grantedAt: string
  }>
}

const grants = Command.make(
  "grants",
  {},
  Effect.fn(function* () {
    const result = (yield* call({ _tag: "ListGrants", workspace: yield* targetWorkspace })) as GrantList
    if (yield* jsonOutput) return yield* printJson(result)
    yield* printTable(
      ["GRANT", "CREDENTIAL", "PLUGIN", "TOOLS", "AGENTS", "GRANTED"],
      result.grants.map((g) => [g.grant, g.credential, g.plugin, g.tools?.join(",") ?? "all", g.agents?.join(",") ?? "all", g.grantedAt]),
      "no grants (berth credential grant <credential> --plugin <plugin>)"
    )
  })
).pipe(Command.withDescription("List grants: which calls carry which credential"))

export const credential = Command.make("credential").pipe(
  Command.withDescription("The workspace's vault: upstream API keys, tokens and OAuth connections, and which calls carry them"),
  Command.withSubcommands([set, connect, listCredentials, revoke, grant, ungrant, grants])
)
