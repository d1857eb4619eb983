// Spec for evolve, the fold from the log to the inline projection: the cases with more than one
// entity in play (rediscovery, cascading removals, open runs), and that it never mutates its input.
import { describe, expect, it } from "vitest"
import { type DomainEvent, EVENT_TYPES, event } from "../../events/index.ts"
import { applyEvents, evolve, replay } from "../../projections/evolve.ts"
import { initialState, type WorkspaceState } from "../../projections/state.ts"
import { stateAfter, stored } from "../workspace/decider-spec.ts"
import {
  agentRegistered,
  agentRevoked,
  agentSuspended,
  credentialConnected,
  credentialGranted,
  credentialGrantRevoked,
  credentialRevoked,
  memberAdded,
  memberRemoved,
  memberRoleChanged,
  memoryDeleted,
  memoryExpired,
  memoryPut,
  oauthClientConfigured,
  pluginInstalled,
  pluginRemoved,
  policyRemoved,
  policySet,
  runFinished,
  runStarted,
  toolApproved,
  toolDefinition,
  toolQuarantined,
  toolsDiscovered,
  payloadCaptureSet,
  retentionSet,
  workspaceCreated,
  jobCancelled,
  jobFinished,
  jobScheduled,
  jobStarted
} from "../workspace/events.ts"

const A = "a".repeat(64)
const B = "b".repeat(64)
const JOB_A = "job_01JD3Z9A0000000000000000JA"
const JOB_B = "job_01JD3Z9A0000000000000000JB"

describe("ToolsDiscovered", () => {
  const installed = [workspaceCreated(), pluginInstalled("gh")]

  it("adds new tools as pending, keyed by {plugin}__{tool}, with their definition", () => {
    const state = stateAfter(...installed, toolsDiscovered("gh", toolDefinition("search"), toolDefinition("issue")))
    expect(Object.keys(state.tools).sort()).toEqual(["gh__issue", "gh__search"])
    expect(state.tools["gh__search"]).toEqual({
      plugin: "gh",
      name: "search",
      status: "pending",
      hash: A,
      definition: toolDefinition("search")
    })
  })

  it("keeps an approved tool's status and approvedHash on rediscovery, and takes the new hash", () => {
    const state = stateAfter(
      ...installed,
      toolsDiscovered("gh", toolDefinition("search", "a")),
      toolApproved("gh__search", A),
      toolsDiscovered("gh", toolDefinition("search", "b"))
    )
    expect(state.tools["gh__search"]).toEqual({
      plugin: "gh",
      name: "search",
      status: "approved",
      hash: B,
      approvedHash: A,
      definition: toolDefinition("search", "b")
    })
  })

  it("keeps a quarantined tool quarantined on rediscovery", () => {
    const state = stateAfter(
      ...installed,
      toolsDiscovered("gh", toolDefinition("search", "a")),
      toolApproved("gh__search", A),
      toolsDiscovered("gh", toolDefinition("search", "b")),
      toolQuarantined("gh__search", A, B),
      toolsDiscovered("gh", toolDefinition("search", "b"))
    )
    expect(state.tools["gh__search"]).toMatchObject({ status: "quarantined", hash: B, approvedHash: A })
  })

  it("drops the plugin's tools that are no longer listed, and only that plugin's", () => {
    const state = stateAfter(
      ...installed,
      pluginInstalled("linear"),
      toolsDiscovered("gh", toolDefinition("search"), toolDefinition("issue")),
      toolsDiscovered("linear", toolDefinition("issue")),
      toolApproved("gh__issue", A),
      toolsDiscovered("gh", toolDefinition("search"))
    )
    expect(Object.keys(state.tools).sort()).toEqual(["gh__search", "linear__issue"])
  })

  it("forgets a dropped tool's approval: if it comes back, it is pending again", () => {
    const state = stateAfter(
      ...installed,
      toolsDiscovered("gh", toolDefinition("search")),
      toolApproved("gh__search", A),
      toolsDiscovered("gh"),
      toolsDiscovered("gh", toolDefinition("search"))
    )
    expect(state.tools["gh__search"]?.status).toBe("pending")
    expect(state.tools["gh__search"]).not.toHaveProperty("approvedHash")
  })

  it("leaves no undefined optional fields, so the state equals its JSON round trip", () => {
    const state = stateAfter(...installed, toolsDiscovered("gh", { name: "bare", hash: A }))
    expect(state.tools["gh__bare"]).toEqual({ plugin: "gh", name: "bare", status: "pending", hash: A, definition: { name: "bare", hash: A } })
    expect(JSON.parse(JSON.stringify(state))).toStrictEqual(state)
  })
})

