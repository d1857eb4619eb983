// Spec for the credential commands: set (the value never reaches decide: only its fingerprint),
// revoke, grant (ids, members' credentials serve their own agents) and ungrant. Plus the vault's
// cryptography and grant resolution, which are pure or WebCrypto and need no object.
import { describe, expect, it } from "vitest"
import { event } from "../../events/index.ts"
import { AgentAlreadyRevoked, AgentNotFound } from "../../src/agent/errors.ts"
import { GrantCredential, RevokeCredential, SetCredential, UngrantCredential } from "../../src/vault/commands.ts"
import { deriveVaultKeys, fingerprintOf, rewrap, seal, unseal } from "../../src/vault/crypto.ts"
import { CredentialAlreadyRevoked, CredentialNotFound, GrantNotFound, GrantOutsideOwner } from "../../src/vault/errors.ts"
import { credentialForCall, credentialForDiscovery, grantId, headersFor } from "../../src/vault/grants.ts"
import { InvalidCommand, MemberNotFound, WorkspaceNotFound } from "../../src/workspace/errors.ts"
import { given, refusal, stateAfter } from "../workspace/decider-spec.ts"
import {
  agentRegistered,
  agentRevoked,
  credentialConnected,
  credentialGranted,
  credentialRevoked,
  memberAdded,
  pluginInstalled,
  workspaceCreated
} from "../workspace/events.ts"

const FP = "3f2a9c01d4e5f60718293a4b5c6d7e8f"
const ada = "ada@acme.dev"

describe("SetCredential", () => {
  it("records a team bearer credential with its fingerprint, never a value", () =>
    given(workspaceCreated())
      .when(new SetCredential({ credential: "gh-token", plugin: "gh", kind: "bearer", fingerprint: FP }))
      .then(credentialConnected("gh-token", "gh")))

  it("records a member's header credential with its header, scopes and expiry", () =>
    given(workspaceCreated(), memberAdded(ada))
      .when(
        new SetCredential({
          credential: "linear-ada",
          plugin: "linear",
          kind: "header",
          header: "X-API-Key",
          forMember: ada,
          scopes: ["read"],
          expiresAt: "2027-01-01T00:00:00Z",
          fingerprint: FP
        })
      )
      .then(
        event("CredentialConnected", {
          credential: "linear-ada",
          plugin: "linear",
          kind: "header",
          header: "X-API-Key",
          owner: "member",
          member: ada,
          fingerprint: FP,
          scopes: ["read"],
          expiresAt: "2027-01-01T00:00:00.000Z"
        })
      ))

  it("refuses a header credential without its header, and a bearer credential with one", () => {
    given(workspaceCreated()).when(new SetCredential({ credential: "k", plugin: "gh", kind: "header", fingerprint: FP })).thenFails(InvalidCommand)
    given(workspaceCreated())
      .when(new SetCredential({ credential: "k", plugin: "gh", kind: "bearer", header: "X-API-Key", fingerprint: FP }))
      .thenFails(InvalidCommand)
  })

  it("refuses a member who is not in the workspace, and a workspace that does not exist", () => {
    given(workspaceCreated())
      .when(new SetCredential({ credential: "k", plugin: "gh", kind: "bearer", forMember: ada, fingerprint: FP }))
      .thenFails(MemberNotFound, { member: ada })
    given().when(new SetCredential({ credential: "k", plugin: "gh", kind: "bearer", fingerprint: FP })).thenFails(WorkspaceNotFound)
  })

  it("refuses headers that belong to the transport, and values in the command", () => {
    expect(refusal({ _tag: "SetCredential", credential: "k", plugin: "gh", kind: "header", header: "Host", fingerprint: FP }).field).toBe("header")
    expect(refusal({ _tag: "SetCredential", credential: "k", plugin: "gh", kind: "header", header: "Mcp-Session-Id", fingerprint: FP }).field).toBe("header")
    // The value travels beside the command, to the vault: a command carrying one is refused.
    expect(refusal({ _tag: "SetCredential", credential: "k", plugin: "gh", kind: "bearer", fingerprint: FP, value: "x" }).field).toBe("value")
  })
})

describe("RevokeCredential", () => {
  it("revokes an active credential", () =>
    given(workspaceCreated(), credentialConnected("gh-token", "gh")).when(new RevokeCredential({ credential: "gh-token" })).then(credentialRevoked("gh-token")))

  it("refuses an unknown or already revoked credential", () => {
    given(workspaceCreated()).when(new RevokeCredential({ credential: "nope" })).thenFails(CredentialNotFound, { credential: "nope" })
    given(workspaceCreated(), credentialConnected("gh-token", "gh"), credentialRevoked("gh-token"))
      .when(new RevokeCredential({ credential: "gh-token" }))
      .thenFails(CredentialAlreadyRevoked, { credential: "gh-token" })
  })
})

