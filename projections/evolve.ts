// evolve(state, event) → state: the pure, total fold from the log to the inline projection.
// It never throws and never does I/O; replaying the log through it must equal the stored projection.
// A batch is applied to one Draft (draft.ts), which copies each touched record once.
import type { FoldableEvent } from "../events/index.ts"
import { type Changes, Draft } from "./draft.ts"
import { type EntityKind, limitKey, memoryKey, promptKey, resourceKey, toolId, type WorkspaceState } from "./state.ts"

/** Optional fields are copied only when present, so a projection read back from JSON compares equal. */
const defined = <T extends object>(value: T): T =>
  Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T

/**
 * A discovery's prompts or resources: the plugin's set is replaced; a known one keeps its approval
 * and status and takes the new hash, a new one is pinned and approved as listed.
 */
const pin = (
  draft: Draft,
  kind: "prompts" | "resources",
  plugin: string,
  listed: ReadonlyArray<{ key: string; fields: { name: string } | { uri: string }; hash: string; definition: object }>
) => {
  const keys = new Set(listed.map((d) => d.key))
  draft.deleteWhere(kind, (entry, key) => entry.plugin === plugin && !keys.has(key))
  for (const { key, fields, hash, definition } of listed) {
    const known = draft.state[kind][key]
    const pinned = known ? { status: known.status, approvedHash: known.approvedHash } : { status: "approved" as const, approvedHash: hash }
    draft.put(kind, key, defined({ plugin, ...fields, ...pinned, hash, definition: defined(definition) }) as WorkspaceState[typeof kind][string])
  }
}

