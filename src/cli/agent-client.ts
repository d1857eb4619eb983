// `berth client add|list|remove`: OAuth clients registered ahead of time for agents to dock with
// (apps that neither publish a client metadata document nor register themselves). A confidential
// client's secret is printed once, here, and never stored by Berth except as the provider's hash.
import { Effect } from "effect"
import { Argument, Command, Flag } from "effect/cli"
import { call } from "./client.ts"
import { mutate, mutationFlags, sendCommand } from "./mutation.ts"
import { printJson, printLine, printTable } from "./output.ts"
import { jsonOutput, targetWorkspace } from "./root.ts"

const add = Command.make(
  "add",
  {
    name: Argument.String("name").pipe(Argument.withDescription("The client's name, as the consent page shows it")),
    redirectUris: Flag.String("redirect-uri").pipe(
      Flag.withDescription("Where the client receives its code (https, or http on a loopback host); repeat for more"),
      Flag.atLeast(1)
    ),
    confidential: Flag.Boolean("confidential").pipe(
      Flag.withDescription("A server-side client that authenticates with a secret (printed once)"),
      Flag.withDefault(false)
    ),
    ...mutationFlags
  },
  Effect.fn(function* ({ name, redirectUris, confidential, ...options }) {
    const { workspace, result } = yield* sendCommand("RegisterAgentClient", { clientName: name, redirectUris, confidential }, options)
    const clientId = typeof result.clientId === "string" ? result.clientId : null
    const clientSecret = typeof result.clientSecret === "string" ? result.clientSecret : null
    if (yield* jsonOutput) return yield* printJson({ clientId, clientSecret, seq: result.seq, replayed: result.replayed })
    if (clientId === null) return yield* printLine("this client was registered by an earlier request with this idempotency key; its id was shown then")
    yield* printLine(`registered OAuth client ${name} in ${workspace} (seq ${result.seq})`)
    yield* printLine(`client id: ${clientId}`)
    if (clientSecret !== null) {
      yield* printLine(`client secret: ${clientSecret}`)
      yield* printLine("Save the secret now: the plane keeps only its hash and will not show it again.")
    }
    yield* printLine(`Agents using it sign in at ${workspace}'s endpoint; a member approves each on the consent page.`)
  })
).pipe(
  Command.withDescription("Register an OAuth client for agents to dock with; prints its id (and secret, once)"),
  Command.withExamples([
    { command: "berth -w acme client add 'Ops Console' --redirect-uri https://ops.acme.dev/oauth/callback --confidential", description: "A server-side app" }
  ])
)

interface ClientsState {
  readonly state: {
    readonly agentClients: Readonly<Record<string, { clientName: string; redirectUris: ReadonlyArray<string>; confidential: boolean; registeredAt: string }>>
  }
}

const list = Command.make(
  "list",
  {},
  Effect.fn(function* () {
    const { state } = (yield* call({ _tag: "GetState", workspace: yield* targetWorkspace })) as ClientsState
    const clients = Object.entries(state.agentClients).map(([clientId, c]) => ({ clientId, ...c }))
    if (yield* jsonOutput) return yield* printJson({ clients })
    yield* printTable(
      ["CLIENT ID", "NAME", "KIND", "REDIRECT URIS", "REGISTERED"],
      clients.map((c) => [c.clientId, c.clientName, c.confidential ? "confidential" : "public", c.redirectUris.join(" "), c.registeredAt]),
      "no OAuth clients registered by admins (clients may still register themselves or publish a metadata document)"
    )
  })
).pipe(Command.withDescription("List the OAuth clients admins registered"))

const remove = Command.make(
  "remove",
  { clientId: Argument.String("client-id").pipe(Argument.withDescription("The client id `client add` printed")), ...mutationFlags },
  Effect.fn(function* ({ clientId, ...options }) {
    yield* mutate("RemoveAgentClient", { clientId }, options, `removed OAuth client ${clientId} and revoked its grants`)
  })
).pipe(Command.withDescription("Remove a registered client; every grant and token it held is revoked"))

export const agentClient = Command.make("client").pipe(
  Command.withDescription("OAuth clients registered ahead of time for agents to dock with"),
  Command.withSubcommands([add, list, remove])
)
