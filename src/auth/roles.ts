// Who may do what: the role each admin command and query needs, and the check against a workspace's
// members as they are at the moment of the request. The Record type makes a new command or query
// tag a compile error until it is given a role here.
import type { Actor, MemberRole } from "../../events/index.ts"
import type { WorkspaceState } from "../../projections/state.ts"
import type { QueryTag } from "../admin/queries.ts"
import type { CommandTag } from "../workspace/decide.ts"
import { Forbidden } from "./errors.ts"

export type Role = typeof MemberRole.Type
export type Action = CommandTag | QueryTag

/**
 * - a role: a member needs at least that role in the workspace (viewer < admin < owner);
 * - "plane": plane-wide, for the admin token or the AdminApi binding alone, never a member;
 * - "anyone": any authenticated caller;
 * - "internal": recorded by the MCP endpoint as the agent or the plane; the admin edge refuses it to all.
 */
export type Access = Role | "plane" | "anyone" | "internal"

export const ACCESS: Readonly<Record<Action, Access>> = {
  // Commands
  CreateWorkspace: "plane",
  SetPayloadCapture: "owner",
  SetRetention: "owner",
  AddMember: "owner",
  ChangeMemberRole: "owner",
  RemoveMember: "owner",
  RegisterAgent: "admin",
  SuspendAgent: "admin",
  RevokeAgent: "admin",
  // The consent page's answers, as the signed-in member (the admin edge refuses them: dispatch.ts).
  AuthorizeOAuthAgent: "admin",
  DenyOAuthConsent: "admin",
  RegisterAgentClient: "admin",
  RemoveAgentClient: "admin",
  SetBotRule: "admin",
  RemoveBotRule: "admin",
  // A refusal is recorded whoever was refused (the admin edge refuses it too: dispatch.ts).
  RecordClientRefusal: "anyone",
  InstallPlugin: "admin",
  RefreshPlugin: "admin",
  ApproveTool: "admin",
  ApprovePrompt: "admin",
  ApproveResource: "admin",
  RemovePlugin: "admin",
  SetCredential: "admin",
  RevokeCredential: "admin",
  GrantCredential: "admin",
  UngrantCredential: "admin",
  ConfigureOAuthClient: "admin",
  // Recorded by the callback as the member who started the connect (the admin edge refuses it: dispatch.ts).
  ConnectOAuthCredential: "admin",
  // Recorded by an OAuth credential's session, as the system.
  RefreshCredential: "internal",
  ExpireCredential: "internal",
  PutMemory: "admin",
  DeleteMemory: "admin",
  // Appended by the workspace's alarm when an entry's TTL runs out.
  ExpireMemory: "internal",
  // A script schedules (orbit.jobs); the workspace's alarm fires and finishes. An admin may cancel any job.
  ScheduleJob: "internal",
  StartJob: "internal",
  FinishJob: "internal",
  CancelJob: "admin",
  SetCodeLimits: "admin",
  SetPolicy: "admin",
  RemovePolicy: "admin",
  SetRateLimit: "admin",
  RemoveRateLimit: "admin",
  StartRun: "internal",
  FinishRun: "internal",
  RecordRun: "internal",
  // Queries. The lists of members, agents, plugins and limits are parts of the state a viewer reads anyway.
  ListWorkspaces: "plane",
  QueryRuns: "plane",
  QuerySpans: "plane",
  QueryEvents: "plane",
  GetAuditPublicKey: "anyone",
  WhoAmI: "anyone",
  GetState: "viewer",
  GetMemory: "viewer",
  ListMemory: "viewer",
  SearchMemory: "viewer",
  MemoryHistory: "viewer",
  // Code runs as an agent, whose policies decide each call; submitting it is an admin's act.
  RunCode: "admin",
  // Tool names and input schemas, as ListTools shows them.
  CodeTools: "viewer",
  ListJobs: "viewer",
  GetAgentAt: "viewer",
  ListEvents: "viewer",
  VerifyLog: "viewer",
  ReadArchiveObject: "viewer",
  ListMembers: "viewer",
  ListAgents: "viewer",
  ListPlugins: "viewer",
  ListTools: "viewer",
  ListPrompts: "viewer",
  ListResources: "viewer",
  ListPolicies: "viewer",
  ListLimits: "viewer",
  // Names, kinds, owners, fingerprints and grants: never a value.
  ListCredentials: "viewer",
  ListGrants: "viewer",
  // The team's OAuth apps: client ids, authorization servers, scopes and secret fingerprints.
  ListOAuthClients: "viewer",
  StartCredentialConnect: "admin",
  CredentialConnectStatus: "admin",
  ListRuns: "viewer",
  GetRun: "viewer",
  TestPolicy: "viewer",
  SimulatePolicy: "viewer",
  ResetReadModels: "admin",
  PushReadModels: "admin",
  SealArchive: "admin"
}

const RANK: Readonly<Record<Role, number>> = { viewer: 1, admin: 2, owner: 3 }

export const isAction = (tag: unknown): tag is Action => typeof tag === "string" && Object.hasOwn(ACCESS, tag)

/**
 * The refusal that needs no workspace: a member asking for a plane-wide action. Admin actors are
 * the plane's bootstrap owner; agent and system actors are the MCP path's own and pass untouched.
 */
export const forbiddenOnPlane = (actor: Actor, action: Action): Forbidden | undefined => {
  const needs = ACCESS[action]
  return actor.type === "member" && (needs === "plane" || needs === "internal")
    ? new Forbidden({ action, needs: "plane", member: actor.id, role: null })
    : undefined
}

/** The caller's role in a workspace: a member's as recorded now, the admin's always owner, anyone else's none. */
export const roleIn = (state: WorkspaceState, actor: Actor): Role | null =>
  actor.type === "admin" ? "owner" : actor.type === "member" ? (state.members[actor.id]?.role ?? null) : null

/**
 * The whole check, against the workspace's members as they are now: read at every request and
 * never cached, so a member removed or demoted is refused at their next one.
 */
export const forbiddenIn = (state: WorkspaceState, workspace: string, actor: Actor, action: Action): Forbidden | undefined => {
  const needs = ACCESS[action]
  if (actor.type !== "member" || needs === "anyone") return undefined
  if (needs === "plane" || needs === "internal") return forbiddenOnPlane(actor, action)
  const role = roleIn(state, actor)
  return role !== null && RANK[role] >= RANK[needs] ? undefined : new Forbidden({ action, needs, member: actor.id, role, workspace })
}
