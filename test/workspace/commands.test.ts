// Spec for the workspace commands: CreateWorkspace, AddMember, ChangeMemberRole and RemoveMember,
// including the LastOwner rule, and the Schemas that refuse malformed input before decide runs.
import { Exit } from "effect"
import { describe, expect, it } from "vitest"
import { AddMember, ChangeMemberRole, CreateWorkspace, RemoveMember, SetPayloadCapture, SetRetention } from "../../src/workspace/commands.ts"
import {
  InvalidCommand,
  LastOwner,
  MemberAlreadyExists,
  MemberNotFound,
  WorkspaceAlreadyExists,
  WorkspaceNotFound
} from "../../src/workspace/errors.ts"
import { decodeCommand } from "../../src/workspace/execute.ts"
import { given, refusal } from "./decider-spec.ts"
import { memberAdded, memberRemoved, memberRoleChanged, payloadCaptureSet, retentionSet, workspaceCreated } from "./events.ts"

const ada = "ada@acme.dev"
const bob = "bob@acme.dev"

describe("CreateWorkspace", () => {
  it("creates the workspace it names", () =>
    given().when(new CreateWorkspace({ workspace: "acme" })).then(workspaceCreated("acme")))

  it("refuses to create a workspace under another workspace's name", () =>
    given()
      .when(new CreateWorkspace({ workspace: "other" }))
      .thenFails(InvalidCommand, { field: "workspace", reason: "this workspace is 'acme', not 'other'" }))

  it("refuses a workspace that already exists, naming it", () =>
    given(workspaceCreated("acme"))
      .when(new CreateWorkspace({ workspace: "acme" }))
      .thenFails(WorkspaceAlreadyExists, { workspace: "acme" }))

  it("with an owner, adds them as its owner in the same append", () =>
    given().when(new CreateWorkspace({ workspace: "acme", owner: ada })).then(workspaceCreated("acme"), memberAdded(ada, "owner")))

  it("refuses an owner id with a space, naming the field", () => {
    const error = refusal({ _tag: "CreateWorkspace", workspace: "acme", owner: "ada lovelace" })
    expect(error.field).toBe("owner")
    expect(error.reason).toContain("member id")
  })
})

describe("SetPayloadCapture", () => {
  it("turns capture on", () =>
    given(workspaceCreated()).when(new SetPayloadCapture({ enabled: true })).then(payloadCaptureSet(true)))

  it("records nothing when capture is already in that mode (off by default)", () => {
    given(workspaceCreated()).when(new SetPayloadCapture({ enabled: false })).thenNothing()
    given(workspaceCreated(), payloadCaptureSet(true)).when(new SetPayloadCapture({ enabled: true })).thenNothing()
  })

  it("turns capture off again", () =>
    given(workspaceCreated(), payloadCaptureSet(true)).when(new SetPayloadCapture({ enabled: false })).then(payloadCaptureSet(false)))

  it("refuses before the workspace exists", () =>
    given().when(new SetPayloadCapture({ enabled: true })).thenFails(WorkspaceNotFound, { workspace: "acme" }))
})

describe("SetRetention", () => {
  it("sets how many days sealed rows stay, and turns it off again", () => {
    given(workspaceCreated()).when(new SetRetention({ keepDays: 30 })).then(retentionSet(30))
    given(workspaceCreated(), retentionSet(30)).when(new SetRetention({ keepDays: 7 })).then(retentionSet(7))
    given(workspaceCreated(), retentionSet(30)).when(new SetRetention({})).then(retentionSet())
  })

  it("records nothing when the setting is unchanged (off by default)", () => {
    given(workspaceCreated()).when(new SetRetention({})).thenNothing()
    given(workspaceCreated(), retentionSet(0)).when(new SetRetention({ keepDays: 0 })).thenNothing()
  })

  it("refuses before the workspace exists", () =>
    given().when(new SetRetention({ keepDays: 1 })).thenFails(WorkspaceNotFound, { workspace: "acme" }))
})

