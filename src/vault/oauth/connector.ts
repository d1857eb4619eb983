// The OAuth credential kind, wired to the vault: `berth oauth-client set` (the team's app),
// `berth credential connect` (start: discovery, registration and the authorization URL, by the SDK's
// auth(); callback: the code exchanged and the credential connected), and the sessions that keep an
// OAuth credential's access token fresh at dispatch (session.ts).
import {
  auth,
  discoverOAuthServerInfo,
  type OAuthClientInformationMixed,
  type OAuthClientMetadata
} from "@modelcontextprotocol/client"
import type { Actor } from "../../../events/index.ts"
import type { WorkspaceState } from "../../../projections/state.ts"
import { InvalidCommand } from "../../workspace/errors.ts"
import { type CommandOptions, type CommandOutcome, rejected, type Rejected } from "../../workspace/execute.ts"
import { seal, unseal } from "../crypto.ts"
import { CredentialConnectNotFound, UpstreamOAuthFailed } from "../errors.ts"
import type { ChosenCredential } from "../grants.ts"
import { clientSecretRow } from "../store.ts"
import { type Vault, withoutFingerprint } from "../vault.ts"
import { CONNECT_WINDOW_MS, type ConnectStatus, PendingConnects } from "./connects.ts"
import { type Flow, FlowProvider } from "./flow.ts"
import { grantedScopes, type OAuthMaterial, parseMaterial, withTokens } from "./material.ts"
import { callbackUrl, clientMetadataUrl } from "./urls.ts"
import { OAuthSession } from "./session.ts"

const PLACEHOLDER_FINGERPRINT = "0".repeat(32)
const PLACEHOLDER_ISSUER = "https://authorization-server.invalid"
const SYSTEM: Actor = { type: "system", id: "vault" }

export interface ConnectorHost {
  workspace(): string
  state(): WorkspaceState
  precheck(command: unknown, options: CommandOptions): CommandOutcome | undefined
  execute(command: unknown, options: CommandOptions): CommandOutcome
}

export interface ConnectStart {
  readonly input: { readonly credential: string; readonly plugin: string; readonly forMember?: string | undefined; readonly scopes?: ReadonlyArray<string> | undefined }
  /** The plane's origin, where the redirect lands. */
  readonly origin: string
  readonly actor: Actor
}

export interface ConnectStarted {
  readonly ok: true
  readonly connect: string
  readonly authorizationUrl: string
  readonly redirectUri: string
  readonly expiresAt: string
}

export interface CallbackParams {
  readonly state?: string | undefined
  readonly code?: string | undefined
  readonly iss?: string | undefined
  readonly error?: string | undefined
  readonly errorDescription?: string | undefined
}

/** How a callback ended, for the page the browser shows. Texts name no token. */
export interface CallbackOutcome {
  readonly ok: boolean
  readonly credential?: string | undefined
  readonly message: string
}

const why = (error: unknown) => (error instanceof Error ? error.message : String(error))
const randomId = (prefix: string) => `${prefix}${Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("")}`

export class OAuthConnector {
  readonly #vault: Vault
  readonly #host: ConnectorHost
  readonly #connects: PendingConnects

  constructor(sql: SqlStorage, vault: Vault, host: ConnectorHost) {
    this.#vault = vault
    this.#host = host
    this.#connects = new PendingConnects(sql)
  }

