// The inline projection: the workspace state that commands are checked against. Each field but
// `workspace` is a record of entities by key, which is also how it is stored (one row per entity).
import { Schema } from "effect"
import { AgentVia, BotEffect, CredentialKind, CredentialOwner, MemberRole, PluginAuth, PromptDefinition, ResourceDefinition, ToolDefinition, Transport } from "../events/index.ts"

const Entities = <S extends Schema.Top>(entity: S) => Schema.Record(Schema.String, entity)

export const AgentStatus = Schema.Literals(["active", "suspended", "revoked"])
export const ToolStatus = Schema.Literals(["pending", "approved", "quarantined"])

/**
 * What a plugin offers (a tool, prompt or resource), pinned by its definition's hash: `hash` is the
 * latest discovered, `approvedHash` the one an install, a first discovery or an admin approved.
 */
const Pinned = <F extends Schema.Struct.Fields>(fields: F) =>
  Schema.Struct({ plugin: Schema.String, ...fields, status: ToolStatus, hash: Schema.String, approvedHash: Schema.optional(Schema.String) })

export const WorkspaceState = Schema.Struct({
  workspace: Schema.NullOr(
    Schema.Struct({
      slug: Schema.String,
      createdAt: Schema.String,
      payloadCapture: Schema.optional(Schema.Boolean),
      /** Days the Durable Object keeps sealed log rows; absent: all of them. */
      retentionDays: Schema.optional(Schema.Number),
      /** Limits for code runs; absent: the defaults (src/sandbox/limits.ts). */
      codeLimits: Schema.optional(Schema.Struct({ wallMs: Schema.Number, cpuMs: Schema.Number, resultBytes: Schema.Number, primitiveCalls: Schema.Number }))
    })
  ),
  members: Entities(Schema.Struct({ role: MemberRole, addedAt: Schema.String })),
  agents: Entities(
    Schema.Struct({
      status: AgentStatus,
      via: AgentVia,
      /** A key agent's key hash and prefix. */
      keyHash: Schema.optional(Schema.String),
      keyPrefix: Schema.optional(Schema.String),
      /** An OAuth agent's client id and name. */
      clientId: Schema.optional(Schema.String),
      clientName: Schema.optional(Schema.String),
      owner: Schema.optional(Schema.String),
      registeredAt: Schema.String
    })
  ),
  plugins: Entities(
    Schema.Struct({
      url: Schema.String,
      transport: Transport,
      auth: PluginAuth,
      installedAt: Schema.String,
      /** Until its first discovery: approve what that finds (see PluginInstalled). */
      approveOnDiscovery: Schema.optional(Schema.Boolean)
    })
  ),
  /** Keyed by `{plugin}__{tool}`. */
  tools: Entities(Pinned({ name: Schema.String, definition: ToolDefinition })),
  /** Keyed by `{plugin}__{prompt}` (promptKey). Only discoveries that hash prompts pin them. */
  prompts: Entities(Pinned({ name: Schema.String, definition: PromptDefinition })),
  /** Keyed by `{plugin}:{uri}` (resourceKey). */
  resources: Entities(Pinned({ uri: Schema.String, definition: ResourceDefinition })),
  oauthClients: Entities(
    Schema.Struct({
      clientId: Schema.String,
      authorizationServer: Schema.String,
      scopes: Schema.Array(Schema.String),
      secretRef: Schema.optional(Schema.String),
      secretFingerprint: Schema.optional(Schema.String)
    })
  ),
  /** Keyed by credential name; the material is in the vault (src/vault), never here. */
  credentials: Entities(
    Schema.Struct({
      plugin: Schema.String,
      kind: CredentialKind,
      header: Schema.optional(Schema.String),
      owner: CredentialOwner,
      member: Schema.optional(Schema.String),
      fingerprint: Schema.String,
      scopes: Schema.Array(Schema.String),
      /** expired: an OAuth credential whose refresh the authorization server refused (reconnect it). */
      status: Schema.Literals(["active", "revoked", "expired"]),
      subject: Schema.optional(Schema.String),
      /** For an OAuth credential, when its current access token expires (Berth refreshes it before). */
      expiresAt: Schema.optional(Schema.String),
      connectedAt: Schema.String,
      refreshedAt: Schema.optional(Schema.String)
    })
  ),
  /** Keyed by grant id. Absent `tools` or `agents`: every tool of the plugin, every agent. */
  grants: Entities(
    Schema.Struct({
      credential: Schema.String,
      plugin: Schema.String,
      tools: Schema.optional(Schema.Array(Schema.String)),
      agents: Schema.optional(Schema.Array(Schema.String)),
      grantedAt: Schema.String
    })
  ),
  /** OAuth clients an admin registered for agents to dock with, by client id. */
  agentClients: Entities(
    Schema.Struct({ clientName: Schema.String, redirectUris: Schema.Array(Schema.String), confidential: Schema.Boolean, registeredAt: Schema.String })
  ),
  /** The bot allowlist, keyed by the rule's match (a client id URL or a name pattern). */
  botRules: Entities(Schema.Struct({ effect: BotEffect, setAt: Schema.String })),
  policies: Entities(Schema.Struct({ text: Schema.String, sha256: Schema.String, setAt: Schema.String })),
  /** Keyed by `agent:{name}`, `tool:{plugin}__{tool}` or `workspace` (limitKey). */
  limits: Entities(
    Schema.Struct({
      scope: Schema.Literals(["agent", "tool", "workspace"]),
      target: Schema.optional(Schema.String),
      perMinute: Schema.Number,
      burst: Schema.optional(Schema.Number),
      setAt: Schema.String
    })
  ),
  /** Keyed by `{namespace}:{key}`. */
  memory: Entities(
    Schema.Struct({
      namespace: Schema.String,
      key: Schema.String,
      value: Schema.Unknown,
      version: Schema.Number,
      tags: Schema.Array(Schema.String),
      expiresAt: Schema.optional(Schema.String),
      updatedAt: Schema.String
    })
  ),
  /** Jobs scheduled and not yet done or cancelled, by job id; `running` is the run of a firing in flight. */
  jobs: Entities(
    Schema.Struct({
      agent: Schema.String,
      codeHash: Schema.String,
      codeSize: Schema.Number,
      input: Schema.Unknown,
      at: Schema.optional(Schema.String),
      cron: Schema.optional(Schema.String),
      nextAt: Schema.String,
      scheduledBy: Schema.optional(Schema.String),
      scheduledAt: Schema.String,
      running: Schema.optional(Schema.String),
      /** How many times it has fired. */
      fired: Schema.Number
    })
  ),
  /** Runs that started and have not finished; finished runs live in the log and the read models. */
  openRuns: Entities(
    Schema.Struct({ agent: Schema.String, tool: Schema.String, traceId: Schema.String, startedAt: Schema.String })
  )
})
export type WorkspaceState = typeof WorkspaceState.Type
export type EntityKind = Exclude<keyof WorkspaceState, "workspace">

export const ENTITY_KINDS: ReadonlyArray<EntityKind> = [
  "members",
  "agents",
  "plugins",
  "tools",
  "prompts",
  "resources",
  "oauthClients",
  "credentials",
  "grants",
  "agentClients",
  "botRules",
  "policies",
  "limits",
  "memory",
  "jobs",
  "openRuns"
]

export const initialState: WorkspaceState = {
  workspace: null,
  members: {},
  agents: {},
  plugins: {},
  tools: {},
  prompts: {},
  resources: {},
  oauthClients: {},
  credentials: {},
  grants: {},
  agentClients: {},
  botRules: {},
  policies: {},
  limits: {},
  memory: {},
  jobs: {},
  openRuns: {}
}

export const toolId = (plugin: string, tool: string) => `${plugin}__${tool}`
export const promptKey = (plugin: string, prompt: string) => `${plugin}__${prompt}`
/** A plugin name holds no ':', so the first one ends it. */
export const resourceKey = (plugin: string, uri: string) => `${plugin}:${uri}`
export const limitKey = (scope: "agent" | "tool" | "workspace", target: string | undefined) =>
  scope === "workspace" ? "workspace" : `${scope}:${target}`
export const memoryKey = (namespace: string, key: string) => `${namespace}:${key}`
