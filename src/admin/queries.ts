// The admin queries: read-only requests, answered from the projection or, for history, the log.
import { Schema } from "effect"
import { PolicyId, WorkspaceSlug } from "../../events/index.ts"

const workspace = WorkspaceSlug
const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/
const IsoTime = Schema.String.check(
  Schema.makeFilter(
    (s: string) => (ISO_8601.test(s) && !Number.isNaN(Date.parse(s))) || "expected an ISO-8601 time with a zone, such as 2026-11-25T14:02:00Z"
  )
)
const Seq = Schema.Int.check(Schema.isGreaterThanOrEqualTo(0))

export class ListWorkspaces extends Schema.TaggedClass<ListWorkspaces>()("ListWorkspaces", {}) {}
/** The current state (from the projection), or with `at` the state rebuilt by replay up to a seq or a time. */
export class GetState extends Schema.TaggedClass<GetState>()("GetState", {
  workspace,
  at: Schema.optional(Schema.Union([Seq, IsoTime]))
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
export class ListRuns extends Schema.TaggedClass<ListRuns>()("ListRuns", {
  workspace,
  agent: Schema.optional(Schema.String),
  tool: Schema.optional(Schema.String),
  status: Schema.optional(Schema.Literals(["ok", "error", "denied", "open"])),
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
export class GetRun extends Schema.TaggedClass<GetRun>()("GetRun", { workspace, run: Schema.String }) {}

export const Query = Schema.Union([
  ListWorkspaces,
  GetState,
  ListEvents,
  VerifyLog,
  ListMembers,
  ListAgents,
  ListPlugins,
  ListTools,
  ListPolicies,
  ListRuns,
  GetRun,
  ListLimits,
  TestPolicy,
  SimulatePolicy
])
export type Query = typeof Query.Type
