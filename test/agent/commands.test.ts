// Spec for the agent commands: RegisterAgent, SuspendAgent and RevokeAgent (revocation is final and a
// name is never reused), and the Schemas that refuse malformed agent names and reasons.
import { Exit } from "effect"
import { describe, expect, it } from "vitest"
import { RegisterAgent, RevokeAgent, SuspendAgent } from "../../src/agent/commands.ts"
import { AgentAlreadyExists, AgentAlreadyRevoked, AgentAlreadySuspended, AgentNotFound } from "../../src/agent/errors.ts"
import { MemberNotFound, WorkspaceNotFound } from "../../src/workspace/errors.ts"
import { decodeCommand } from "../../src/workspace/execute.ts"
import { given, refusal } from "../workspace/decider-spec.ts"
import {
  agentRegistered,
  agentRevoked,
  agentSuspended,
  KEY_HASH,
  KEY_PREFIX,
  memberAdded,
  memberRemoved,
  workspaceCreated
} from "../workspace/events.ts"

const key = { keyHash: KEY_HASH, keyPrefix: KEY_PREFIX }
const ada = "ada@acme.dev"

describe("RegisterAgent", () => {
  it("registers an agent with only its key's hash and prefix", () =>
    given(workspaceCreated()).when(new RegisterAgent({ agent: "bot", ...key })).then(agentRegistered("bot")))

  it("records the owner when the owner is a member", () =>
    given(workspaceCreated(), memberAdded(ada, "owner"))
      .when(new RegisterAgent({ agent: "bot", owner: ada, ...key }))
      .then(agentRegistered("bot", ada)))

  it("refuses an owner who is not a member", () =>
    given(workspaceCreated(), memberAdded(ada, "owner"))
      .when(new RegisterAgent({ agent: "bot", owner: "mallory@evil.dev", ...key }))
      .thenFails(MemberNotFound, { member: "mallory@evil.dev" }))

  it("refuses an owner who has been removed", () =>
    given(workspaceCreated(), memberAdded(ada, "owner"), memberRemoved(ada))
      .when(new RegisterAgent({ agent: "bot", owner: ada, ...key }))
      .thenFails(MemberNotFound, { member: ada }))

  it("refuses a name already registered", () =>
    given(workspaceCreated(), agentRegistered("bot"))
      .when(new RegisterAgent({ agent: "bot", ...key }))
      .thenFails(AgentAlreadyExists, { agent: "bot" }))

  it("refuses a suspended agent's name", () =>
    given(workspaceCreated(), agentRegistered("bot"), agentSuspended("bot"))
      .when(new RegisterAgent({ agent: "bot", ...key }))
      .thenFails(AgentAlreadyExists, { agent: "bot" }))

  it("never reuses a revoked agent's name", () =>
    given(workspaceCreated(), agentRegistered("bot"), agentRevoked("bot"))
      .when(new RegisterAgent({ agent: "bot", keyHash: "e".repeat(64), keyPrefix: "berth_zzzzzz" }))
      .thenFails(AgentAlreadyExists, { agent: "bot" }))

  it("treats names as case-sensitive", () =>
    given(workspaceCreated(), agentRegistered("bot")).when(new RegisterAgent({ agent: "Bot", ...key })).then(agentRegistered("Bot")))

  it("refuses before the workspace exists", () =>
    given().when(new RegisterAgent({ agent: "bot", ...key })).thenFails(WorkspaceNotFound, { workspace: "acme" }))
})