describe("PluginRemoved", () => {
  it("removes the plugin, its tools and its OAuth client, and nothing of other plugins", () => {
    const state = stateAfter(
      workspaceCreated(),
      pluginInstalled("gh"),
      pluginInstalled("linear"),
      toolsDiscovered("gh", toolDefinition("search"), toolDefinition("issue")),
      toolsDiscovered("linear", toolDefinition("issue")),
      toolApproved("gh__search", A),
      oauthClientConfigured("gh"),
      oauthClientConfigured("linear"),
      pluginRemoved("gh")
    )
    expect(Object.keys(state.plugins)).toEqual(["linear"])
    expect(Object.keys(state.tools)).toEqual(["linear__issue"])
    expect(Object.keys(state.oauthClients)).toEqual(["linear"])
  })

  it("does not confuse a plugin with another whose name it prefixes", () => {
    const state = stateAfter(
      workspaceCreated(),
      pluginInstalled("gh"),
      pluginInstalled("gh-enterprise"),
      toolsDiscovered("gh", toolDefinition("search")),
      toolsDiscovered("gh-enterprise", toolDefinition("search")),
      pluginRemoved("gh")
    )
    expect(Object.keys(state.tools)).toEqual(["gh-enterprise__search"])
  })
})

describe("credentials", () => {
  it("CredentialConnected records the credential (never a value), and a second one for the name replaces it", () => {
    const state = stateAfter(workspaceCreated(), credentialConnected("gh-token", "gh", { member: "ada" }))
    expect(state.credentials["gh-token"]).toEqual({
      plugin: "gh",
      kind: "bearer",
      owner: "member",
      member: "ada",
      fingerprint: "3f2a9c01d4e5f60718293a4b5c6d7e8f",
      scopes: [],
      status: "active",
      connectedAt: "2026-11-01T09:00:01.000Z"
    })
    const replaced = stateAfter(workspaceCreated(), credentialConnected("gh-token", "gh", { member: "ada" }), credentialRevoked("gh-token"), credentialConnected("gh-token", "gh"))
    expect(replaced.credentials["gh-token"]).toMatchObject({ owner: "team", status: "active", connectedAt: "2026-11-01T09:00:03.000Z" })
  })

  it("CredentialRevoked marks the credential revoked and drops every grant of it, keeping others'", () => {
    const state = stateAfter(
      workspaceCreated(),
      pluginInstalled("gh"),
      credentialConnected("gh-token", "gh"),
      credentialConnected("gh-token-2", "gh"),
      credentialGranted("g1", "gh-token", "gh", { agents: ["bot"] }),
      credentialGranted("g2", "gh-token", "gh", { agents: ["ci"], tools: ["search"] }),
      credentialGranted("g3", "gh-token-2", "gh", { agents: ["bot"], tools: ["issue"] }),
      credentialRevoked("gh-token")
    )
    expect(state.credentials["gh-token"]?.status).toBe("revoked")
    expect(state.credentials["gh-token-2"]?.status).toBe("active")
    expect(state.grants).toEqual({
      g3: { credential: "gh-token-2", plugin: "gh", agents: ["bot"], tools: ["issue"], grantedAt: "2026-11-01T09:00:06.000Z" }
    })
  })

  it("CredentialRefreshed moves an OAuth credential's expiry; CredentialExpired marks it expired and keeps its grants", () => {
    const state = stateAfter(
      workspaceCreated(),
      credentialConnected("gh-oauth", "gh"),
      credentialGranted("g1", "gh-oauth", "gh"),
      { type: "CredentialRefreshed", data: { credential: "gh-oauth", expiresAt: "2026-11-01T10:00:00.000Z", scopes: ["repo"] } }
    )
    expect(state.credentials["gh-oauth"]).toMatchObject({ status: "active", expiresAt: "2026-11-01T10:00:00.000Z", scopes: ["repo"], refreshedAt: "2026-11-01T09:00:03.000Z" })
    const expired = stateAfter(
      workspaceCreated(),
      credentialConnected("gh-oauth", "gh"),
      credentialGranted("g1", "gh-oauth", "gh"),
      { type: "CredentialExpired", data: { credential: "gh-oauth", reason: "invalid_grant" } }
    )
    expect(expired.credentials["gh-oauth"]?.status).toBe("expired")
    expect(Object.keys(expired.grants)).toEqual(["g1"])
  })

  it("CredentialGrantRevoked drops only the grant it names", () => {
    const state = stateAfter(
      workspaceCreated(),
      credentialConnected("gh-token", "gh"),
      credentialGranted("g1", "gh-token", "gh"),
      credentialGranted("g2", "gh-token", "gh", { tools: ["search"] }),
      credentialGrantRevoked("g1", "gh-token")
    )
    expect(Object.keys(state.grants)).toEqual(["g2"])
  })

  it("a v1 plugin-wide grant (no plugin) is for the credential's own plugin", () => {
    const state = stateAfter(workspaceCreated(), credentialConnected("gh-token", "gh"), {
      type: "CredentialGranted",
      data: { grant: "gh-token:bot:*", credential: "gh-token", agents: ["bot"] }
    })
    expect(state.grants["gh-token:bot:*"]).toEqual({ credential: "gh-token", plugin: "gh", agents: ["bot"], grantedAt: "2026-11-01T09:00:02.000Z" })
  })

  it("PluginRemoved drops the plugin's grants; the credential stays in the vault", () => {
    const state = stateAfter(
      workspaceCreated(),
      pluginInstalled("gh"),
      credentialConnected("gh-token", "gh"),
      credentialGranted("g1", "gh-token", "gh"),
      credentialGranted("g2", "gh-token", "gh-enterprise"),
      pluginRemoved("gh")
    )
    expect(Object.keys(state.grants)).toEqual(["g2"])
    expect(state.credentials["gh-token"]?.status).toBe("active")
  })
})