describe("GrantCredential and UngrantCredential", () => {
  const scope = { credential: "gh-token", plugin: "gh", tools: ["search", "issue"], agents: ["bot"] }
  const id = grantId(scope)

  it("grants with a stable id, tools and agents sorted; the same grant again changes nothing", () => {
    expect(id).toMatch(/^g_[0-9a-f]{12}$/)
    expect(grantId({ ...scope, tools: ["issue", "search"] })).toBe(id)
    const history = [workspaceCreated(), agentRegistered("bot"), credentialConnected("gh-token", "gh")]
    given(...history)
      .when(new GrantCredential(scope))
      .then(event("CredentialGranted", { grant: id, credential: "gh-token", plugin: "gh", tools: ["issue", "search"], agents: ["bot"] }))
    given(...history, credentialGranted(id, "gh-token", "gh", { tools: ["issue", "search"], agents: ["bot"] }))
      .when(new GrantCredential(scope))
      .thenNothing()
  })

  it("refuses an unknown or revoked credential, an unknown or revoked agent, and empty lists", () => {
    given(workspaceCreated()).when(new GrantCredential({ credential: "nope", plugin: "gh" })).thenFails(CredentialNotFound)
    given(workspaceCreated(), credentialConnected("gh-token", "gh"), credentialRevoked("gh-token"))
      .when(new GrantCredential({ credential: "gh-token", plugin: "gh" }))
      .thenFails(CredentialAlreadyRevoked)
    given(workspaceCreated(), credentialConnected("gh-token", "gh"))
      .when(new GrantCredential({ credential: "gh-token", plugin: "gh", agents: ["ghost"] }))
      .thenFails(AgentNotFound, { agent: "ghost" })
    given(workspaceCreated(), agentRegistered("bot"), agentRevoked("bot"), credentialConnected("gh-token", "gh"))
      .when(new GrantCredential({ credential: "gh-token", plugin: "gh", agents: ["bot"] }))
      .thenFails(AgentAlreadyRevoked)
    expect(refusal({ _tag: "GrantCredential", credential: "gh-token", plugin: "gh", tools: [] }).field).toBe("tools")
  })

  it("refuses a member's credential for an agent that member does not own", () =>
    given(workspaceCreated(), memberAdded(ada), agentRegistered("bot"), credentialConnected("mine", "gh", { member: ada }))
      .when(new GrantCredential({ credential: "mine", plugin: "gh", agents: ["bot"] }))
      .thenFails(GrantOutsideOwner, { credential: "mine", member: ada, agent: "bot" }))

  it("ungrants by id, and refuses an unknown id", () => {
    given(workspaceCreated(), credentialConnected("gh-token", "gh"), credentialGranted("g1", "gh-token", "gh"))
      .when(new UngrantCredential({ grant: "g1" }))
      .then(event("CredentialGrantRevoked", { grant: "g1", credential: "gh-token" }))
    given(workspaceCreated()).when(new UngrantCredential({ grant: "g1" })).thenFails(GrantNotFound, { grant: "g1" })
  })
})

