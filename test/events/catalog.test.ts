// The event catalog's contract: every event type has a realistic sample that survives encode/decode and
// a JSON round trip, a broken one is refused, and decodeEvent upcasts an older envelope to the current shape.
import { Cause, Exit, Schema } from "effect"
import { describe, expect, it } from "vitest"
import {
  decodeEvent,
  DomainEvent,
  type Envelope,
  EVENT_TYPES,
  type EventOf,
  EventSchemas,
  type EventType,
  GENESIS_HASH
} from "../../events/index.ts"
import { currentVersion, upcasters } from "../../events/upcast.ts"
import { describeSchemaError } from "../../src/workspace/invalid-command.ts"

const SHA_A = "5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8"
const SHA_B = "6b86b273ff34fce19d6b804eff5a3f5747ada4eaa22f1d49c01e52ddb7875b4b"

/** One realistic sample per event type. The mapped type makes a missing sample a type error too. */
const samples: { readonly [T in EventType]: EventOf<T> } = {
  WorkspaceCreated: { type: "WorkspaceCreated", data: { workspace: "acme" } },
  PayloadCaptureSet: { type: "PayloadCaptureSet", data: { enabled: true } },
  RetentionSet: { type: "RetentionSet", data: { keepDays: 90 } },
  MemberAdded: { type: "MemberAdded", data: { member: "ada@acme.dev", role: "owner" } },
  MemberRoleChanged: { type: "MemberRoleChanged", data: { member: "bob@acme.dev", role: "viewer" } },
  MemberRemoved: { type: "MemberRemoved", data: { member: "bob@acme.dev" } },
  AgentRegistered: {
    type: "AgentRegistered",
    data: { agent: "ci-bot", via: "key", keyHash: SHA_A, keyPrefix: "berth_x7Kq2a", owner: "ada@acme.dev" }
  },
  OAuthConsentGranted: {
    type: "OAuthConsentGranted",
    data: { agent: "claude-code", clientId: "https://claude.ai/oauth/mcp-client.json", member: "ada@acme.dev", scopes: ["mcp"], redirectHost: "127.0.0.1" }
  },
  OAuthConsentDenied: {
    type: "OAuthConsentDenied",
    data: { clientId: "3f1c2a9e-5b7d", clientName: "Unknown Helper", member: "ada@acme.dev", redirectHost: "helper.example" }
  },
  AgentClientRegistered: {
    type: "AgentClientRegistered",
    data: { clientId: "0f3a9c1e5b7d2a4c", clientName: "Ops Console", redirectUris: ["https://ops.acme.dev/oauth/callback"], confidential: true }
  },
  AgentClientRemoved: { type: "AgentClientRemoved", data: { clientId: "0f3a9c1e5b7d2a4c" } },
  BotRuleSet: { type: "BotRuleSet", data: { match: "claude-*", effect: "allow" } },
  BotRuleRemoved: { type: "BotRuleRemoved", data: { match: "claude-*" } },
  ClientRefused: {
    type: "ClientRefused",
    data: { at: "mcp", clientName: "scraper", clientVersion: "0.1.0", agent: "ci-bot" }
  },
  AgentSuspended: { type: "AgentSuspended", data: { agent: "ci-bot", reason: "key seen in a public gist" } },
  AgentRevoked: { type: "AgentRevoked", data: { agent: "ci-bot" } },
  PluginInstalled: {
    type: "PluginInstalled",
    data: { plugin: "github", url: "https://api.githubcopilot.com/mcp/", transport: "streamable-http", auth: "oauth" }
  },
  PluginRemoved: { type: "PluginRemoved", data: { plugin: "github" } },
  ToolsDiscovered: {
    type: "ToolsDiscovered",
    data: {
      plugin: "github",
      tools: [
        {
          name: "search_issues",
          hash: SHA_A,
          title: "Search issues",
          description: "Search issues and pull requests",
          inputSchema: { type: "object", properties: { q: { type: "string" } }, required: ["q"] },
          annotations: { readOnlyHint: true }
        },
        { name: "create_issue", hash: SHA_B }
      ],
      resources: [{ uri: "repo://acme/berth/README.md", name: "README", mimeType: "text/markdown" }],
      prompts: [{ name: "triage", description: "Triage an issue", arguments: [{ name: "issue", required: true }] }]
    }
  },
  ToolApproved: { type: "ToolApproved", data: { tool: "github__search_issues", hash: SHA_A } },
  ToolQuarantined: {
    type: "ToolQuarantined",
    data: { tool: "github__search_issues", approvedHash: SHA_A, hash: SHA_B, reason: "description changed since approval" }
  },
  PromptApproved: { type: "PromptApproved", data: { plugin: "github", prompt: "triage", hash: SHA_A } },
  PromptQuarantined: {
    type: "PromptQuarantined",
    data: { plugin: "github", prompt: "triage", approvedHash: SHA_A, hash: SHA_B, reason: "the prompt's definition changed since it was approved" }
  },
  ResourceApproved: { type: "ResourceApproved", data: { plugin: "github", uri: "repo://acme/readme", hash: SHA_A } },
  ResourceQuarantined: {
    type: "ResourceQuarantined",
    data: { plugin: "github", uri: "repo://acme/readme", approvedHash: SHA_A, hash: SHA_B, reason: "the resource's definition changed since it was approved" }
  },
  OAuthClientConfigured: {
    type: "OAuthClientConfigured",
    data: {
      plugin: "github",
      clientId: "Iv1.8a61f9b3a7aba766",
      authorizationServer: "https://github.com/login/oauth",
      scopes: ["repo", "read:org"],
      secretRef: "vault:01JD3Z8Q4M0000000000000000",
      secretFingerprint: "9b1c4f0e"
    }
  },
  CredentialConnected: {
    type: "CredentialConnected",
    data: {
      credential: "github-ada",
      plugin: "github",
      kind: "header",
      header: "X-API-Key",
      owner: "member",
      member: "ada@acme.dev",
      fingerprint: "0c7e22aa9b1c4f0e0c7e22aa9b1c4f0e",
      scopes: ["repo"],
      subject: "ada",
      expiresAt: "2026-12-01T00:00:00.000Z"
    }
  },
  CredentialRevoked: { type: "CredentialRevoked", data: { credential: "github-ada", reason: "left the team" } },
  CredentialRefreshed: { type: "CredentialRefreshed", data: { credential: "github-ada", expiresAt: "2026-12-01T01:00:00.000Z", scopes: ["repo"] } },
  CredentialExpired: { type: "CredentialExpired", data: { credential: "github-ada", reason: "the authorization server refused the refresh token (invalid_grant)" } },
  CredentialGranted: {
    type: "CredentialGranted",
    data: { grant: "g_5e1f0a9c2b7d", credential: "github-ada", plugin: "github", tools: ["search_issues"], agents: ["ci-bot"] }
  },
  CredentialGrantRevoked: { type: "CredentialGrantRevoked", data: { grant: "g_5e1f0a9c2b7d", credential: "github-ada" } },
  PolicySet: {
    type: "PolicySet",
    data: { policy: "base", text: "permit(principal, action, resource);", sha256: SHA_A }
  },
  PolicyRemoved: { type: "PolicyRemoved", data: { policy: "base" } },
  RateLimitSet: { type: "RateLimitSet", data: { scope: "agent", target: "ci-bot", perMinute: 60, burst: 10 } },
  RateLimitRemoved: { type: "RateLimitRemoved", data: { scope: "agent", target: "ci-bot" } },
  MemoryPut: {
    type: "MemoryPut",
    data: { namespace: "team/triage", key: "last-run", value: { seq: 42, done: false }, version: 2, tags: ["p1"], expiresAt: "2026-12-06T00:00:00.000Z" }
  },
  MemoryDeleted: { type: "MemoryDeleted", data: { namespace: "team/triage", key: "last-run", version: 2 } },
  MemoryExpired: { type: "MemoryExpired", data: { namespace: "team/triage", key: "last-run", version: 2, expiresAt: "2026-12-06T00:00:00.000Z" } },
  JobScheduled: {
    type: "JobScheduled",
    data: {
      job: "job_01JD3Z9A0000000000000000JB",
      agent: "ci-bot",
      codeHash: SHA_A,
      codeSize: 412,
      input: { repo: "acme/api" },
      cron: "0 9 * * 1-5",
      nextAt: "2026-12-07T09:00:00.000Z",
      scheduledBy: "01JD3Z9A0000000000000000RN"
    }
  },
  JobStarted: { type: "JobStarted", data: { job: "job_01JD3Z9A0000000000000000JB", run: "01JD3Z9A0000000000000001RN", due: "2026-12-07T09:00:00.000Z" } },
  JobFinished: {
    type: "JobFinished",
    data: { job: "job_01JD3Z9A0000000000000000JB", run: "01JD3Z9A0000000000000001RN", status: "ok", nextAt: "2026-12-08T09:00:00.000Z" }
  },
  JobCancelled: { type: "JobCancelled", data: { job: "job_01JD3Z9A0000000000000000JB", reason: "agent 'ci-bot' was revoked" } },
  RunStarted: {
    type: "RunStarted",
    data: { run: "01JD3Z9A0000000000000000RN", traceId: "4bf92f3577b34da6a3ce929d0e0e4736", agent: "ci-bot", tool: "github__search_issues", argsHash: SHA_A, argsSize: 24 }
  },
  SpanRecorded: {
    type: "SpanRecorded",
    data: {
      run: "01JD3Z9A0000000000000000RN",
      span: {
        traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
        spanId: "00f067aa0ba902b7",
        parentSpanId: "a3ce929d0e0e4736",
        name: "tools/call github__search_issues",
        start: "2026-11-01T09:00:00.000Z",
        end: "2026-11-01T09:00:00.180Z",
        status: { code: "ok" },
        attributes: { "mcp.tool": "search_issues", "http.status_code": 200, "berth.cached": false }
      }
    }
  },
  CodeLimitsSet: { type: "CodeLimitsSet", data: { wallMs: 60_000, cpuMs: 10_000, resultBytes: 262_144, primitiveCalls: 200 } },
  RunFinished: {
    type: "RunFinished",
    data: { run: "01JD3Z9A0000000000000000RN", status: "ok", durationMs: 180, resultHash: SHA_B, resultSize: 2048 }
  }
}