const apply = (draft: Draft, event: FoldableEvent): void => {
  const at = event.at
  const state = draft.state
  switch (event.type) {
    case "WorkspaceCreated":
      draft.setWorkspace({ slug: event.data.workspace, createdAt: at })
      for (const { policy, text, sha256 } of event.data.policies ?? []) draft.put("policies", policy, { text, sha256, setAt: at })
      return
    case "PayloadCaptureSet":
      return state.workspace === null ? undefined : draft.setWorkspace({ ...state.workspace, payloadCapture: event.data.enabled })
    case "RetentionSet": {
      if (state.workspace === null) return
      const { retentionDays: _, ...workspace } = state.workspace
      return draft.setWorkspace(event.data.keepDays === undefined ? workspace : { ...workspace, retentionDays: event.data.keepDays })
    }
    case "CodeLimitsSet":
      return state.workspace === null ? undefined : draft.setWorkspace({ ...state.workspace, codeLimits: { ...event.data } })
    case "MemberAdded":
      return draft.put("members", event.data.member, { role: event.data.role, addedAt: at })
    case "MemberRoleChanged":
      return draft.patch("members", event.data.member, { role: event.data.role })
    case "MemberRemoved":
      return draft.delete("members", event.data.member)

    case "AgentRegistered": {
      const { agent, via, keyHash, keyPrefix, clientId, clientName, owner } = event.data
      return draft.put("agents", agent, defined({ status: "active", via, keyHash, keyPrefix, clientId, clientName, owner, registeredAt: at }))
    }
    case "OAuthConsentGranted":
    case "OAuthConsentDenied":
    case "ClientRefused":
      return
    case "AgentClientRegistered": {
      const { clientId, clientName, redirectUris, confidential } = event.data
      return draft.put("agentClients", clientId, { clientName, redirectUris, confidential, registeredAt: at })
    }
    case "AgentClientRemoved":
      return draft.delete("agentClients", event.data.clientId)
    case "BotRuleSet":
      return draft.put("botRules", event.data.match, { effect: event.data.effect, setAt: at })
    case "BotRuleRemoved":
      return draft.delete("botRules", event.data.match)
    case "AgentSuspended":
      return draft.patch("agents", event.data.agent, { status: "suspended" })
    case "AgentRevoked":
      // Revocation is final, so the agent leaves every grant naming it; a grant left with no agent goes.
      draft.patch("agents", event.data.agent, { status: "revoked" })
      return withoutAgent(draft, event.data.agent)

    case "PluginInstalled": {
      const { plugin, url, transport, auth, approveOnDiscovery } = event.data
      return draft.put("plugins", plugin, defined({ url, transport, auth, installedAt: at, approveOnDiscovery }))
    }
    case "PluginRemoved": {
      const plugin = event.data.plugin
      draft.delete("plugins", plugin)
      draft.deleteWhere("tools", (t) => t.plugin === plugin)
      draft.deleteWhere("prompts", (p) => p.plugin === plugin)
      draft.deleteWhere("resources", (r) => r.plugin === plugin)
      draft.deleteWhere("grants", (g) => g.plugin === plugin)
      return draft.delete("oauthClients", plugin)
    }
    case "ToolsDiscovered": {
      const plugin = event.data.plugin
      // A rediscovery replaces the plugin's tool set; a known tool keeps its approval and status.
      const listed = new Set(event.data.tools.map((t) => toolId(plugin, t.name)))
      const installed = state.plugins[plugin]
      if (installed?.approveOnDiscovery) {
        const { approveOnDiscovery: _, ...discovered } = installed
        draft.put("plugins", plugin, discovered)
      }
      draft.deleteWhere("tools", (t, id) => t.plugin === plugin && !listed.has(id))
      for (const definition of event.data.tools) {
        const id = toolId(plugin, definition.name)
        const known = state.tools[id]
        draft.put(
          "tools",
          id,
          defined({
            plugin,
            name: definition.name,
            status: known?.status ?? ("pending" as const),
            hash: definition.hash,
            approvedHash: known?.approvedHash,
            definition: defined(definition)
          })
        )
      }
      // Prompts and resources are pinned at the discovery that first lists them; one recorded before
      // they were hashed pins nothing.
      const prompts = (event.data.prompts ?? []).flatMap((d) => (d.hash === undefined ? [] : [{ key: promptKey(plugin, d.name), fields: { name: d.name }, hash: d.hash, definition: d }]))
      pin(draft, "prompts", plugin, prompts)
      const resources = (event.data.resources ?? []).flatMap((d) => (d.hash === undefined ? [] : [{ key: resourceKey(plugin, d.uri), fields: { uri: d.uri }, hash: d.hash, definition: d }]))
      pin(draft, "resources", plugin, resources)
      return
    }
    case "PromptApproved":
      return draft.patch("prompts", promptKey(event.data.plugin, event.data.prompt), { status: "approved", approvedHash: event.data.hash })
    case "PromptQuarantined":
      return draft.patch("prompts", promptKey(event.data.plugin, event.data.prompt), { status: "quarantined" })
    case "ResourceApproved":
      return draft.patch("resources", resourceKey(event.data.plugin, event.data.uri), { status: "approved", approvedHash: event.data.hash })
    case "ResourceQuarantined":
      return draft.patch("resources", resourceKey(event.data.plugin, event.data.uri), { status: "quarantined" })
    case "ToolApproved":
      return draft.patch("tools", event.data.tool, { status: "approved", approvedHash: event.data.hash })
    case "ToolQuarantined":
      return draft.patch("tools", event.data.tool, { status: "quarantined" })

    case "OAuthClientConfigured": {
      const { plugin, ...client } = event.data
      return draft.put("oauthClients", plugin, defined(client))
    }
    case "CredentialConnected": {
      const { credential, ...rest } = event.data
      return draft.put("credentials", credential, defined({ ...rest, status: "active", connectedAt: at }))
    }
    case "CredentialRevoked":
      draft.patch("credentials", event.data.credential, { status: "revoked" })
      return draft.deleteWhere("grants", (g) => g.credential === event.data.credential)
    case "CredentialRefreshed": {
      const { credential, expiresAt, scopes } = event.data
      return draft.patch("credentials", credential, defined({ expiresAt, scopes, refreshedAt: at }))
    }
    case "CredentialExpired":
      // Its grants stay: connecting it again under the same name restores every call they cover.
      return draft.patch("credentials", event.data.credential, { status: "expired" })
    case "CredentialGranted": {
      const { grant, credential, plugin, tools, agents } = event.data
      // A v1 grant (no plugin) was for the credential's own plugin.
      const on = plugin ?? state.credentials[credential]?.plugin ?? ""
      return draft.put("grants", grant, defined({ credential, plugin: on, tools, agents, grantedAt: at }))
    }
    case "CredentialGrantRevoked":
      return draft.delete("grants", event.data.grant)

    case "PolicySet":
      return draft.put("policies", event.data.policy, { text: event.data.text, sha256: event.data.sha256, setAt: at })
    case "PolicyRemoved":
      return draft.delete("policies", event.data.policy)
    case "RateLimitSet": {
      const { scope, target, perMinute, burst } = event.data
      return draft.put("limits", limitKey(scope, target), defined({ scope, target, perMinute, burst, setAt: at }))
    }
    case "RateLimitRemoved":
      return draft.delete("limits", limitKey(event.data.scope, event.data.target))

    case "MemoryPut": {
      const { namespace, key, value, version, tags, expiresAt } = event.data
      return draft.put("memory", memoryKey(namespace, key), defined({ namespace, key, value, version, tags: tags ?? [], expiresAt, updatedAt: at }))
    }
    case "MemoryDeleted":
    case "MemoryExpired":
      return draft.delete("memory", memoryKey(event.data.namespace, event.data.key))

    case "JobScheduled": {
      const { job, agent, codeHash, codeSize, input, at: once, cron, nextAt, scheduledBy } = event.data
      return draft.put("jobs", job, defined({ agent, codeHash, codeSize, input, at: once, cron, nextAt, scheduledBy, scheduledAt: at, fired: 0 }))
    }
    case "JobStarted": {
      const job = state.jobs[event.data.job]
      return job === undefined ? undefined : draft.patch("jobs", event.data.job, { running: event.data.run })
    }
    case "JobFinished": {
      const job = state.jobs[event.data.job]
      if (job === undefined) return
      if (event.data.nextAt === undefined) return draft.delete("jobs", event.data.job)
      const { running: _, ...rest } = job
      return draft.put("jobs", event.data.job, { ...rest, nextAt: event.data.nextAt, fired: job.fired + 1 })
    }
    case "JobCancelled":
      return draft.delete("jobs", event.data.job)

    case "RunStarted": {
      const { run, agent, tool, traceId } = event.data
      return draft.put("openRuns", run, { agent, tool, traceId, startedAt: at })
    }
    case "SpanRecorded":
      return
    case "RunFinished":
      return draft.delete("openRuns", event.data.run)
  }
}