describe("agent revocation", () => {
  it("AgentRevoked takes the agent out of every grant, dropping a grant left with no agent", () => {
    const state = stateAfter(
      workspaceCreated(),
      credentialConnected("gh-token", "gh"),
      agentRegistered("bot"),
      agentRegistered("ci"),
      credentialGranted("g1", "gh-token", "gh", { agents: ["bot"] }),
      credentialGranted("g2", "gh-token", "gh", { agents: ["bot", "ci"], tools: ["search"] }),
      credentialGranted("g3", "gh-token", "gh"),
      agentRevoked("bot")
    )
    expect(state.agents["bot"]?.status).toBe("revoked")
    expect(Object.keys(state.grants).sort()).toEqual(["g2", "g3"])
    expect(state.grants["g2"]?.agents).toEqual(["ci"])
    expect(state.grants["g3"]?.agents).toBeUndefined()
  })
})

describe("runs", () => {
  it("RunStarted opens a run and RunFinished closes it, whatever its status", () => {
    const opened = stateAfter(workspaceCreated(), agentRegistered("bot"), runStarted("r1"), runStarted("r2"), runStarted("r3"))
    expect(opened.openRuns).toEqual({
      r1: { agent: "bot", tool: "gh__search", traceId: "trace-r1", startedAt: "2026-11-01T09:00:02.000Z" },
      r2: { agent: "bot", tool: "gh__search", traceId: "trace-r2", startedAt: "2026-11-01T09:00:03.000Z" },
      r3: { agent: "bot", tool: "gh__search", traceId: "trace-r3", startedAt: "2026-11-01T09:00:04.000Z" }
    })
    const closed = replay(stored([runFinished("r1", "ok"), runFinished("r3", "denied")], 6), opened)
    expect(Object.keys(closed.openRuns)).toEqual(["r2"])
    expect(replay(stored([runFinished("r2", "error")], 8), closed).openRuns).toEqual({})
  })
})

