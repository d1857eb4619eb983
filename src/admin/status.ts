// Each error tag maps to one HTTP status, here and nowhere else. The Record type makes a new
// error tag a compile error until it is given a status.
import type { DomainError } from "../workspace/decide.ts"

export type ErrorTag = DomainError["_tag"] | "InvalidRequest" | "Unauthorized" | "ArchiveObjectNotFound" | "AuditKeyMissing" | "ArchiveSealFailed"

export const STATUS: Readonly<Record<ErrorTag, number>> = {
  InvalidRequest: 400,
  InvalidCommand: 400,
  Unauthorized: 401,
  Forbidden: 403,
  ClientNotAllowed: 403,
  BotRuleNotFound: 404,
  AgentClientNotFound: 404,
  WorkspaceNotFound: 404,
  MemberNotFound: 404,
  AgentNotFound: 404,
  PluginNotFound: 404,
  PolicyNotFound: 404,
  WorkspaceAlreadyExists: 409,
  ConcurrencyConflict: 409,
  IdempotencyKeyReused: 409,
  MemberAlreadyExists: 409,
  LastOwner: 409,
  AgentAlreadyExists: 409,
  AgentAlreadySuspended: 409,
  AgentAlreadyRevoked: 409,
  PluginAlreadyInstalled: 409,
  ToolNotFound: 404,
  PluginUnreachable: 502,
  SecretInPluginUrl: 400,
  CredentialNotFound: 404,
  CredentialAlreadyRevoked: 409,
  GrantNotFound: 404,
  GrantOutsideOwner: 409,
  InvalidCredentialValue: 400,
  VaultKeyMissing: 503,
  UpstreamOAuthFailed: 502,
  CredentialConnectNotFound: 404,
  PlaneOriginUnknown: 400,
  RunNotFound: 404,
  RunAlreadyStarted: 409,
  InvalidPolicy: 400,
  RateLimitNotFound: 404,
  ArchiveObjectNotFound: 404,
  AuditKeyMissing: 503,
  ArchiveSealFailed: 503
}