const withoutAgent = (draft: Draft, agent: string): void => {
  for (const [id, grant] of Object.entries(draft.state.grants)) {
    if (!grant.agents?.includes(agent)) continue
    const agents = grant.agents.filter((a) => a !== agent)
    if (agents.length === 0) draft.delete("grants", id)
    else draft.patch("grants", id, { agents })
  }
}

/**
 * Applies a batch of events and reports which entities changed, for storage to write. The kinds in
 * `inPlace` are changed in `from`'s own records (only the live object's append asks, and calls `undo`
 * if the append does not commit); every other kind is copied.
 */
export const applyEvents = (
  from: WorkspaceState,
  events: Iterable<FoldableEvent>,
  inPlace?: ReadonlySet<EntityKind>
): { state: WorkspaceState; changes: Changes; undo: () => void } => {
  const draft = new Draft(from, inPlace)
  for (const event of events) apply(draft, event)
  return { state: draft.state, changes: draft.changes, undo: () => draft.undo() }
}

export const evolve = (state: WorkspaceState, event: FoldableEvent): WorkspaceState => applyEvents(state, [event]).state

/** replay(log) = the fold of evolve over the events, from a given state. */
export const replay = (events: Iterable<FoldableEvent>, from: WorkspaceState): WorkspaceState => applyEvents(from, events).state
