// Spec for the policy commands: SetPolicy (stores the text with its sha256; the same text again records
// nothing) and RemovePolicy, and the Schemas that refuse empty or oversized policy text.
import { Exit } from "effect"
import { describe, expect, it } from "vitest"
import { RemovePolicy, SetPolicy } from "../../src/policy/commands.ts"
import { AgentNotFound } from "../../src/agent/errors.ts"
import { InvalidPolicy, PolicyNotFound, RateLimitNotFound } from "../../src/policy/errors.ts"
import { RemoveRateLimit, SetRateLimit } from "../../src/policy/rate-limit-commands.ts"
import { event } from "../../events/index.ts"
import { WorkspaceNotFound } from "../../src/workspace/errors.ts"
import { decodeCommand } from "../../src/workspace/execute.ts"
import { given, refusal } from "../workspace/decider-spec.ts"
import { agentRegistered, policyRemoved, policySet, workspaceCreated } from "../workspace/events.ts"

const permitAll = "permit(principal, action, resource);"
const forbidShell = 'forbid(principal, action == Action::"call_tool", resource == Tool::"shell__exec");'

/** sha256 through WebCrypto: independent of the @noble/hashes path the handler uses. */
const webSha256 = async (text: string) =>
  [...new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)))]
    .map((b) => b.toString(16).padStart(2, "0"))
    .join("")

describe("SetPolicy", () => {
  it("stores the text with its sha256", async () => {
    const sha256 = await webSha256(permitAll)
    given(workspaceCreated()).when(new SetPolicy({ policy: "base", text: permitAll })).then(policySet("base", permitAll, sha256))
  })

  it("refuses text that is not Cedar, with Cedar's message and where it is", () =>
    given(workspaceCreated())
      .when(new SetPolicy({ policy: "abc", text: "permit(principal, action, resource);\nabc" }))
      // Cedar points at the end of the input, where it expected the policy's `(`.
      .thenFails(InvalidPolicy, { policy: "abc", reason: "unexpected end of input (expected `(`)", line: 2, column: 4 }))

  it("refuses a policy the schema does not allow (an unknown action), naming it", () =>
    given(workspaceCreated())
      .when(new SetPolicy({ policy: "typo", text: 'permit(principal, action == Action::"cal_tool", resource);' }))
      .thenFails(InvalidPolicy, {
        policy: "typo",
        reason: 'for policy `typo`, unrecognized action `Action::"cal_tool"`; did you mean `Action::"call_tool"`?',
        line: 1,
        column: 29
      }))

  it("refuses a policy id another set already uses", () =>
    given(workspaceCreated(), policySet("guard", `${permitAll}\n${permitAll}`, "0".repeat(64)))
      .when(new SetPolicy({ policy: "guard.1", text: permitAll }))
      .thenFails(InvalidPolicy, { policy: "guard.1", reason: "policy id 'guard.1' is already used by another policy set" }))

  it("hashes non-ASCII text as UTF-8", async () => {
    const text = "// règle pour l'équipe 🚢\n" + permitAll
    given(workspaceCreated())
      .when(new SetPolicy({ policy: "intl", text }))
      .then(policySet("intl", text, await webSha256(text)))
  })

  it("records nothing when the same text is set again", async () =>
    given(workspaceCreated(), policySet("base", permitAll, await webSha256(permitAll)))
      .when(new SetPolicy({ policy: "base", text: permitAll }))
      .thenNothing())

  it("replaces a policy whose text changed", async () =>
    given(workspaceCreated(), policySet("base", permitAll, await webSha256(permitAll)))
      .when(new SetPolicy({ policy: "base", text: forbidShell }))
      .then(policySet("base", forbidShell, await webSha256(forbidShell))))

  it("treats a whitespace change as a change", async () => {
    const text = permitAll + "\n"
    given(workspaceCreated(), policySet("base", permitAll, await webSha256(permitAll)))
      .when(new SetPolicy({ policy: "base", text }))
      .then(policySet("base", text, await webSha256(text)))
  })

  it("stores the same text under another id", async () =>
    given(workspaceCreated(), policySet("base", permitAll, await webSha256(permitAll)))
      .when(new SetPolicy({ policy: "copy", text: permitAll }))
      .then(policySet("copy", permitAll, await webSha256(permitAll))))

  it("stores a policy again after it was removed", async () =>
    given(workspaceCreated(), policySet("base", permitAll, await webSha256(permitAll)), policyRemoved("base"))
      .when(new SetPolicy({ policy: "base", text: permitAll }))
      .then(policySet("base", permitAll, await webSha256(permitAll))))

  it("refuses before the workspace exists", () =>
    given().when(new SetPolicy({ policy: "base", text: permitAll })).thenFails(WorkspaceNotFound, { workspace: "acme" }))
})

