// The command catalog and its dispatcher: which handler decides which command.
import { Schema } from "effect"
import { Forbidden } from "../auth/errors.ts"
import { decideRegisterAgent, decideRevokeAgent, decideSuspendAgent, RegisterAgent, RevokeAgent, SuspendAgent } from "../agent/commands.ts"
import { AgentAlreadyExists, AgentAlreadyRevoked, AgentAlreadySuspended, AgentClientNotFound, AgentNotFound } from "../agent/errors.ts"
import { decideRegisterAgentClient, decideRemoveAgentClient, RegisterAgentClient, RemoveAgentClient } from "../agent/client-commands.ts"
import { AuthorizeOAuthAgent, decideAuthorizeOAuthAgent, decideDenyOAuthConsent, DenyOAuthConsent } from "../agent/oauth-commands.ts"
import {
  decideRecordClientRefusal,
  decideRemoveBotRule,
  decideSetBotRule,
  RecordClientRefusal,
  RemoveBotRule,
  SetBotRule
} from "../bots/commands.ts"
import { BotRuleNotFound, ClientNotAllowed } from "../bots/errors.ts"
import { decideRemovePolicy, decideSetPolicy, RemovePolicy, SetPolicy } from "../policy/commands.ts"
import { InvalidPolicy, PolicyNotFound, RateLimitNotFound } from "../policy/errors.ts"
import { decideRemoveRateLimit, decideSetRateLimit, RemoveRateLimit, SetRateLimit } from "../policy/rate-limit-commands.ts"
import {
  ApprovePrompt,
  ApproveResource,
  ApproveTool,
  decideApprovePrompt,
  decideApproveResource,
  decideApproveTool,
  decideInstallPlugin,
  decideRefreshPlugin,
  decideRemovePlugin,
  InstallPlugin,
  RefreshPlugin,
  RemovePlugin
} from "../registry/commands.ts"
import { PluginAlreadyInstalled, PluginNotFound, PluginUnreachable, PromptNotFound, ResourceNotFound, SecretInPluginUrl, ToolNotFound } from "../registry/errors.ts"
import {
  decideGrantCredential,
  decideRevokeCredential,
  decideSetCredential,
  decideUngrantCredential,
  GrantCredential,
  RevokeCredential,
  SetCredential,
  UngrantCredential
} from "../vault/commands.ts"
import {
  CredentialAlreadyRevoked,
  CredentialNotFound,
  GrantNotFound,
  GrantOutsideOwner,
  CredentialConnectNotFound,
  InvalidCredentialValue,
  PlaneOriginUnknown,
  UpstreamOAuthFailed,
  VaultKeyMissing
} from "../vault/errors.ts"
import {
  ConfigureOAuthClient,
  ConnectOAuthCredential,
  decideConfigureOAuthClient,
  decideConnectOAuthCredential,
  decideExpireCredential,
  decideRefreshCredential,
  ExpireCredential,
  RefreshCredential
} from "../vault/oauth/commands.ts"
import { DeleteMemory, decideDeleteMemory, decideExpireMemory, decidePutMemory, ExpireMemory, PutMemory } from "../memory/commands.ts"
import { decideSetCodeLimits, SetCodeLimits } from "../sandbox/commands.ts"
import { CancelJob, decideCancelJob, decideFinishJob, decideScheduleJob, decideStartJob, FinishJob, ScheduleJob, StartJob } from "../jobs/commands.ts"
import { JobAlreadyRunning, JobInputHasSecret, JobLimitReached, JobNotFound, JobScheduleInvalid } from "../jobs/errors.ts"
import { MemoryNotFound, MemoryValueHasSecret, MemoryValueTooLarge, MemoryVersionConflict } from "../memory/errors.ts"
import { decideFinishRun, decideRecordRun, decideStartRun, FinishRun, RecordRun, StartRun } from "../runs/commands.ts"
import { RunAlreadyStarted, RunNotFound } from "../runs/errors.ts"
import {
  AddMember,
  ChangeMemberRole,
  CreateWorkspace,
  decideAddMember,
  decideChangeMemberRole,
  decideCreateWorkspace,
  decideRemoveMember,
  decideSetPayloadCapture,
  decideSetRetention,
  RemoveMember,
  SetPayloadCapture,
  SetRetention
} from "./commands.ts"
import type { Decide } from "./decider.ts"
import {
  ConcurrencyConflict,
  IdempotencyKeyReused,
  InvalidCommand,
  LastOwner,
  MemberAlreadyExists,
  MemberNotFound,
  WorkspaceAlreadyExists,
  WorkspaceNotFound
} from "./errors.ts"

