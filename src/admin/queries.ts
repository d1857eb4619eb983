// The admin queries: read-only requests, answered from the projection or, for history, the log.
import { Schema } from "effect"
import { ISO_8601_WITH_ZONE, PolicyId, WorkspaceSlug } from "../../events/index.ts"

const workspace = WorkspaceSlug
const IsoTime = Schema.String.check(
  Schema.makeFilter(
    (s: string) => (ISO_8601_WITH_ZONE.test(s) && !Number.isNaN(Date.parse(s))) || "expected an ISO-8601 time with a zone, such as 2026-11-25T14:02:00Z"
  )
)
const Seq = Schema.Int.check(Schema.isGreaterThanOrEqualTo(0))

export class ListWorkspaces extends Schema.TaggedClass<ListWorkspaces>()("ListWorkspaces", {}) {}
/** The current state (from the projection), or with `at` the state rebuilt by replay up to a seq or a time. */
export class GetState extends Schema.TaggedClass<GetState>()("GetState", {
  workspace,
  at: Schema.optional(Schema.Union([Seq, IsoTime]))
}) {}
/** What one agent could do at a point: the state replayed to it and the tools the agent could then call. */
export class GetAgentAt extends Schema.TaggedClass<GetAgentAt>()("GetAgentAt", {
  workspace,
  agent: Schema.String,
  at: Schema.Union([Seq, IsoTime])
}) {}
export class ListEvents extends Schema.TaggedClass<ListEvents>()("ListEvents", {
  workspace,
  from: Schema.optional(Schema.Int.check(Schema.isGreaterThanOrEqualTo(1))),
  limit: Schema.optional(Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 1000 })))
}) {}
export class VerifyLog extends Schema.TaggedClass<VerifyLog>()("VerifyLog", { workspace }) {}
export class ListMembers extends Schema.TaggedClass<ListMembers>()("ListMembers", { workspace }) {}
export class ListAgents extends Schema.TaggedClass<ListAgents>()("ListAgents", { workspace }) {}
export class ListPlugins extends Schema.TaggedClass<ListPlugins>()("ListPlugins", { workspace }) {}
export class ListPolicies extends Schema.TaggedClass<ListPolicies>()("ListPolicies", { workspace }) {}

export class ListTools extends Schema.TaggedClass<ListTools>()("ListTools", { workspace }) {}
/** A plugin's pinned prompts and resources, with their approval (src/mcp/pinned-reads.ts). */
export class ListPrompts extends Schema.TaggedClass<ListPrompts>()("ListPrompts", { workspace }) {}
export class ListResources extends Schema.TaggedClass<ListResources>()("ListResources", { workspace }) {}
export class ListRuns extends Schema.TaggedClass<ListRuns>()("ListRuns", {
  workspace,
  agent: Schema.optional(Schema.String),
  tool: Schema.optional(Schema.String),
  status: Schema.optional(Schema.Literals(["ok", "error", "denied", "timeout", "open"])),
  limit: Schema.optional(Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 1000 })))
}) {}
/** `policy test`: how one call would be decided, against the current policies or a proposed set. */
export class TestPolicy extends Schema.TaggedClass<TestPolicy>()("TestPolicy", {
  workspace,
  agent: Schema.String,
  tool: Schema.String,
  args: Schema.optional(Schema.Record(Schema.String, Schema.Unknown)),
  text: Schema.optional(Schema.String),
  as: Schema.optional(PolicyId)
}) {}
/** `policy simulate`: which recorded calls a proposed set would flip. */
export class SimulatePolicy extends Schema.TaggedClass<SimulatePolicy>()("SimulatePolicy", {
  workspace,
  text: Schema.String,
  as: Schema.optional(PolicyId),
  last: Schema.optional(Schema.Int.check(Schema.isGreaterThanOrEqualTo(1))),
  since: Schema.optional(IsoTime)
}) {}
export class ListLimits extends Schema.TaggedClass<ListLimits>()("ListLimits", { workspace }) {}
/** The vault's credentials: kind, owner, fingerprint, scopes, expiry and state; never a value. */
export class ListCredentials extends Schema.TaggedClass<ListCredentials>()("ListCredentials", { workspace }) {}
/**
 * `berth credential connect`: discovers the plugin's authorization server, registers Berth with it
 * (unless the team configured a client) and answers the URL to open. Appends nothing: the callback
 * records CredentialConnected.
 */
