// `berth login`, `logout` and `whoami`: a member signs the CLI in through the browser (OAuth 2.1 with
// the plane's own authorization server, a loopback redirect), the token is kept in the user's config
// directory (credentials.ts), and the plane says who the CLI acts as. No token is ever printed.
import { Effect, Option } from "effect"
import { Command } from "effect/cli"
import { call, type Connection, planeUrl, send } from "./client.ts"
import { credentialsPath, forgetLogin, saveLogin, storedLogin } from "./credentials.ts"
import { LoginFailed } from "./errors.ts"
import { CliIo } from "./io.ts"
import { loopbackCallback } from "./loopback-callback.ts"
import { openBrowser } from "./open-browser.ts"
import { printJson, printLine, printNote } from "./output.ts"
import { authorizationRequest, discoverPlane, redeemCode, registerCli, revokeToken } from "./plane-oauth.ts"
import { jsonOutput, root } from "./root.ts"
import { waitingLine } from "./waiting-line.ts"

const WAIT_MINUTES = 5

interface WhoAmIResult {
  readonly actor: { readonly type: string; readonly id: string }
  readonly plane: boolean
  readonly workspace?: string
  readonly role?: string | null
}

const planeOf = Effect.gen(function* () {
  const url = planeUrl(yield* CliIo)
  if (typeof url !== "string") return yield* url
  return url
})

const login = Command.make(
  "login",
  {},
  Effect.fn(function* () {
    const io = yield* CliIo
    const url = yield* planeOf
    const server = yield* discoverPlane(url)
    const { clientId, tokens } = yield* Effect.scoped(
      Effect.gen(function* () {
        const callback = yield* loopbackCallback
        const clientId = yield* registerCli(server)
        const request = yield* authorizationRequest(server, clientId, callback.redirectUri)
        // The URL carries no secret: PKCE keeps the verifier here, and the code comes back to this process only.
        yield* printNote(`Sign in to ${url} in your browser. If it did not open, open this URL:\n\n  ${request.url}\n`)
        openBrowser(request.url, io.env)
        yield* waitingLine("signing in", Date.now() + WAIT_MINUTES * 60_000)
        const returned = yield* callback.received.pipe(
          Effect.timeoutOrElse({
            duration: `${WAIT_MINUTES} minutes`,
            orElse: () => Effect.fail(new LoginFailed({ url, step: "browser", reason: `no answer within ${WAIT_MINUTES} minutes` }))
          })
        )
        return { clientId, tokens: yield* redeemCode(server, clientId, request, returned, callback.redirectUri) }
      })
    )
    const connection: Connection = { url, token: tokens.accessToken, source: "the token berth login just obtained", member: true }
    // Who the plane says this is; the sign-in stands even if the plane cannot say.
    const who = yield* Effect.option(send(connection, { _tag: "WhoAmI" }))
    const member = Option.match(who, { onNone: () => undefined, onSome: (result) => (result as WhoAmIResult).actor.id })
    const path = yield* saveLogin(url, {
      clientId,
      accessToken: tokens.accessToken,
      ...(tokens.refreshToken === undefined ? {} : { refreshToken: tokens.refreshToken }),
      expiresAt: tokens.expiresAt,
      ...(member === undefined ? {} : { member })
    })
    if (yield* jsonOutput) return yield* printJson({ url, member: member ?? null, credentials: path })
    yield* printLine(`signed in to ${url}${member === undefined ? "" : ` as ${member}`} (token kept in ${path})`)
  })
).pipe(
  Command.withDescription(
    "Sign in as a member through the browser; the token is kept in ~/.config/berth/credentials.json (mode 0600) for this BERTH_URL"
  )
)

const logout = Command.make(
  "logout",
  {},
  Effect.fn(function* () {
    const io = yield* CliIo
    const url = yield* planeOf
    const login = yield* storedLogin(url)
    const path = credentialsPath(io.env)
    if (!login) {
      if (yield* jsonOutput) return yield* printJson({ url, signedOut: false })
      return yield* printLine(`not signed in to ${url} (nothing in ${path})`)
    }
    // Revoke before forgetting: a token that outlives its entry would stay valid. Revoking the
    // refresh token ends the whole grant at the plane. If revocation fails, the entry stays for a retry.
    const server = yield* discoverPlane(url)
    yield* revokeToken(server, login.clientId, login.accessToken)
    if (login.refreshToken) yield* revokeToken(server, login.clientId, login.refreshToken)
    yield* forgetLogin(url)
    if (yield* jsonOutput) return yield* printJson({ url, signedOut: true, member: login.member ?? null })
    yield* printLine(`signed out of ${url}${login.member ? ` (was ${login.member})` : ""}; tokens revoked`)
  })
).pipe(Command.withDescription("Revoke this BERTH_URL's stored sign-in at the plane and delete it"))

const whoami = Command.make(
  "whoami",
  {},
  Effect.fn(function* () {
    const io = yield* CliIo
    const workspace = Option.getOrUndefined((yield* root).workspace) ?? io.env.BERTH_WORKSPACE
    const who = (yield* call({ _tag: "WhoAmI", ...(workspace ? { workspace } : {}) })) as WhoAmIResult
    if (yield* jsonOutput) return yield* printJson(who)
    const as = who.actor.type === "admin" ? "the admin (the plane's admin token)" : `${who.actor.id} (${who.actor.type})`
    if (who.workspace === undefined) return yield* printLine(as)
    yield* printLine(`${as}; in ${who.workspace}: ${who.role ?? "not a member"}`)
  })
).pipe(Command.withDescription("Who the CLI acts as on this plane, and with -w, the role there"))

export const identity = [login, logout, whoami] as const