const sampleList = Object.values(samples) as ReadonlyArray<DomainEvent>
const encode = Schema.encodeSync(DomainEvent)
const decode = Schema.decodeUnknownSync(DomainEvent)

/** The sample with its first string or boolean field replaced by a number (or its first number by a string): a wrong field type. */
const broken = (sample: DomainEvent): { readonly event: unknown; readonly field: string } => {
  const data = sample.data as Record<string, unknown>
  const field =
    Object.keys(data).find((k) => typeof data[k] === "string" || typeof data[k] === "boolean") ??
    Object.keys(data).find((k) => typeof data[k] === "number")!
  return { event: { type: sample.type, data: { ...data, [field]: typeof data[field] === "number" ? "42" : 42 } }, field }
}

const schemaOf = (type: EventType) => EventSchemas.find((s) => s.fields.type.literal === type)!

describe("the event catalog", () => {
  it("has a sample for every event type, and none for a type it does not have", () => {
    expect(Object.keys(samples).sort()).toEqual([...EVENT_TYPES].sort())
    expect(EVENT_TYPES.length).toBe(EventSchemas.length)
    expect(new Set(EVENT_TYPES).size).toBe(EVENT_TYPES.length)
    for (const [type, sample] of Object.entries(samples)) expect(sample.type).toBe(type)
  })

  describe.each(sampleList.map((s) => [s.type, s] as const))("%s", (type, sample) => {
    it("encodes and decodes back equal", () => {
      const encoded = encode(sample)
      expect(encoded).toEqual(sample)
      expect(decode(encoded)).toEqual(sample)
    })

    it("survives a JSON round trip", () => {
      const json = JSON.parse(JSON.stringify(encode(sample)))
      expect(decode(json)).toEqual(sample)
    })

    it("refuses a wrong field type, naming the field", () => {
      const { event, field } = broken(sample)
      expect(Exit.isFailure(Schema.decodeUnknownExit(DomainEvent)(event))).toBe(true)
      const exit = Schema.decodeUnknownExit(schemaOf(type))(event)
      if (Exit.isSuccess(exit)) return expect.fail(`${type} accepted ${JSON.stringify(event)}`)
      expect(describeSchemaError(Cause.squash(exit.cause) as Schema.SchemaError).field).toBe(`data.${field}`)
    })
  })

  it.each([
    ["an unknown type", { type: "PluginExploded", data: { plugin: "github" } }],
    ["a missing required field", { type: "PluginInstalled", data: { plugin: "github", url: "https://x.test/mcp", transport: "sse" } }],
    ["a value outside a literal set", { type: "MemberAdded", data: { member: "ada", role: "superuser" } }],
    ["a hash that is not lowercase hex", { type: "ToolApproved", data: { tool: "github__search", hash: SHA_A.toUpperCase() } }],
    ["a job id that is not 'job_' and a ULID", { type: "JobCancelled", data: { job: "../acme/job" } }],
    ["a run status outside the set", { type: "JobFinished", data: { job: "job_01JD3Z9A0000000000000000JB", status: "skipped" } }],
    ["a plugin name containing '__'", { type: "PluginRemoved", data: { plugin: "git__hub" } }],
    ["a tool id without the '__' separator", { type: "ToolApproved", data: { tool: "search", hash: SHA_A } }],
    ["a span attribute that is an object", {
      type: "SpanRecorded",
      data: { run: "r", span: { ...samples.SpanRecorded.data.span, attributes: { nested: { a: 1 } } } }
    }]
  ])("refuses %s", (_, event) => expect(Exit.isFailure(Schema.decodeUnknownExit(DomainEvent)(event))).toBe(true))
})