describe("AddMember", () => {
  it("adds a member with a role", () =>
    given(workspaceCreated()).when(new AddMember({ member: ada, role: "owner" })).then(memberAdded(ada, "owner")))

  it("adds a second member beside the first", () =>
    given(workspaceCreated(), memberAdded(ada, "owner"))
      .when(new AddMember({ member: bob, role: "viewer" }))
      .then(memberAdded(bob, "viewer")))

  it("refuses a member who is already in the workspace, whatever the role", () =>
    given(workspaceCreated(), memberAdded(ada, "viewer"))
      .when(new AddMember({ member: ada, role: "owner" }))
      .thenFails(MemberAlreadyExists, { member: ada }))

  it("adds back a member who was removed", () =>
    given(workspaceCreated(), memberAdded(ada, "owner"), memberAdded(bob, "admin"), memberRemoved(bob))
      .when(new AddMember({ member: bob, role: "viewer" }))
      .then(memberAdded(bob, "viewer")))

  it("refuses before the workspace exists", () =>
    given().when(new AddMember({ member: ada, role: "owner" })).thenFails(WorkspaceNotFound, { workspace: "acme" }))
})

describe("ChangeMemberRole", () => {
  it("changes a member's role", () =>
    given(workspaceCreated(), memberAdded(ada, "owner"), memberAdded(bob, "viewer"))
      .when(new ChangeMemberRole({ member: bob, role: "admin" }))
      .then(memberRoleChanged(bob, "admin")))

  it("records nothing when the role is already the one asked for", () =>
    given(workspaceCreated(), memberAdded(ada, "owner"), memberAdded(bob, "admin"))
      .when(new ChangeMemberRole({ member: bob, role: "admin" }))
      .thenNothing())

  it("records nothing when the last owner is 'changed' to owner", () =>
    given(workspaceCreated(), memberAdded(ada, "owner"))
      .when(new ChangeMemberRole({ member: ada, role: "owner" }))
      .thenNothing())

  it("refuses to demote the last owner", () =>
    given(workspaceCreated(), memberAdded(ada, "owner"), memberAdded(bob, "admin"))
      .when(new ChangeMemberRole({ member: ada, role: "admin" }))
      .thenFails(LastOwner, { member: ada }))

  it("refuses to demote the last owner even when they are the only member", () =>
    given(workspaceCreated(), memberAdded(ada, "owner"))
      .when(new ChangeMemberRole({ member: ada, role: "viewer" }))
      .thenFails(LastOwner, { member: ada }))

  it("demotes an owner while another owner remains", () =>
    given(workspaceCreated(), memberAdded(ada, "owner"), memberAdded(bob, "owner"))
      .when(new ChangeMemberRole({ member: ada, role: "viewer" }))
      .then(memberRoleChanged(ada, "viewer")))

  it("counts owners made by a role change", () =>
    given(workspaceCreated(), memberAdded(ada, "owner"), memberAdded(bob, "viewer"), memberRoleChanged(bob, "owner"))
      .when(new ChangeMemberRole({ member: ada, role: "admin" }))
      .then(memberRoleChanged(ada, "admin")))

  it("refuses a member who is not in the workspace", () =>
    given(workspaceCreated(), memberAdded(ada, "owner"))
      .when(new ChangeMemberRole({ member: bob, role: "admin" }))
      .thenFails(MemberNotFound, { member: bob }))

  it("refuses a member who was removed", () =>
    given(workspaceCreated(), memberAdded(ada, "owner"), memberAdded(bob, "admin"), memberRemoved(bob))
      .when(new ChangeMemberRole({ member: bob, role: "owner" }))
      .thenFails(MemberNotFound, { member: bob }))

  it("refuses before the workspace exists", () =>
    given().when(new ChangeMemberRole({ member: ada, role: "owner" })).thenFails(WorkspaceNotFound, { workspace: "acme" }))
})