describe("RemovePolicy", () => {
  it("removes a stored policy", async () =>
    given(workspaceCreated(), policySet("base", permitAll, await webSha256(permitAll)))
      .when(new RemovePolicy({ policy: "base" }))
      .then(policyRemoved("base")))

  it("refuses a policy that does not exist", () =>
    given(workspaceCreated()).when(new RemovePolicy({ policy: "base" })).thenFails(PolicyNotFound, { policy: "base" }))

  it("refuses a policy already removed", async () =>
    given(workspaceCreated(), policySet("base", permitAll, await webSha256(permitAll)), policyRemoved("base"))
      .when(new RemovePolicy({ policy: "base" }))
      .thenFails(PolicyNotFound, { policy: "base" }))

  it("refuses before the workspace exists", () =>
    given().when(new RemovePolicy({ policy: "base" })).thenFails(WorkspaceNotFound, { workspace: "acme" }))
})

describe("policy command Schemas", () => {
  it("decode a well-formed policy", () => {
    const exit = decodeCommand({ _tag: "SetPolicy", policy: "base", text: permitAll })
    expect(Exit.isSuccess(exit) && exit.value).toEqual(new SetPolicy({ policy: "base", text: permitAll }))
  })

  it.each([[""], ["   \n\t"]])("refuse empty policy text %j", (text) => {
    const error = refusal({ _tag: "SetPolicy", policy: "base", text })
    expect(error.field).toBe("text")
    expect(error.reason).toContain("empty")
  })

  it("refuse policy text over 256 KiB", () => {
    const error = refusal({ _tag: "SetPolicy", policy: "base", text: "x".repeat(256 * 1024 + 1) })
    expect(error.field).toBe("text")
    expect(error.reason).toContain("256 KiB")
  })

  it("count the 256 KiB in UTF-8 bytes, not characters", () => {
    const accented = "é".repeat(128 * 1024 + 1) // 131,073 characters, 262,146 bytes
    expect(refusal({ _tag: "SetPolicy", policy: "base", text: accented }).reason).toContain("256 KiB")
  })

  it("refuse a policy id with a space", () => {
    const error = refusal({ _tag: "RemovePolicy", policy: "base policy" })
    expect(error.field).toBe("policy")
    expect(error.reason).toContain("policy id")
  })
})

describe("SetRateLimit / RemoveRateLimit", () => {
  const limitSet = (target: string, perMinute: number) => event("RateLimitSet", { scope: "agent", target, perMinute })

  it("sets an agent's limit, records nothing when it is unchanged, and removes it", () => {
    given(workspaceCreated(), agentRegistered("bot"))
      .when(new SetRateLimit({ scope: "agent", target: "bot", perMinute: 30 }))
      .then(limitSet("bot", 30))
    given(workspaceCreated(), agentRegistered("bot"), limitSet("bot", 30))
      .when(new SetRateLimit({ scope: "agent", target: "bot", perMinute: 30 }))
      .thenNothing()
    given(workspaceCreated(), agentRegistered("bot"), limitSet("bot", 30))
      .when(new RemoveRateLimit({ scope: "agent", target: "bot" }))
      .then(event("RateLimitRemoved", { scope: "agent", target: "bot" }))
  })

  it("refuses an unknown target, and removing a limit that does not exist", () => {
    given(workspaceCreated()).when(new SetRateLimit({ scope: "agent", target: "ghost", perMinute: 5 })).thenFails(AgentNotFound, { agent: "ghost" })
    given(workspaceCreated()).when(new RemoveRateLimit({ scope: "workspace" })).thenFails(RateLimitNotFound, { limit: "workspace" })
  })
})