describe("membership and agents", () => {
  it("folds members and agents through their lifecycles", () => {
    const state = stateAfter(
      workspaceCreated("acme"),
      memberAdded("ada", "owner"),
      memberAdded("bob", "viewer"),
      memberRoleChanged("bob", "admin"),
      memberAdded("cy", "viewer"),
      memberRemoved("cy"),
      agentRegistered("bot", "ada"),
      agentRegistered("ci"),
      agentSuspended("bot"),
      agentRevoked("ci")
    )
    expect(state.workspace).toEqual({ slug: "acme", createdAt: "2026-11-01T09:00:00.000Z" })
    expect(state.members).toEqual({
      ada: { role: "owner", addedAt: "2026-11-01T09:00:01.000Z" },
      bob: { role: "admin", addedAt: "2026-11-01T09:00:02.000Z" }
    })
    expect(state.agents["bot"]).toMatchObject({ status: "suspended", owner: "ada" })
    expect(state.agents["ci"]?.status).toBe("revoked")
    expect(state.agents["ci"]).not.toHaveProperty("owner")
  })

  it("ignores a role change or suspension for someone unknown (evolve is total)", () => {
    const before = stateAfter(workspaceCreated())
    expect(evolve(before, stored([memberRoleChanged("ghost", "owner")])[0]!)).toEqual(before)
    expect(evolve(before, stored([agentSuspended("ghost")])[0]!)).toEqual(before)
  })
})

/** Freezes a value and everything reachable from it, so any write throws (tests run in strict mode). */
const deepFreeze = <T>(value: T): T => {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value)
    for (const child of Object.values(value)) deepFreeze(child)
  }
  return value
}

