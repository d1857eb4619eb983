// `berth member add|list|remove|role`: the humans of a workspace and their roles.
import { Effect } from "effect"
import { Argument, Command, Flag } from "effect/cli"
import { call } from "./client.ts"
import { mutate, mutationFlags } from "./mutation.ts"
import { printJson, printTable } from "./output.ts"
import { jsonOutput, targetWorkspace } from "./root.ts"

const ROLES = ["owner", "admin", "viewer"] as const
const memberId = Argument.String("member").pipe(Argument.withDescription("Member id (e.g. an email)"))
const role = Flag.Literals("role", ROLES).pipe(Flag.withDescription("owner, admin or viewer"))

const add = Command.make(
  "add",
  { member: memberId, role, ...mutationFlags },
  Effect.fn(function* ({ member, role, ...options }) {
    yield* mutate("AddMember", { member, role }, options, `added ${member} as ${role}`)
  })
).pipe(
  Command.withDescription("Add a member with a role"),
  Command.withExamples([{ command: "berth -w acme member add ana@acme.dev --role owner", description: "Add the first owner" }])
)

const changeRole = Command.make(
  "role",
  { member: memberId, role, ...mutationFlags },
  Effect.fn(function* ({ member, role, ...options }) {
    yield* mutate("ChangeMemberRole", { member, role }, options, `${member} is now ${role}`)
  })
).pipe(Command.withDescription("Change a member's role (the last owner cannot be demoted)"))

const remove = Command.make(
  "remove",
  { member: memberId, ...mutationFlags },
  Effect.fn(function* ({ member, ...options }) {
    yield* mutate("RemoveMember", { member }, options, `removed ${member}`)
  })
).pipe(Command.withDescription("Remove a member (the last owner stays while others remain)"))

interface MemberList {
  readonly members: ReadonlyArray<{ readonly member: string; readonly role: string; readonly addedAt: string }>
}

const list = Command.make(
  "list",
  {},
  Effect.fn(function* () {
    const result = (yield* call({ _tag: "ListMembers", workspace: yield* targetWorkspace })) as MemberList
    if (yield* jsonOutput) return yield* printJson(result)
    yield* printTable(
      ["MEMBER", "ROLE", "ADDED"],
      result.members.map((m) => [m.member, m.role, m.addedAt]),
      "no members"
    )
  })
).pipe(Command.withDescription("List members and their roles"))

export const member = Command.make("member").pipe(
  Command.withDescription("Manage the workspace's members"),
  Command.withSubcommands([add, list, remove, changeRole])
)