  /** ConfigureOAuthClient: discovery fills in the authorization server; a secret is sealed beside the event. */
  async configureClient(input: Record<string, unknown>, secret: unknown, options: CommandOptions): Promise<CommandOutcome> {
    const command = { ...input, _tag: "ConfigureOAuthClient" }
    const given = typeof input.authorizationServer === "string" ? input.authorizationServer : undefined
    const probe = { ...command, authorizationServer: given ?? PLACEHOLDER_ISSUER, ...(secret === undefined ? {} : { secretFingerprint: PLACEHOLDER_FINGERPRINT }) }
    const refused = this.#host.precheck(probe, secret === undefined ? options : withoutFingerprint(options))
    if (refused) return refused
    // The vault fills it in, from a secret that came on stdin; one a caller sent would name no sealed row.
    if (input.secretFingerprint !== undefined)
      return rejected(new InvalidCommand({ field: "secretFingerprint", reason: "secretFingerprint is filled in by the plane when a client secret comes with the command" }))
    const plugin = String(input.plugin)
    if (secret !== undefined && (typeof secret !== "string" || secret.length === 0 || secret.length > 4096 || /[\u0000-\u001f\u007f]/.test(secret)))
      return rejected(new UpstreamOAuthFailed({ plugin, reason: "a client secret is 1-4096 characters without line breaks (from stdin)" }))
    let authorizationServer = given
    if (authorizationServer === undefined) {
      try {
        const info = await discoverOAuthServerInfo(this.#host.state().plugins[plugin]!.url)
        authorizationServer = info.authorizationServerMetadata?.issuer ?? String(info.authorizationServerUrl)
      } catch (error) {
        return rejected(new UpstreamOAuthFailed({ plugin, reason: `could not discover its authorization server (pass --authorization-server): ${why(error)}` }))
      }
    }
    const full = { ...command, authorizationServer }
    if (secret === undefined) return this.#host.execute(full, options)
    return this.#vault.sealing(clientSecretRow(plugin), secret as string, secret as string, (secretFingerprint) => ({ ...full, secretFingerprint }), options)
  }

  /** The team's pre-registered client for a plugin, with its secret opened from the vault. */
  async #configured(plugin: string): Promise<OAuthClientInformationMixed | undefined> {
    const client = this.#host.state().oauthClients[plugin]
    if (!client) return undefined
    const secret = client.secretRef === undefined ? undefined : await this.#vault.open(client.secretRef)
    return { client_id: client.clientId, ...(secret === undefined ? {} : { client_secret: secret }) }
  }