describe("purity", () => {
  // One of every event type, in an order where each touches existing state.
  const everyEvent: ReadonlyArray<DomainEvent> = [
    workspaceCreated(),
    payloadCaptureSet(true),
    retentionSet(30),
    memberAdded("ada", "owner"),
    memberRoleChanged("ada", "admin"),
    memberRemoved("ada"),
    agentRegistered("bot"),
    agentSuspended("bot"),
    agentRevoked("bot"),
    { type: "AgentRegistered", data: { agent: "claude", via: "oauth", clientId: "https://claude.ai/c.json", clientName: "Claude", owner: "ada" } },
    { type: "OAuthConsentGranted", data: { agent: "claude", clientId: "https://claude.ai/c.json", member: "ada", scopes: ["mcp"], redirectHost: "127.0.0.1" } },
    { type: "OAuthConsentDenied", data: { clientId: "x", clientName: "X", member: "ada", redirectHost: "x.example" } },
    { type: "AgentClientRegistered", data: { clientId: "c1", clientName: "Ops", redirectUris: ["https://ops.example/cb"], confidential: false } },
    { type: "AgentClientRemoved", data: { clientId: "c1" } },
    { type: "BotRuleSet", data: { match: "claude*", effect: "allow" } },
    { type: "ClientRefused", data: { at: "mcp", clientName: "scraper", agent: "bot" } },
    { type: "BotRuleRemoved", data: { match: "claude*" } },
    pluginInstalled("gh"),
    toolsDiscovered("gh", toolDefinition("search"), toolDefinition("issue")),
    toolApproved("gh__search", A),
    toolsDiscovered("gh", toolDefinition("search", "b")),
    toolQuarantined("gh__search", A, B),
    { type: "ToolsDiscovered", data: { plugin: "gh", tools: [], prompts: [{ name: "triage", hash: A }], resources: [{ uri: "repo://readme", name: "readme", hash: A }] } },
    { type: "ToolsDiscovered", data: { plugin: "gh", tools: [], prompts: [{ name: "triage", description: "v2", hash: B }], resources: [{ uri: "repo://readme", name: "readme", description: "v2", hash: B }] } },
    { type: "PromptQuarantined", data: { plugin: "gh", prompt: "triage", approvedHash: A, hash: B, reason: "changed" } },
    { type: "PromptApproved", data: { plugin: "gh", prompt: "triage", hash: B } },
    { type: "ResourceQuarantined", data: { plugin: "gh", uri: "repo://readme", approvedHash: A, hash: B, reason: "changed" } },
    { type: "ResourceApproved", data: { plugin: "gh", uri: "repo://readme", hash: B } },
    oauthClientConfigured("gh"),
    credentialConnected("gh-token", "gh"),
    credentialGranted("g1", "gh-token", "gh", { agents: ["bot"], tools: ["search"] }),
    credentialGranted("g2", "gh-token", "gh"),
    credentialGrantRevoked("g2", "gh-token"),
    { type: "CredentialRefreshed", data: { credential: "gh-token", expiresAt: "2026-11-01T10:00:00.000Z", scopes: ["repo"] } },
    { type: "CredentialExpired", data: { credential: "gh-token", reason: "the authorization server refused its refresh token: invalid_grant" } },
    credentialRevoked("gh-token"),
    policySet("base", "permit(principal, action, resource);", A),
    policyRemoved("base"),
    { type: "RateLimitSet", data: { scope: "agent", target: "bot", perMinute: 60 } },
    { type: "RateLimitRemoved", data: { scope: "agent", target: "bot" } },
    memoryPut("notes", "todo", { items: ["ship"] }),
    memoryDeleted("notes", "todo"),
    memoryPut("notes", "soon", "gone by noon", 1, { tags: ["t"], expiresAt: "2026-11-01T12:00:00.000Z" }),
    memoryExpired("notes", "soon", "2026-11-01T12:00:00.000Z"),
    jobScheduled(JOB_A, { cron: "0 9 * * *", nextAt: "2026-11-02T09:00:00.000Z" }),
    jobStarted(JOB_A, "r9", "2026-11-02T09:00:00.000Z"),
    jobFinished(JOB_A, "r9", "2026-11-03T09:00:00.000Z"),
    jobCancelled(JOB_A),
    { type: "CodeLimitsSet", data: { wallMs: 5000, cpuMs: 1000, resultBytes: 1024, primitiveCalls: 10 } },
    runStarted("r1"),
    { type: "SpanRecorded", data: { run: "r1", span: { traceId: "t", spanId: "s", name: "call", start: "x", end: "y", status: { code: "ok" }, attributes: {} } } },
    runFinished("r1"),
    pluginRemoved("gh")
  ]

  it("never mutates the state it is given, for any event type", () => {
    let state: WorkspaceState = deepFreeze(structuredClone(initialState))
    for (const e of stored(everyEvent)) {
      const snapshot = structuredClone(state)
      const next = evolve(state, deepFreeze(e))
      expect(state).toEqual(snapshot)
      state = deepFreeze(next)
    }
    expect(initialState).toEqual(structuredClone(initialState))
    // The walk ended somewhere real, not in an unchanged state.
    expect(state.workspace?.slug).toBe("acme")
    expect(state.agents["bot"]?.status).toBe("revoked")
    expect(state.tools).toEqual({})
    expect(state.credentials["gh-token"]?.status).toBe("revoked")
  })

  it("covers every event type in the catalog", () => {
    expect(new Set(everyEvent.map((e) => e.type))).toEqual(new Set(EVENT_TYPES))
  })
})