const envelope = (type: string, v: number, data: unknown): Envelope => ({
  seq: 7,
  id: "01JD3Z9A0000000000000000EV",
  type,
  v,
  at: "2026-11-01T09:00:00.000Z",
  actor: { type: "admin", id: "ada@acme.dev" },
  correlationId: "01JD3Z9A0000000000000000CO",
  causationId: null,
  data,
  prevHash: GENESIS_HASH,
  hash: SHA_A
})

describe("decodeEvent", () => {
  it("checks a stored envelope's data and keeps every envelope field", () => {
    const row = envelope("ToolsDiscovered", 1, JSON.parse(JSON.stringify(samples.ToolsDiscovered.data)))
    expect(decodeEvent(row)).toEqual({ ...row, ...samples.ToolsDiscovered })
  })

  it("refuses an envelope whose data does not match its type", () =>
    expect(() => decodeEvent(envelope("PluginRemoved", 1, { plugin: 42 }))).toThrow())

  it("refuses an envelope of an unknown type", () =>
    expect(() => decodeEvent(envelope("PluginExploded", 1, { plugin: "github" }))).toThrow())
})

describe("upcast", () => {
  it("every event type is at version 1 until an upcaster is registered", () => {
    const versioned: Partial<Record<EventType, number>> = {
      AgentRegistered: 2,
      CredentialConnected: 2,
      CredentialGranted: 2,
      CredentialGrantRevoked: 2
    }
    for (const type of EVENT_TYPES) expect(currentVersion(type)).toBe(versioned[type] ?? 1)
  })

  it("RunStarted from before jobs (no job field) reads as written: the field is optional, so it needs no upcaster", () => {
    const before = JSON.parse(JSON.stringify(samples.RunStarted.data))
    expect(decodeEvent(envelope("RunStarted", 1, before)).data).toEqual(before)
    const fired = { ...before, kind: "code", codeHash: SHA_B, codeSize: 412, job: "job_01JD3Z9A0000000000000000JB" }
    expect(decodeEvent(envelope("RunStarted", 1, fired)).data).toEqual(fired)
  })

  it("AgentRegistered v1 (keys only, before OAuth) reads as v2 with via 'key'", () => {
    const v1 = { agent: "ci-bot", keyHash: SHA_A, keyPrefix: "berth_x7Kq2a" }
    expect(decodeEvent(envelope("AgentRegistered", 1, v1)).data).toEqual({ ...v1, via: "key" })
    // v2 data is taken as written, whichever way the agent docks.
    const oauth = { agent: "claude", via: "oauth", clientId: "https://claude.ai/oauth/mcp-client.json", clientName: "Claude" }
    expect(decodeEvent(envelope("AgentRegistered", 2, oauth)).data).toEqual(oauth)
  })

  it("CredentialConnected v1 (a vault ref, before owners) reads as v2: the team's, no scopes, no ref", () => {
    const v1 = { credential: "gh", plugin: "github", kind: "bearer", ref: "vault:01JD3Z8Q4M0000000000000001", fingerprint: "0c7e22aa" }
    expect(decodeEvent(envelope("CredentialConnected", 1, v1)).data).toEqual({
      credential: "gh",
      plugin: "github",
      kind: "bearer",
      fingerprint: "0c7e22aa",
      owner: "team",
      scopes: []
    })
    expect(decodeEvent(envelope("CredentialConnected", 2, samples.CredentialConnected.data)).data).toEqual(samples.CredentialConnected.data)
  })

  it("CredentialGranted and CredentialGrantRevoked v1 (one agent, one tool id) read as v2 with the id v1 state keyed them by", () => {
    const tool = { credential: "gh", agent: "ci-bot", tool: "github__search_issues" }
    expect(decodeEvent(envelope("CredentialGranted", 1, tool)).data).toEqual({
      grant: "gh:ci-bot:github__search_issues",
      credential: "gh",
      plugin: "github",
      tools: ["search_issues"],
      agents: ["ci-bot"]
    })
    // Plugin-wide in v1 meant the credential's own plugin: evolve resolves it, so none is invented here.
    expect(decodeEvent(envelope("CredentialGranted", 1, { credential: "gh", agent: "ci-bot" })).data).toEqual({
      grant: "gh:ci-bot:*",
      credential: "gh",
      agents: ["ci-bot"]
    })
    expect(decodeEvent(envelope("CredentialGrantRevoked", 1, tool)).data).toEqual({ grant: "gh:ci-bot:github__search_issues", credential: "gh" })
    expect(decodeEvent(envelope("CredentialGrantRevoked", 1, { credential: "gh", agent: "ci-bot" })).data).toEqual({
      grant: "gh:ci-bot:*",
      credential: "gh"
    })
  })

  it("brings a v1 envelope up to the v2 shape through a registered upcaster", () => {
    // A hypothetical v2 of PluginInstalled: v1 called the plugin `name` and had no transport or auth.
    const v1 = { name: "github", url: "https://api.githubcopilot.com/mcp/" }
    expect(() => decodeEvent(envelope("PluginInstalled", 1, v1))).toThrow()

    upcasters.PluginInstalled = [
      (data: { name: string; url: string }) => ({ plugin: data.name, url: data.url, transport: "streamable-http", auth: "none" })
    ]
    try {
      expect(currentVersion("PluginInstalled")).toBe(2)
      expect(currentVersion("PluginRemoved")).toBe(1)
      const decoded = decodeEvent(envelope("PluginInstalled", 1, v1))
      expect(decoded).toEqual({
        ...envelope("PluginInstalled", 1, v1),
        data: { plugin: "github", url: "https://api.githubcopilot.com/mcp/", transport: "streamable-http", auth: "none" }
      })
      // Data already at v2 passes through untouched.
      const v2 = samples.PluginInstalled.data
      expect(decodeEvent(envelope("PluginInstalled", 2, v2)).data).toEqual(v2)
    } finally {
      delete upcasters.PluginInstalled
    }
    expect(currentVersion("PluginInstalled")).toBe(1)
  })

  it("applies a chain of upcasters from the stored version onward", () => {
    upcasters.MemoryPut = [
      (data: { ns: string; key: string; value: unknown }) => ({ namespace: data.ns, key: data.key, value: data.value, version: 1 }),
      (data: { namespace: string; key: string; value: unknown }) => ({ ...data, value: { wrapped: data.value } })
    ]
    try {
      expect(currentVersion("MemoryPut")).toBe(3)
      expect(decodeEvent(envelope("MemoryPut", 1, { ns: "n", key: "k", value: 1 })).data).toEqual({ namespace: "n", key: "k", value: { wrapped: 1 }, version: 1 })
      expect(decodeEvent(envelope("MemoryPut", 2, { namespace: "n", key: "k", value: 1, version: 1 })).data).toEqual({ namespace: "n", key: "k", value: { wrapped: 1 }, version: 1 })
      expect(decodeEvent(envelope("MemoryPut", 3, { namespace: "n", key: "k", value: 1, version: 1 })).data).toEqual({ namespace: "n", key: "k", value: 1, version: 1 })
    } finally {
      delete upcasters.MemoryPut
    }
  })
})