  #client(origin: string, plugin: string, configured: OAuthClientInformationMixed | undefined) {
    const slug = this.#host.workspace()
    const redirectUrl = callbackUrl(origin, slug, plugin)
    const metadata: OAuthClientMetadata = {
      client_name: `Berth (${slug})`,
      redirect_uris: [redirectUrl],
      grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"],
      // Registered dynamically, Berth is a confidential client: its secret stays in the vault.
      token_endpoint_auth_method: "client_secret_basic"
    }
    return { redirectUrl, metadata, metadataUrl: clientMetadataUrl(origin, slug, plugin), configured }
  }

  /** Discovery, registration (unless the team configured a client) and the authorization URL. Appends nothing. */
  async start({ input, origin, actor }: ConnectStart): Promise<ConnectStarted | Rejected> {
    const { credential, plugin, forMember, scopes } = input
    const options = { actor }
    const probe = { _tag: "ConnectOAuthCredential", credential, plugin, ...(forMember === undefined ? {} : { forMember }), scopes: scopes ?? [], fingerprint: PLACEHOLDER_FINGERPRINT }
    const refused = this.#host.precheck(probe, options)
    // No idempotency key here, so nothing is replayed: only a refusal comes back.
    if (refused && !refused.ok) return refused
    const keys = this.#vault.keys()
    if (!(keys instanceof Promise)) return keys
    const flow: Flow = { state: randomId("") }
    const provider = new FlowProvider(flow, this.#client(origin, plugin, await this.#configured(plugin)))
    const serverUrl = this.#host.state().plugins[plugin]!.url
    try {
      const scope = scopes && scopes.length > 0 ? scopes.join(" ") : this.#host.state().oauthClients[plugin]?.scopes.join(" ") || undefined
      const result = await auth(provider, { serverUrl, ...(scope === undefined ? {} : { scope }) })
      if (result !== "REDIRECT" || flow.authorizationUrl === undefined) throw new Error("the authorization server issued tokens without a user's consent")
    } catch (error) {
      return rejected(new UpstreamOAuthFailed({ plugin, reason: why(error) }))
    }
    const connect = randomId("c_")
    const startedAt = Date.now()
    this.#connects.add(
      { connect, state: flow.state, credential, plugin, forMember, scopes: scopes ?? [], actor, startedAt },
      await seal(await keys, connect, JSON.stringify({ flow, source: provider.source() }))
    )
    return {
      ok: true,
      connect,
      authorizationUrl: flow.authorizationUrl,
      redirectUri: provider.redirectUrl,
      expiresAt: new Date(startedAt + CONNECT_WINDOW_MS).toISOString()
    }
  }

  /** The redirect's landing: exchanges the code and connects the credential, as the member who started it. */
  async complete(plugin: string, origin: string, params: CallbackParams): Promise<CallbackOutcome> {
    const pending = params.state === undefined ? undefined : this.#connects.byState(params.state)
    if (!pending || pending.plugin !== plugin)
      return { ok: false, message: "This link does not match a connect in progress. Run `berth credential connect` again." }
    const end = (status: Exclude<ConnectStatus, "waiting">, message: string): CallbackOutcome => {
      this.#connects.end(pending.connect, status, message)
      return { ok: status === "connected", credential: pending.credential, message }
    }
    if (pending.status !== "waiting" || !pending.sealed) return { ok: false, credential: pending.credential, message: "This connect has already ended. Run `berth credential connect` again." }
    if (Date.now() - pending.startedAt > CONNECT_WINDOW_MS) return end("failed", "This connect took longer than 10 minutes. Run `berth credential connect` again.")
    if (params.error !== undefined)
      return end("failed", `The authorization server answered ${params.error}${params.errorDescription ? `: ${params.errorDescription}` : ""}.`)
    if (params.code === undefined) return end("failed", "The authorization server sent no code.")
    const keys = this.#vault.keys()
    if (!(keys instanceof Promise)) return end("failed", keys.error.message)
    const k = await keys
    const { flow, source } = JSON.parse(await unseal(k, pending.sealed)) as { flow: Flow; source: OAuthMaterial["clientSource"] }
    const configured = source === "configured" ? await this.#configured(plugin) : undefined
    const provider = new FlowProvider(flow, this.#client(origin, plugin, configured))
    const serverUrl = this.#host.state().plugins[plugin]?.url
    if (serverUrl === undefined) return end("failed", `Plugin '${plugin}' was removed while the connect was in progress.`)
    try {
      await auth(provider, { serverUrl, authorizationCode: params.code, ...(params.iss === undefined ? {} : { iss: params.iss }) })
    } catch (error) {
      return end("failed", `The authorization server did not issue tokens: ${why(error)}`)
    }
    const tokens = flow.tokens
    if (!tokens?.access_token || !flow.client || !flow.discovery) return end("failed", "The authorization server did not issue tokens.")
    const material = withTokens(tokens, { client: flow.client, clientSource: source, discovery: flow.discovery, resource: flow.resource })
    const command = (fingerprint: string) => ({
      _tag: "ConnectOAuthCredential",
      credential: pending.credential,
      plugin,
      ...(pending.forMember === undefined ? {} : { forMember: pending.forMember }),
      scopes: grantedScopes(tokens, pending.scopes),
      ...(material.expiresAt === undefined ? {} : { expiresAt: new Date(material.expiresAt).toISOString() }),
      fingerprint
    })
    const identity = tokens.refresh_token ?? tokens.access_token
    const outcome = await this.#vault.sealing(pending.credential, JSON.stringify(material), identity, command, { actor: pending.actor })
    if (!outcome.ok) return end("failed", `The credential was not connected: ${outcome.error.message}`)
    return end("connected", `Credential '${pending.credential}' is connected for plugin '${plugin}'. You can close this tab.`)
  }

  status(connect: string): { readonly ok: true; readonly status: ConnectStatus; readonly credential: string; readonly plugin: string; readonly message: string | null } | Rejected {
    const c = this.#connects.get(connect)
    if (!c) return rejected(new CredentialConnectNotFound({ connect }))
    const timedOut = c.status === "waiting" && Date.now() - c.startedAt > CONNECT_WINDOW_MS
    if (timedOut) this.#connects.end(connect, "failed", "no callback came within 10 minutes")
    return {
      ok: true,
      status: timedOut ? "failed" : c.status,
      credential: c.credential,
      plugin: c.plugin,
      message: timedOut ? "no callback came within 10 minutes" : (c.message ?? null)
    }
  }

  /** An OAuth credential at dispatch: its session refreshes it and records how. */
  session(chosen: ChosenCredential): OAuthSession {
    const { credential } = chosen
    const plugin = this.#host.state().credentials[credential]?.plugin ?? ""
    return new OAuthSession({
      credential,
      plugin,
      open: async () => {
        const value = await this.#vault.open(credential)
        return value === undefined ? undefined : parseMaterial(value)
      },
      configuredClient: () => this.#configured(plugin),
      refreshed: async (material) => {
        const command = () => ({
          _tag: "RefreshCredential",
          credential,
          ...(material.expiresAt === undefined ? {} : { expiresAt: new Date(material.expiresAt).toISOString() }),
          ...(material.tokens.scope ? { scopes: material.tokens.scope.trim().split(/\s+/) } : {})
        })
        const outcome = await this.#vault.sealing(credential, JSON.stringify(material), undefined, command, { actor: SYSTEM })
        if (!outcome.ok) throw new Error(`credential '${credential}' was refreshed but not recorded: ${outcome.error.message}`)
      },
      expired: (reason) => {
        this.#host.execute({ _tag: "ExpireCredential", credential, reason }, { actor: SYSTEM })
      }
    })
  }
}