export class StartCredentialConnect extends Schema.TaggedClass<StartCredentialConnect>()("StartCredentialConnect", {
  workspace,
  credential: Schema.String,
  plugin: Schema.String,
  forMember: Schema.optional(Schema.String),
  scopes: Schema.optional(Schema.Array(Schema.String))
}) {}
/** How a connect ended: waiting, connected or failed (with why). */
export class CredentialConnectStatus extends Schema.TaggedClass<CredentialConnectStatus>()("CredentialConnectStatus", {
  workspace,
  connect: Schema.String
}) {}
export class ListOAuthClients extends Schema.TaggedClass<ListOAuthClients>()("ListOAuthClients", { workspace }) {}
// Memory (src/memory): the entries as they are now, and one entry's history from the log.
const MemoryLimit = Schema.optional(Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 200 })))
export class GetMemory extends Schema.TaggedClass<GetMemory>()("GetMemory", { workspace, namespace: Schema.String, key: Schema.String }) {}
export class ListMemory extends Schema.TaggedClass<ListMemory>()("ListMemory", {
  workspace,
  prefix: Schema.optional(Schema.String),
  tags: Schema.optional(Schema.Array(Schema.String)),
  cursor: Schema.optional(Schema.String),
  limit: MemoryLimit
}) {}
export class SearchMemory extends Schema.TaggedClass<SearchMemory>()("SearchMemory", {
  workspace,
  query: Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(1000)),
  prefix: Schema.optional(Schema.String),
  limit: Schema.optional(Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 100 })))
}) {}
export class MemoryHistory extends Schema.TaggedClass<MemoryHistory>()("MemoryHistory", { workspace, namespace: Schema.String, key: Schema.String }) {}
// Server-side execution (src/sandbox): code run as one of the workspace's agents.
export class RunCode extends Schema.TaggedClass<RunCode>()("RunCode", {
  workspace,
  /** The agent the code runs as: every primitive call is authorized and recorded as this agent. */
  agent: Schema.String,
  code: Schema.String.check(Schema.isMinLength(1)),
  /** The file name errors name (script.ts by default). */
  file: Schema.optional(Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(200))),
  input: Schema.optional(Schema.Unknown),
  timeoutMs: Schema.optional(Schema.Int),
  /** Answer when the run ends (default), or as soon as it has started, with its id. */
  wait: Schema.optional(Schema.Boolean)
}) {}
/** The tools `agent`'s code may call, with their pinned input schemas: what `berth run types` renders. */
export class CodeTools extends Schema.TaggedClass<CodeTools>()("CodeTools", { workspace, agent: Schema.String }) {}
/** Scheduled jobs (src/jobs), all or one agent's. */
export class ListJobs extends Schema.TaggedClass<ListJobs>()("ListJobs", { workspace, agent: Schema.optional(Schema.String) }) {}
export class ListGrants extends Schema.TaggedClass<ListGrants>()("ListGrants", { workspace }) {}
export class GetRun extends Schema.TaggedClass<GetRun>()("GetRun", { workspace, run: Schema.String }) {}

// Across workspaces, from the D1 read models; `workspace` narrows to one. Newest first, `cursor` pages.
const Limit = Schema.optional(Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 1000 })))
const Range = { since: Schema.optional(IsoTime), until: Schema.optional(IsoTime), cursor: Schema.optional(Schema.String), limit: Limit }
export class QueryRuns extends Schema.TaggedClass<QueryRuns>()("QueryRuns", {
  workspace: Schema.optional(workspace),
  agent: Schema.optional(Schema.String),
  tool: Schema.optional(Schema.String),
  status: Schema.optional(Schema.Literals(["ok", "error", "denied", "timeout", "open"])),
  ...Range
}) {}
export class QuerySpans extends Schema.TaggedClass<QuerySpans>()("QuerySpans", {
  workspace: Schema.optional(workspace),
  run: Schema.optional(Schema.String),
  name: Schema.optional(Schema.String),
  ...Range
}) {}
export class QueryEvents extends Schema.TaggedClass<QueryEvents>()("QueryEvents", {
  workspace: Schema.optional(workspace),
  type: Schema.optional(Schema.String),
  /** "type:id" such as "agent:bot", or a type alone. */
  actor: Schema.optional(Schema.String),
  ...Range
}) {}

// The async projections: their lag is in GetState; these drive a rebuild and a seal.
/** Clears one workspace's D1 rows and rewinds its cursor (the start of `projection rebuild d1`). */
export class ResetReadModels extends Schema.TaggedClass<ResetReadModels>()("ResetReadModels", { workspace }) {}
/** Pushes the next batch of one workspace's log to D1 now; returns the lag. */
export class PushReadModels extends Schema.TaggedClass<PushReadModels>()("PushReadModels", {
  workspace,
  maxEvents: Schema.optional(Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 1000 })))
}) {}
/** Seals everything appended so far into the R2 archive. */
export class SealArchive extends Schema.TaggedClass<SealArchive>()("SealArchive", { workspace }) {}

// The archive, read from R2 alone (never the workspace's Durable Object), for clients that verify it themselves.
/** The public key that signs manifests, for compliance teams to pin. */
export class GetAuditPublicKey extends Schema.TaggedClass<GetAuditPublicKey>()("GetAuditPublicKey", {}) {}
/** One archived object of a workspace, as stored: base64 of its bytes. */
export class ReadArchiveObject extends Schema.TaggedClass<ReadArchiveObject>()("ReadArchiveObject", {
  workspace,
  key: Schema.String
}) {}

/** Who the caller is, and with `workspace`, their role there: what `berth whoami` shows. */
export class WhoAmI extends Schema.TaggedClass<WhoAmI>()("WhoAmI", { workspace: Schema.optional(workspace) }) {}

export const Query = Schema.Union([
  QueryRuns,
  QuerySpans,
  QueryEvents,
  ResetReadModels,
  PushReadModels,
  SealArchive,
  GetAuditPublicKey,
  ReadArchiveObject,
  ListWorkspaces,
  GetState,
  GetAgentAt,
  ListEvents,
  VerifyLog,
  ListMembers,
  ListAgents,
  ListPlugins,
  ListTools,
  ListPrompts,
  ListResources,
  ListPolicies,
  ListRuns,
  GetRun,
  ListLimits,
  ListCredentials,
  ListGrants,
  StartCredentialConnect,
  CredentialConnectStatus,
  ListOAuthClients,
  GetMemory,
  ListMemory,
  SearchMemory,
  MemoryHistory,
  RunCode,
  CodeTools,
  ListJobs,
  TestPolicy,
  SimulatePolicy,
  WhoAmI
])
export type Query = typeof Query.Type
export type QueryTag = Query["_tag"]