describe("RemoveMember", () => {
  it("removes a member", () =>
    given(workspaceCreated(), memberAdded(ada, "owner"), memberAdded(bob, "viewer"))
      .when(new RemoveMember({ member: bob }))
      .then(memberRemoved(bob)))

  it("refuses to remove the last owner while other members remain", () =>
    given(workspaceCreated(), memberAdded(ada, "owner"), memberAdded(bob, "admin"))
      .when(new RemoveMember({ member: ada }))
      .thenFails(LastOwner, { member: ada }))

  it("removes the last owner when they are the last member (no members, so no owner is needed)", () =>
    given(workspaceCreated(), memberAdded(ada, "owner")).when(new RemoveMember({ member: ada })).then(memberRemoved(ada)))

  it("removes an owner while another owner remains", () =>
    given(workspaceCreated(), memberAdded(ada, "owner"), memberAdded(bob, "owner"))
      .when(new RemoveMember({ member: ada }))
      .then(memberRemoved(ada)))

  it("refuses once the other owner has been demoted", () =>
    given(workspaceCreated(), memberAdded(ada, "owner"), memberAdded(bob, "owner"), memberRoleChanged(bob, "viewer"))
      .when(new RemoveMember({ member: ada }))
      .thenFails(LastOwner, { member: ada }))

  it("refuses a member who is not in the workspace", () =>
    given(workspaceCreated(), memberAdded(ada, "owner"))
      .when(new RemoveMember({ member: bob }))
      .thenFails(MemberNotFound, { member: bob }))

  it("refuses a member already removed", () =>
    given(workspaceCreated(), memberAdded(ada, "owner"), memberAdded(bob, "admin"), memberRemoved(bob))
      .when(new RemoveMember({ member: bob }))
      .thenFails(MemberNotFound, { member: bob }))

  it("refuses before the workspace exists", () =>
    given().when(new RemoveMember({ member: ada })).thenFails(WorkspaceNotFound, { workspace: "acme" }))
})

describe("workspace command Schemas", () => {
  it("decode well-formed input into the command class", () => {
    const exit = decodeCommand({ _tag: "AddMember", member: ada, role: "viewer" })
    expect(Exit.isSuccess(exit) && exit.value).toEqual(new AddMember({ member: ada, role: "viewer" }))
  })

  it.each([
    ["Bad_Slug", "uppercase and underscore"],
    ["-acme", "a leading dash"],
    ["acme-", "a trailing dash"],
    ["", "empty"],
    ["a".repeat(64), "64 characters"]
  ])("refuse the workspace slug %j (%s), naming the field", (workspace) => {
    const error = refusal({ _tag: "CreateWorkspace", workspace })
    expect(error.field).toBe("workspace")
    expect(error.reason).toContain("workspace slug")
    expect(error.message).toContain("workspace")
  })

  it("accept a 63-character slug", () =>
    expect(Exit.isSuccess(decodeCommand({ _tag: "CreateWorkspace", workspace: "a".repeat(63) }))).toBe(true))

  it("refuse a member id with a space", () => {
    const error = refusal({ _tag: "AddMember", member: "ada lovelace", role: "owner" })
    expect(error.field).toBe("member")
    expect(error.reason).toContain("member id")
  })

  it("refuse a role outside owner/admin/viewer", () =>
    expect(refusal({ _tag: "ChangeMemberRole", member: ada, role: "root" }).field).toBe("role"))

  it("refuse a missing field, naming it", () => expect(refusal({ _tag: "RemoveMember" }).field).toBe("member"))

  it.each([["DropWorkspace"], [42], [undefined]])("refuse the unknown command tag %j, listing the known ones", (_tag) => {
    const error = refusal({ _tag, workspace: "acme" })
    expect(error.field).toBe("_tag")
    expect(error.reason).toContain("CreateWorkspace")
    expect(error.reason).toContain("RemovePolicy")
  })

  it("refuse input that is not an object", () => {
    expect(refusal(null).field).toBe("_tag")
    expect(refusal("CreateWorkspace").field).toBe("_tag")
  })
})