export const Command = Schema.Union([
  CreateWorkspace,
  SetPayloadCapture,
  SetRetention,
  AddMember,
  ChangeMemberRole,
  RemoveMember,
  RegisterAgent,
  SuspendAgent,
  RevokeAgent,
  AuthorizeOAuthAgent,
  DenyOAuthConsent,
  RegisterAgentClient,
  RemoveAgentClient,
  SetBotRule,
  RemoveBotRule,
  RecordClientRefusal,
  InstallPlugin,
  RefreshPlugin,
  ApproveTool,
  ApprovePrompt,
  ApproveResource,
  RemovePlugin,
  SetCredential,
  RevokeCredential,
  GrantCredential,
  UngrantCredential,
  ConfigureOAuthClient,
  ConnectOAuthCredential,
  RefreshCredential,
  ExpireCredential,
  SetPolicy,
  RemovePolicy,
  SetRateLimit,
  RemoveRateLimit,
  PutMemory,
  DeleteMemory,
  ExpireMemory,
  ScheduleJob,
  StartJob,
  FinishJob,
  CancelJob,
  SetCodeLimits,
  StartRun,
  FinishRun,
  RecordRun
])
export type Command = typeof Command.Type
export type CommandTag = Command["_tag"]

/** Every error a command can end in. The admin RPC maps each tag to an HTTP status (src/admin/status.ts). */
export const DomainError = Schema.Union([
  WorkspaceNotFound,
  WorkspaceAlreadyExists,
  ConcurrencyConflict,
  IdempotencyKeyReused,
  InvalidCommand,
  MemberNotFound,
  MemberAlreadyExists,
  LastOwner,
  AgentAlreadyExists,
  AgentNotFound,
  AgentAlreadySuspended,
  AgentAlreadyRevoked,
  PluginAlreadyInstalled,
  PluginNotFound,
  PluginUnreachable,
  SecretInPluginUrl,
  ToolNotFound,
  PromptNotFound,
  ResourceNotFound,
  PolicyNotFound,
  InvalidPolicy,
  RateLimitNotFound,
  RunNotFound,
  RunAlreadyStarted,
  Forbidden,
  ClientNotAllowed,
  BotRuleNotFound,
  AgentClientNotFound,
  CredentialNotFound,
  CredentialAlreadyRevoked,
  GrantNotFound,
  GrantOutsideOwner,
  VaultKeyMissing,
  InvalidCredentialValue,
  UpstreamOAuthFailed,
  CredentialConnectNotFound,
  PlaneOriginUnknown,
  MemoryNotFound,
  MemoryVersionConflict,
  MemoryValueTooLarge,
  MemoryValueHasSecret,
  JobNotFound,
  JobScheduleInvalid,
  JobLimitReached,
  JobInputHasSecret,
  JobAlreadyRunning
])
export type DomainError = typeof DomainError.Type

type Handlers = { readonly [T in CommandTag]: Decide<Extract<Command, { _tag: T }>, DomainError> }

const handlers: Handlers = {
  CreateWorkspace: decideCreateWorkspace,
  SetPayloadCapture: decideSetPayloadCapture,
  SetRetention: decideSetRetention,
  AddMember: decideAddMember,
  ChangeMemberRole: decideChangeMemberRole,
  RemoveMember: decideRemoveMember,
  RegisterAgent: decideRegisterAgent,
  SuspendAgent: decideSuspendAgent,
  RevokeAgent: decideRevokeAgent,
  AuthorizeOAuthAgent: decideAuthorizeOAuthAgent,
  DenyOAuthConsent: decideDenyOAuthConsent,
  RegisterAgentClient: decideRegisterAgentClient,
  RemoveAgentClient: decideRemoveAgentClient,
  SetBotRule: decideSetBotRule,
  RemoveBotRule: decideRemoveBotRule,
  RecordClientRefusal: decideRecordClientRefusal,
  InstallPlugin: decideInstallPlugin,
  RefreshPlugin: decideRefreshPlugin,
  ApproveTool: decideApproveTool,
  ApprovePrompt: decideApprovePrompt,
  ApproveResource: decideApproveResource,
  RemovePlugin: decideRemovePlugin,
  SetCredential: decideSetCredential,
  RevokeCredential: decideRevokeCredential,
  GrantCredential: decideGrantCredential,
  UngrantCredential: decideUngrantCredential,
  ConfigureOAuthClient: decideConfigureOAuthClient,
  ConnectOAuthCredential: decideConnectOAuthCredential,
  RefreshCredential: decideRefreshCredential,
  ExpireCredential: decideExpireCredential,
  PutMemory: decidePutMemory,
  DeleteMemory: decideDeleteMemory,
  ExpireMemory: decideExpireMemory,
  ScheduleJob: decideScheduleJob,
  StartJob: decideStartJob,
  FinishJob: decideFinishJob,
  CancelJob: decideCancelJob,
  SetCodeLimits: decideSetCodeLimits,
  SetPolicy: decideSetPolicy,
  RemovePolicy: decideRemovePolicy,
  SetRateLimit: decideSetRateLimit,
  RemoveRateLimit: decideRemoveRateLimit,
  StartRun: decideStartRun,
  FinishRun: decideFinishRun,
  RecordRun: decideRecordRun
}

export const COMMAND_TAGS = Object.keys(handlers) as ReadonlyArray<CommandTag>

export const decide: Decide<Command, DomainError> = (state, command, workspace) =>
  (handlers[command._tag] as Decide<Command, DomainError>)(state, command, workspace)

