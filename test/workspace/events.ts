// Small builders for domain events, so a spec's `given` and `then` stay one line each.
// Defaults are realistic; pass only what the spec is about.
import { createHash } from "node:crypto"
import { STARTER_POLICY_ID, STARTER_POLICY_SET } from "../../src/policy/schema.ts"
import { event } from "../../events/index.ts"
import type { ToolDefinition } from "../../events/index.ts"

/** A fixed agent key hash: the sha256 of a key that exists only in tests. */
export const KEY_HASH = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
export const KEY_PREFIX = "berth_q1w2e3"

/** A new workspace, seeded with the starter policy set exactly as CreateWorkspace seeds it. */
export const workspaceCreated = (workspace = "acme") =>
  event("WorkspaceCreated", {
    workspace,
    policies: [{ policy: STARTER_POLICY_ID, text: STARTER_POLICY_SET, sha256: createHash("sha256").update(STARTER_POLICY_SET).digest("hex") }]
  })
export const payloadCaptureSet = (enabled: boolean) => event("PayloadCaptureSet", { enabled })
export const retentionSet = (keepDays?: number) => event("RetentionSet", keepDays === undefined ? {} : { keepDays })

export const memberAdded = (member: string, role: "owner" | "admin" | "viewer" = "admin") =>
  event("MemberAdded", { member, role })
export const memberRoleChanged = (member: string, role: "owner" | "admin" | "viewer") =>
  event("MemberRoleChanged", { member, role })
export const memberRemoved = (member: string) => event("MemberRemoved", { member })

export const agentRegistered = (agent: string, owner?: string) =>
  event("AgentRegistered", owner === undefined ? { agent, via: "key", keyHash: KEY_HASH, keyPrefix: KEY_PREFIX } : { agent, via: "key", keyHash: KEY_HASH, keyPrefix: KEY_PREFIX, owner })
export const agentSuspended = (agent: string, reason?: string) =>
  event("AgentSuspended", reason === undefined ? { agent } : { agent, reason })
export const agentRevoked = (agent: string, reason?: string) =>
  event("AgentRevoked", reason === undefined ? { agent } : { agent, reason })

export const pluginInstalled = (plugin: string, url = `https://${plugin}.example.com/mcp`) =>
  event("PluginInstalled", { plugin, url, transport: "streamable-http", auth: "none" })
export const pluginRemoved = (plugin: string) => event("PluginRemoved", { plugin })

/** A tool definition whose hash is fixed by `version` (a hex digit), so a changed definition is one character. */
export const toolDefinition = (name: string, version = "a"): typeof ToolDefinition.Type => ({
  name,
  hash: version.repeat(64),
  description: `${name} (v${version})`,
  inputSchema: { type: "object", properties: {} }
})
export const toolsDiscovered = (plugin: string, ...tools: ReadonlyArray<typeof ToolDefinition.Type>) =>
  event("ToolsDiscovered", { plugin, tools })
export const toolApproved = (tool: string, hash: string) => event("ToolApproved", { tool, hash })
export const toolQuarantined = (tool: string, approvedHash: string, hash: string) =>
  event("ToolQuarantined", { tool, approvedHash, hash, reason: "definition changed since approval" })

export const oauthClientConfigured = (plugin: string) =>
  event("OAuthClientConfigured", {
    plugin,
    clientId: `${plugin}-client`,
    authorizationServer: `https://auth.${plugin}.example.com`,
    scopes: ["read"]
  })
export const credentialConnected = (credential: string, plugin: string, owner: { member?: string } = {}) =>
  event("CredentialConnected", {
    credential,
    plugin,
    kind: "bearer",
    owner: owner.member === undefined ? "team" : "member",
    ...(owner.member === undefined ? {} : { member: owner.member }),
    fingerprint: "3f2a9c01d4e5f60718293a4b5c6d7e8f",
    scopes: []
  })
export const credentialRevoked = (credential: string) => event("CredentialRevoked", { credential })
/** A grant whose id is `grant` (decide derives ids; specs of evolve pick them). */
export const credentialGranted = (grant: string, credential: string, plugin: string, narrow: { tools?: Array<string>; agents?: Array<string> } = {}) =>
  event("CredentialGranted", { grant, credential, plugin, ...narrow })
export const credentialGrantRevoked = (grant: string, credential: string) => event("CredentialGrantRevoked", { grant, credential })

export const policySet = (policy: string, text: string, sha256: string) => event("PolicySet", { policy, text, sha256 })
export const policyRemoved = (policy: string) => event("PolicyRemoved", { policy })

export const memoryPut = (namespace: string, key: string, value: unknown, version = 1, extra: { tags?: string[]; expiresAt?: string } = {}) =>
  event("MemoryPut", { namespace, key, value, version, ...extra })
export const memoryDeleted = (namespace: string, key: string, version = 1) => event("MemoryDeleted", { namespace, key, version })
export const memoryExpired = (namespace: string, key: string, expiresAt: string, version = 1) =>
  event("MemoryExpired", { namespace, key, version, expiresAt })

export const jobScheduled = (job: string, extra: { cron?: string; at?: string; nextAt?: string; agent?: string } = {}) =>
  event("JobScheduled", {
    job,
    agent: extra.agent ?? "bot",
    codeHash: "d".repeat(64),
    codeSize: 40,
    input: { n: 1 },
    ...(extra.cron === undefined ? { at: extra.at ?? "2026-11-01T12:00:00.000Z" } : { cron: extra.cron }),
    nextAt: extra.nextAt ?? extra.at ?? "2026-11-01T12:00:00.000Z",
    scheduledBy: "r0"
  })
export const jobStarted = (job: string, run: string, due = "2026-11-01T12:00:00.000Z") => event("JobStarted", { job, run, due })
export const jobFinished = (job: string, run: string, nextAt?: string) =>
  event("JobFinished", { job, run, status: "ok", ...(nextAt === undefined ? {} : { nextAt }) })
export const jobCancelled = (job: string) => event("JobCancelled", { job })

export const runStarted = (run: string, agent = "bot", tool = "gh__search") =>
  event("RunStarted", { run, traceId: `trace-${run}`, agent, tool, argsHash: "c".repeat(64), argsSize: 17 })
export const runFinished = (run: string, status: "ok" | "error" | "denied" = "ok") =>
  event("RunFinished", { run, status, durationMs: 12 })
