// `berth oauth-client set|list`: the team's pre-registered OAuth app at a plugin's upstream
// authorization server, for upstreams that neither accept Berth's client metadata document nor
// dynamic registration. The secret is read from stdin or a prompt (never argv) and sealed in the
// vault; the log and every listing carry its fingerprint only.
import { Effect, Option } from "effect"
import { Argument, Command, Flag } from "effect/cli"
import { call } from "./client.ts"
import { mutationFlags, reportCommand, sendCommand } from "./mutation.ts"
import { printJson, printTable } from "./output.ts"
import { jsonOutput, targetWorkspace } from "./root.ts"
import { readSecret } from "./secret-input.ts"

const set = Command.make(
  "set",
  {
    plugin: Argument.String("plugin").pipe(Argument.withDescription("The plugin whose authorization server issued the app")),
    clientId: Flag.String("client-id").pipe(Flag.withDescription("The app's client id")),
    clientSecretStdin: Flag.Boolean("client-secret-stdin").pipe(
      Flag.withDescription("Read the app's client secret from stdin (on a terminal: a prompt that does not echo); omit for a public client"),
      Flag.withDefault(false)
    ),
    authorizationServer: Flag.String("authorization-server").pipe(
      Flag.withDescription("The authorization server's issuer URL (default: discovered from the plugin's URL)"),
      Flag.optional
    ),
    scopes: Flag.String("scopes").pipe(Flag.withDescription("Scopes to ask for when connecting, comma-separated"), Flag.optional),
    ...mutationFlags
  },
  Effect.fn(function* ({ plugin, clientId, clientSecretStdin, authorizationServer, scopes, ...options }) {
    const secret = clientSecretStdin ? yield* readSecret(`the client secret of ${clientId}`) : undefined
    const server = Option.getOrUndefined(authorizationServer)
    const asked = Option.getOrUndefined(scopes)?.split(",").map((s) => s.trim()).filter(Boolean)
    const fields = {
      plugin,
      clientId,
      ...(server === undefined ? {} : { authorizationServer: server }),
      ...(asked === undefined ? {} : { scopes: asked }),
      ...(secret === undefined ? {} : { clientSecret: secret })
    }
    const { result } = yield* sendCommand("ConfigureOAuthClient", fields, options)
    const data = result.events[0]?.data
    const fingerprint = data?.secretFingerprint === undefined ? "a public client, no secret" : `secret fingerprint ${String(data.secretFingerprint)}`
    yield* reportCommand(result, `configured OAuth client ${clientId} for plugin ${plugin} at ${String(data?.authorizationServer ?? "?")} (${fingerprint})`)
  })
).pipe(
  Command.withDescription("Use the team's pre-registered OAuth app when connecting credentials for a plugin"),
  Command.withExamples([
    {
      command: "berth -w acme oauth-client set gh --client-id Iv1.8a61f9b3a7aba766 --client-secret-stdin < secret.txt",
      description: "Register the redirect URI https://<plane>/oauth/callback/acme/gh with the app first"
    }
  ])
)

interface ClientList {
  readonly clients: ReadonlyArray<{
    readonly plugin: string
    readonly clientId: string
    readonly authorizationServer: string
    readonly scopes: ReadonlyArray<string>
    readonly secretFingerprint?: string
  }>
}

const list = Command.make(
  "list",
  {},
  Effect.fn(function* () {
    const result = (yield* call({ _tag: "ListOAuthClients", workspace: yield* targetWorkspace })) as ClientList
    if (yield* jsonOutput) return yield* printJson(result)
    yield* printTable(
      ["PLUGIN", "CLIENT ID", "AUTHORIZATION SERVER", "SCOPES", "SECRET"],
      result.clients.map((c) => [c.plugin, c.clientId, c.authorizationServer, c.scopes.join(",") || "-", c.secretFingerprint ?? "none (public)"]),
      "no OAuth clients configured (berth credential connect registers Berth with the upstream by itself when it can)"
    )
  })
).pipe(Command.withDescription("List the team's OAuth apps: client id, authorization server, scopes and secret fingerprint (never the secret)"))

export const oauthClient = Command.make("oauth-client").pipe(
  Command.withDescription("The team's pre-registered OAuth apps at plugins' upstream authorization servers"),
  Command.withSubcommands([set, list])
)