describe("prompts and resources", () => {
  const installed = [workspaceCreated(), pluginInstalled("gh")]
  const discovered = (promptHash: string, resourceHash: string | undefined) =>
    event("ToolsDiscovered", {
      plugin: "gh",
      tools: [],
      prompts: [{ name: "triage", description: `v${promptHash[0]}`, hash: promptHash }, { name: "old" }],
      resources: [{ uri: "repo://readme", name: "readme", ...(resourceHash === undefined ? {} : { hash: resourceHash }) }]
    })

  it("are pinned and approved at the discovery that first lists them; one without a hash pins nothing", () => {
    const state = stateAfter(...installed, discovered(A, A))
    expect(state.prompts).toEqual({
      gh__triage: { plugin: "gh", name: "triage", status: "approved", hash: A, approvedHash: A, definition: { name: "triage", description: "va", hash: A } }
    })
    expect(state.resources).toEqual({
      "gh:repo://readme": { plugin: "gh", uri: "repo://readme", status: "approved", hash: A, approvedHash: A, definition: { uri: "repo://readme", name: "readme", hash: A } }
    })
    expect(stateAfter(...installed, discovered(A, undefined)).resources).toEqual({})
  })

  it("keep their approval across a changed discovery until quarantined or approved; leave with their plugin or when no longer listed", () => {
    const changed = stateAfter(...installed, discovered(A, A), discovered(B, B))
    expect(changed.prompts["gh__triage"]).toMatchObject({ status: "approved", hash: B, approvedHash: A })
    const quarantined = replay(stored([event("PromptQuarantined", { plugin: "gh", prompt: "triage", approvedHash: A, hash: B, reason: "changed" })]), changed)
    expect(quarantined.prompts["gh__triage"]).toMatchObject({ status: "quarantined", approvedHash: A })
    const approved = replay(stored([event("PromptApproved", { plugin: "gh", prompt: "triage", hash: B })]), quarantined)
    expect(approved.prompts["gh__triage"]).toMatchObject({ status: "approved", approvedHash: B })
    const unlisted = replay(stored([event("ToolsDiscovered", { plugin: "gh", tools: [] })]), approved)
    expect([unlisted.prompts, unlisted.resources]).toEqual([{}, {}])
    const removed = replay(stored([event("PluginRemoved", { plugin: "gh" })]), approved)
    expect([removed.prompts, removed.resources]).toEqual([{}, {}])
  })
})

describe("jobs", () => {
  it("a cron job fires and stays scheduled for its next time; a one-shot job leaves when it finishes; a cancelled one leaves", () => {
    const scheduled = replay(stored([workspaceCreated(), agentRegistered("bot"), jobScheduled(JOB_A, { cron: "0 9 * * *", nextAt: "2026-11-02T09:00:00.000Z" }), jobScheduled(JOB_B)]), initialState)
    expect(scheduled.jobs[JOB_A]).toMatchObject({ agent: "bot", cron: "0 9 * * *", nextAt: "2026-11-02T09:00:00.000Z", fired: 0, scheduledBy: "r0", input: { n: 1 } })
    expect(scheduled.jobs[JOB_A]!.running).toBeUndefined()
    const running = replay(stored([jobStarted(JOB_A, "r9", "2026-11-02T09:00:00.000Z"), jobStarted(JOB_B, "r10")]), scheduled)
    expect(running.jobs[JOB_A]).toMatchObject({ running: "r9", fired: 0 })
    const after = replay(stored([jobFinished(JOB_A, "r9", "2026-11-03T09:00:00.000Z"), jobFinished(JOB_B, "r10")]), running)
    expect(after.jobs[JOB_A]).toMatchObject({ nextAt: "2026-11-03T09:00:00.000Z", fired: 1 })
    expect(after.jobs[JOB_A]!.running).toBeUndefined()
    expect(after.jobs[JOB_B]).toBeUndefined()
    expect(replay(stored([jobCancelled(JOB_A)]), after).jobs).toEqual({})
    // A finish or start for a job no longer scheduled changes nothing (evolve is total).
    expect(replay(stored([jobStarted(JOB_B, "r11"), jobFinished(JOB_B, "r11")]), after).jobs).toEqual(after.jobs)
  })
})

describe("in-place records (the live append's memory)", () => {
  it("change the base's own memory record, leave every other kind copied, and undo exactly", () => {
    const base = replay(stored([workspaceCreated(), memoryPut("team", "kept", "one"), memoryPut("team", "gone", "two")]), initialState)
    const before = structuredClone(base)
    const memory = base.memory
    const policies = base.policies
    const applied = applyEvents(
      base,
      stored([memoryPut("team", "kept", "one, again", 2), memoryDeleted("team", "gone"), memoryPut("team", "new", 3), policyRemoved("starter")]),
      new Set(["memory"])
    )
    // Memory changed where it is (no copy of every entry); policies copied, the base's untouched.
    expect(applied.state.memory).toBe(memory)
    expect(Object.keys(memory).sort()).toEqual(["team:kept", "team:new"])
    expect(applied.state.policies).not.toBe(policies)
    expect(base.policies).toEqual(before.policies)
    // The append did not commit: the record is back as it was, entry for entry.
    applied.undo()
    expect(base).toEqual(before)
    expect(base.memory).toBe(memory)
  })
})
