// evolve(state, event) → state: the pure, total fold from the log to the inline projection.
// It never throws and never does I/O; replaying the log through it must equal the stored projection.
import type { StoredEvent } from "../events/index.ts"
import { type EntityKind, grantKey, memoryKey, toolId, type WorkspaceState } from "./state.ts"

type Entity<K extends EntityKind> = WorkspaceState[K][string]

const put = <K extends EntityKind>(state: WorkspaceState, kind: K, key: string, value: Entity<K>): WorkspaceState => ({
  ...state,
  [kind]: { ...state[kind], [key]: value }
})

const patch = <K extends EntityKind>(
  state: WorkspaceState,
  kind: K,
  key: string,
  change: Partial<Entity<K>>
): WorkspaceState => {
  const current = state[kind][key]
  return current === undefined ? state : put(state, kind, key, { ...current, ...change } as Entity<K>)
}

const drop = (state: WorkspaceState, kind: EntityKind, keep: (key: string) => boolean): WorkspaceState => {
  const entries = Object.entries(state[kind])
  const kept = entries.filter(([key]) => keep(key))
  return kept.length === entries.length ? state : { ...state, [kind]: Object.fromEntries(kept) }
}

/** Optional fields are copied only when present, so a projection read back from JSON compares equal. */
const defined = <T extends object>(value: T): T =>
  Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T

export const evolve = (state: WorkspaceState, event: StoredEvent): WorkspaceState => {
  const at = event.at
  switch (event.type) {
    case "WorkspaceCreated":
      return { ...state, workspace: { slug: event.data.workspace, createdAt: at } }
    case "MemberAdded":
      return put(state, "members", event.data.member, { role: event.data.role, addedAt: at })
    case "MemberRoleChanged":
      return patch(state, "members", event.data.member, { role: event.data.role })
    case "MemberRemoved":
      return drop(state, "members", (m) => m !== event.data.member)

    case "AgentRegistered": {
      const { agent, keyHash, keyPrefix, owner } = event.data
      return put(state, "agents", agent, defined({ status: "active", keyHash, keyPrefix, owner, registeredAt: at }))
    }
    case "AgentSuspended":
      return patch(state, "agents", event.data.agent, { status: "suspended" })
    case "AgentRevoked": {
      // Revocation is final, so the agent's credential grants go with it.
      const revoked = patch(state, "agents", event.data.agent, { status: "revoked" })
      return drop(revoked, "grants", (g) => revoked.grants[g]?.agent !== event.data.agent)
    }

    case "PluginInstalled": {
      const { plugin, url, transport, auth } = event.data
      return put(state, "plugins", plugin, { url, transport, auth, installedAt: at })
    }
    case "PluginRemoved": {
      const plugin = event.data.plugin
      const withoutPlugin = drop(state, "plugins", (p) => p !== plugin)
      const withoutTools = drop(withoutPlugin, "tools", (t) => withoutPlugin.tools[t]?.plugin !== plugin)
      return drop(withoutTools, "oauthClients", (p) => p !== plugin)
    }
    case "ToolsDiscovered": {
      const plugin = event.data.plugin
      // A rediscovery replaces the plugin's tool set; a known tool keeps its approval and status.
      const others = Object.entries(state.tools).filter(([, t]) => t.plugin !== plugin)
      const discovered = event.data.tools.map((definition) => {
        const id = toolId(plugin, definition.name)
        const known = state.tools[id]
        const tool = defined({
          plugin,
          name: definition.name,
          status: known?.status ?? ("pending" as const),
          hash: definition.hash,
          approvedHash: known?.approvedHash,
          definition: defined(definition)
        })
        return [id, tool] as const
      })
      return { ...state, tools: Object.fromEntries([...others, ...discovered]) }
    }
    case "ToolApproved":
      return patch(state, "tools", event.data.tool, { status: "approved", approvedHash: event.data.hash })
    case "ToolQuarantined":
      return patch(state, "tools", event.data.tool, { status: "quarantined" })

    case "OAuthClientConfigured": {
      const { plugin, ...client } = event.data
      return put(state, "oauthClients", plugin, defined(client))
    }
    case "CredentialConnected": {
      const { credential, ...rest } = event.data
      return put(state, "credentials", credential, defined({ ...rest, status: "active", connectedAt: at }))
    }
    case "CredentialRevoked": {
      const credential = event.data.credential
      const revoked = patch(state, "credentials", credential, { status: "revoked" })
      return drop(revoked, "grants", (g) => revoked.grants[g]?.credential !== credential)
    }
    case "CredentialGranted": {
      const { credential, agent, tool } = event.data
      return put(state, "grants", grantKey(credential, agent, tool), defined({ credential, agent, tool, grantedAt: at }))
    }
    case "CredentialGrantRevoked": {
      const key = grantKey(event.data.credential, event.data.agent, event.data.tool)
      return drop(state, "grants", (g) => g !== key)
    }

    case "PolicySet":
      return put(state, "policies", event.data.policy, { text: event.data.text, sha256: event.data.sha256, setAt: at })
    case "PolicyRemoved":
      return drop(state, "policies", (p) => p !== event.data.policy)

    case "MemoryPut": {
      const { namespace, key, value } = event.data
      return put(state, "memory", memoryKey(namespace, key), { namespace, key, value, updatedAt: at })
    }
    case "MemoryDeleted": {
      const key = memoryKey(event.data.namespace, event.data.key)
      return drop(state, "memory", (m) => m !== key)
    }

    case "RunStarted": {
      const { run, agent, tool, traceId } = event.data
      return put(state, "openRuns", run, { agent, tool, traceId, startedAt: at })
    }
    case "SpanRecorded":
      return state
    case "RunFinished":
      return drop(state, "openRuns", (r) => r !== event.data.run)
  }
}

/** replay(log) = the fold of evolve over the events, from the empty workspace. */
export const replay = (events: Iterable<StoredEvent>, from: WorkspaceState): WorkspaceState => {
  let state = from
  for (const e of events) state = evolve(state, e)
  return state
}
