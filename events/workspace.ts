// Workspace and membership events: a team owns a workspace; members are the humans in it.
import { Schema } from "effect"
import { defineEvent } from "./define.ts"
import { MemberId, MemberRole, PolicyId, Sha256Hex, WorkspaceSlug } from "./names.ts"

/** A workspace and the policy sets it starts with (deny by default: without a permit, nothing is allowed). */
export const WorkspaceCreated = defineEvent("WorkspaceCreated", {
  workspace: WorkspaceSlug,
  policies: Schema.optional(Schema.Array(Schema.Struct({ policy: PolicyId, text: Schema.String, sha256: Sha256Hex })))
})
/** Runs record arguments and results (secret-like keys redacted) only while payload capture is on. */
export const PayloadCaptureSet = defineEvent("PayloadCaptureSet", { enabled: Schema.Boolean })
/**
 * How long the Durable Object keeps log rows that are already sealed in the archive: rows older than
 * `keepDays` may be pruned from it (replay and export then read them from R2). Absent: keep everything.
 */
export const RetentionSet = defineEvent("RetentionSet", { keepDays: Schema.optional(Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: 36500 }))) })
export const MemberAdded = defineEvent("MemberAdded", { member: MemberId, role: MemberRole })
export const MemberRoleChanged = defineEvent("MemberRoleChanged", { member: MemberId, role: MemberRole })
export const MemberRemoved = defineEvent("MemberRemoved", { member: MemberId })

export const WorkspaceEvents = [WorkspaceCreated, PayloadCaptureSet, RetentionSet, MemberAdded, MemberRoleChanged, MemberRemoved] as const
export type WorkspaceEvent = Schema.Schema.Type<(typeof WorkspaceEvents)[number]>
