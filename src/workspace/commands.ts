// Workspace commands: create the workspace, and manage its human members.
import { Effect, Schema } from "effect"
import { event, MemberId, MemberRole, RetentionSet, WorkspaceSlug } from "../../events/index.ts"
import type { WorkspaceState } from "../../projections/state.ts"
import { STARTER_POLICY_ID, STARTER_POLICY_SET } from "../policy/schema.ts"
import { requireWorkspace } from "./decider.ts"
import { sha256Hex } from "./sha256-hex.ts"
import { InvalidCommand, LastOwner, MemberAlreadyExists, MemberNotFound, WorkspaceAlreadyExists } from "./errors.ts"

export class CreateWorkspace extends Schema.TaggedClass<CreateWorkspace>()("CreateWorkspace", {
  workspace: WorkspaceSlug,
  /** Optional: a member who owns it from the start, added (MemberAdded) in the same append as WorkspaceCreated. */
  owner: Schema.optional(MemberId)
}) {}

export const decideCreateWorkspace = Effect.fnUntraced(function* (state: WorkspaceState, command: CreateWorkspace, slug: string) {
  if (state.workspace !== null) return yield* new WorkspaceAlreadyExists({ workspace: state.workspace.slug })
  // A workspace's Durable Object is named by its slug; creating another name inside it would split the two.
  if (command.workspace !== slug)
    return yield* new InvalidCommand({ field: "workspace", reason: `this workspace is '${slug}', not '${command.workspace}'` })
  const policies = [{ policy: STARTER_POLICY_ID, text: STARTER_POLICY_SET, sha256: sha256Hex(STARTER_POLICY_SET) }]
  const created = event("WorkspaceCreated", { workspace: command.workspace, policies })
  return command.owner === undefined ? [created] : [created, event("MemberAdded", { member: command.owner, role: "owner" })]
})

export class SetPayloadCapture extends Schema.TaggedClass<SetPayloadCapture>()("SetPayloadCapture", {
  enabled: Schema.Boolean
}) {}

export const decideSetPayloadCapture = Effect.fnUntraced(function* (state: WorkspaceState, command: SetPayloadCapture, slug: string) {
  const workspace = yield* requireWorkspace(state, slug)
  if ((workspace.payloadCapture ?? false) === command.enabled) return []
  return [event("PayloadCaptureSet", { enabled: command.enabled })]
})

export class SetRetention extends Schema.TaggedClass<SetRetention>()("SetRetention", {
  /** Keep sealed rows this many days in the Durable Object; absent: keep them all (the default). */
  keepDays: RetentionSet.fields.data.fields.keepDays
}) {}

export const decideSetRetention = Effect.fnUntraced(function* (state: WorkspaceState, command: SetRetention, slug: string) {
  const workspace = yield* requireWorkspace(state, slug)
  if (workspace.retentionDays === command.keepDays) return []
  return [event("RetentionSet", command.keepDays === undefined ? {} : { keepDays: command.keepDays })]
})

export class AddMember extends Schema.TaggedClass<AddMember>()("AddMember", { member: MemberId, role: MemberRole }) {}

export const decideAddMember = Effect.fnUntraced(function* (state: WorkspaceState, command: AddMember, slug: string) {
  yield* requireWorkspace(state, slug)
  if (state.members[command.member]) return yield* new MemberAlreadyExists({ member: command.member })
  return [event("MemberAdded", { member: command.member, role: command.role })]
})

export class ChangeMemberRole extends Schema.TaggedClass<ChangeMemberRole>()("ChangeMemberRole", {
  member: MemberId,
  role: MemberRole
}) {}

const isLastOwner = (state: WorkspaceState, member: string) =>
  state.members[member]?.role === "owner" &&
  Object.values(state.members).filter((m) => m.role === "owner").length === 1

export const decideChangeMemberRole = Effect.fnUntraced(function* (
  state: WorkspaceState,
  command: ChangeMemberRole,
  slug: string
) {
  yield* requireWorkspace(state, slug)
  const current = state.members[command.member]
  if (!current) return yield* new MemberNotFound({ member: command.member })
  if (current.role === command.role) return []
  if (isLastOwner(state, command.member)) return yield* new LastOwner({ member: command.member })
  return [event("MemberRoleChanged", { member: command.member, role: command.role })]
})

export class RemoveMember extends Schema.TaggedClass<RemoveMember>()("RemoveMember", { member: MemberId }) {}

export const decideRemoveMember = Effect.fnUntraced(function* (state: WorkspaceState, command: RemoveMember, slug: string) {
  yield* requireWorkspace(state, slug)
  if (!state.members[command.member]) return yield* new MemberNotFound({ member: command.member })
  if (isLastOwner(state, command.member) && Object.keys(state.members).length > 1)
    return yield* new LastOwner({ member: command.member })
  return [event("MemberRemoved", { member: command.member })]
})