describe("which credential a call carries", () => {
  const state = stateAfter(
    workspaceCreated(),
    memberAdded(ada),
    pluginInstalled("gh"),
    agentRegistered("bot"),
    agentRegistered("ci"),
    agentRegistered("adas-bot", ada),
    credentialConnected("team", "gh"),
    credentialConnected("search-key", "gh"),
    credentialConnected("bot-search", "gh"),
    credentialConnected("bot-any", "gh"),
    credentialConnected("adas", "gh", { member: ada }),
    credentialGranted("plugin", "team", "gh"),
    credentialGranted("tool", "search-key", "gh", { tools: ["search"] }),
    credentialGranted("agent-tool", "bot-search", "gh", { tools: ["search"], agents: ["bot"] }),
    credentialGranted("agent", "bot-any", "gh", { agents: ["bot"] }),
    credentialGranted("member", "adas", "gh")
  )
  const pick = (tool: string, agent: string, s = state) => credentialForCall(s, "gh", tool, agent)?.credential

  it("agent and tool, then tool, then agent, then plugin", () => {
    expect(pick("search", "bot")).toBe("bot-search")
    expect(pick("search", "ci")).toBe("search-key")
    expect(pick("issue", "bot")).toBe("bot-any")
    expect(pick("issue", "ci")).toBe("team")
    expect(credentialForCall(state, "linear", "issue", "ci")).toBeUndefined()
  })

  it("a member's credential serves only that member's agents, before the team's at equal specificity", () => {
    expect(pick("issue", "adas-bot")).toBe("adas")
    expect(pick("issue", "ci")).toBe("team")
  })

  it("skips revoked and expired credentials", () => {
    const revoked = stateAfter(workspaceCreated(), credentialConnected("a", "gh"), credentialGranted("g", "a", "gh"), credentialRevoked("a"))
    expect(credentialForCall(revoked, "gh", "x", "bot")).toBeUndefined()
    const expired = stateAfter(workspaceCreated(), {
      type: "CredentialConnected",
      data: { credential: "a", plugin: "gh", kind: "bearer", owner: "team", fingerprint: FP, scopes: [], expiresAt: "2020-01-01T00:00:00.000Z" }
    }, credentialGranted("g", "a", "gh"))
    expect(credentialForCall(expired, "gh", "x", "bot")).toBeUndefined()
  })

  it("discovery carries the plugin's team grant only (no tools, no agents, the team's)", () => {
    expect(credentialForDiscovery(state, "gh")?.credential).toBe("team")
    const onlyNarrow = stateAfter(workspaceCreated(), credentialConnected("a", "gh"), credentialGranted("g", "a", "gh", { tools: ["x"] }))
    expect(credentialForDiscovery(onlyNarrow, "gh")).toBeUndefined()
  })

  it("builds the headers a credential travels in", () => {
    expect(headersFor({ credential: "a", plugin: "gh", status: "active", fingerprint: FP, kind: "bearer", grant: "g" }, "tok")).toEqual({ authorization: "Bearer tok" })
    expect(headersFor({ credential: "a", plugin: "gh", status: "active", fingerprint: FP, kind: "header", header: "X-API-Key", grant: "g" }, "tok")).toEqual({ "X-API-Key": "tok" })
  })
})

describe("the vault's cryptography", () => {
  it("seals and opens a value; the sealed row holds neither the value nor the data key in clear", async () => {
    const keys = await deriveVaultKeys("root-secret", "acme")
    const row = await seal(keys, "gh-token", "ghp_s3cr3t-value")
    expect(await unseal(keys, row)).toBe("ghp_s3cr3t-value")
    expect(row.keyId).toMatch(/^[0-9a-f]{16}$/)
    const bytes = new TextDecoder("latin1").decode(new Uint8Array([...row.wrappedKey, ...row.ciphertext]))
    expect(bytes).not.toContain("ghp_s3cr3t")
    // A fresh data key and IVs each time.
    const again = await seal(keys, "gh-token", "ghp_s3cr3t-value")
    expect(again.ciphertext).not.toEqual(row.ciphertext)
  })

  it("keys are per workspace: another workspace's keys, or another root key, cannot open a row", async () => {
    const acme = await deriveVaultKeys("root-secret", "acme")
    const row = await seal(acme, "gh-token", "v")
    await expect(unseal(await deriveVaultKeys("root-secret", "globex"), row)).rejects.toThrow()
    await expect(unseal(await deriveVaultKeys("other-secret", "acme"), row)).rejects.toThrow()
  })

  it("binds a row to its credential: a ciphertext moved under another name does not open", async () => {
    const keys = await deriveVaultKeys("root-secret", "acme")
    const row = await seal(keys, "gh-token", "v")
    await expect(unseal(keys, { ...row, credential: "other" })).rejects.toThrow()
  })

  it("fingerprints are keyed: stable for one key and workspace, different under another", async () => {
    const keys = await deriveVaultKeys("root-secret", "acme")
    const fp = await fingerprintOf(keys, "v")
    expect(fp).toMatch(/^[0-9a-f]{32}$/)
    expect(await fingerprintOf(keys, "v")).toBe(fp)
    expect(await fingerprintOf(await deriveVaultKeys("root-secret", "globex"), "v")).not.toBe(fp)
  })

  it("rewraps a data key under a new root key without touching the ciphertext (rotation)", async () => {
    const old = await deriveVaultKeys("old-root", "acme")
    const next = await deriveVaultKeys("new-root", "acme")
    const row = await seal(old, "gh-token", "v")
    const rewrapped = await rewrap(old, next, row)
    expect(rewrapped.ciphertext).toEqual(row.ciphertext)
    expect(rewrapped.keyId).toBe(next.keyId)
    expect(await unseal(next, rewrapped)).toBe("v")
    await expect(unseal(old, rewrapped)).rejects.toThrow()
  })
})