describe("SuspendAgent", () => {
  it("suspends an active agent", () =>
    given(workspaceCreated(), agentRegistered("bot")).when(new SuspendAgent({ agent: "bot" })).then(agentSuspended("bot")))

  it("records the reason when one is given", () =>
    given(workspaceCreated(), agentRegistered("bot"))
      .when(new SuspendAgent({ agent: "bot", reason: "leaked key" }))
      .then(agentSuspended("bot", "leaked key")))

  it("refuses an agent already suspended", () =>
    given(workspaceCreated(), agentRegistered("bot"), agentSuspended("bot"))
      .when(new SuspendAgent({ agent: "bot" }))
      .thenFails(AgentAlreadySuspended, { agent: "bot" }))

  it("refuses a revoked agent: revocation is final", () =>
    given(workspaceCreated(), agentRegistered("bot"), agentRevoked("bot"))
      .when(new SuspendAgent({ agent: "bot" }))
      .thenFails(AgentAlreadyRevoked, { agent: "bot" }))

  it("refuses an agent that was never registered", () =>
    given(workspaceCreated(), agentRegistered("bot"))
      .when(new SuspendAgent({ agent: "ghost" }))
      .thenFails(AgentNotFound, { agent: "ghost" }))

  it("refuses before the workspace exists", () =>
    given().when(new SuspendAgent({ agent: "bot" })).thenFails(WorkspaceNotFound, { workspace: "acme" }))
})

describe("RevokeAgent", () => {
  it("revokes an active agent", () =>
    given(workspaceCreated(), agentRegistered("bot")).when(new RevokeAgent({ agent: "bot" })).then(agentRevoked("bot")))

  it("revokes a suspended agent, with a reason", () =>
    given(workspaceCreated(), agentRegistered("bot"), agentSuspended("bot"))
      .when(new RevokeAgent({ agent: "bot", reason: "decommissioned" }))
      .then(agentRevoked("bot", "decommissioned")))

  it("refuses an agent already revoked", () =>
    given(workspaceCreated(), agentRegistered("bot"), agentRevoked("bot"))
      .when(new RevokeAgent({ agent: "bot" }))
      .thenFails(AgentAlreadyRevoked, { agent: "bot" }))

  it("refuses an agent that was never registered", () =>
    given(workspaceCreated()).when(new RevokeAgent({ agent: "ghost" })).thenFails(AgentNotFound, { agent: "ghost" }))

  it("refuses before the workspace exists", () =>
    given().when(new RevokeAgent({ agent: "bot" })).thenFails(WorkspaceNotFound, { workspace: "acme" }))
})

describe("agent command Schemas", () => {
  it("decode a well-formed registration", () => {
    const exit = decodeCommand({ _tag: "RegisterAgent", agent: "ci.bot-2", owner: ada, ...key })
    expect(Exit.isSuccess(exit) && exit.value).toEqual(new RegisterAgent({ agent: "ci.bot-2", owner: ada, ...key }))
  })

  it.each([
    ["no spaces", "a space"],
    ["-bot", "a leading dash"],
    ["bot.", "a trailing dot"],
    ["", "empty"],
    ["b".repeat(65), "65 characters"],
    ["bot/1", "a slash"]
  ])("refuse the agent name %j (%s), naming the field and the rule", (agent) => {
    const error = refusal({ _tag: "SuspendAgent", agent })
    expect(error.field).toBe("agent")
    expect(error.reason).toContain("agent name")
  })

  it("refuse a key hash that is not a sha256", () => {
    const error = refusal({ _tag: "RegisterAgent", agent: "bot", keyHash: "not-a-hash", keyPrefix: KEY_PREFIX })
    expect(error.field).toBe("keyHash")
    expect(error.reason).toContain("sha256")
  })

  it("refuse a field the command does not declare, naming it (a typo must not be dropped silently)", () => {
    const error = refusal({ _tag: "SuspendAgent", agent: "bot", reasn: "typo" })
    expect(error.field).toBe("reasn")
  })

  it("refuse an owner id with whitespace", () =>
    expect(refusal({ _tag: "RegisterAgent", agent: "bot", owner: "ada lovelace", ...key }).field).toBe("owner"))

  it("refuse a reason over 500 characters", () =>
    expect(refusal({ _tag: "RevokeAgent", agent: "bot", reason: "x".repeat(501) }).field).toBe("reason"))

  it("accept a reason of exactly 500 characters", () =>
    expect(Exit.isSuccess(decodeCommand({ _tag: "RevokeAgent", agent: "bot", reason: "x".repeat(500) }))).toBe(true))
})
