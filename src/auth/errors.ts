// The refusal of an admin request because of who sent it: the caller is known, but lacks the role.
import { Schema } from "effect"
import { MemberRole } from "../../events/index.ts"

/** What an action needs: a member role in the workspace, or "plane" (the admin token or the service binding alone). */
export const Needed = Schema.Literals(["viewer", "admin", "owner", "plane"])
export type Needed = typeof Needed.Type

const a = (role: string) => `${role === "viewer" ? "a" : "an"} ${role}`

/**
 * A member asked for an action their role does not allow. Nothing was appended, and a replayed
 * idempotency key is refused the same way, so the first result stays unseen.
 */
export class Forbidden extends Schema.TaggedError<Forbidden>()("Forbidden", {
  /** The command or query tag. */
  action: Schema.String,
  needs: Needed,
  member: Schema.String,
  /** The member's role in `workspace` when they asked; null when they are not a member of it. */
  role: Schema.NullOr(MemberRole),
  workspace: Schema.optional(Schema.String)
}) {
  override get message() {
    if (this.needs === "plane") return `${this.action} is plane-wide: it needs the admin token, not a member (${this.member})`
    const who =
      this.role === null
        ? `'${this.member}' is not a member of workspace '${this.workspace}'`
        : `member '${this.member}' is ${a(this.role)} of workspace '${this.workspace}'`
    return `${who}; ${this.action} needs ${a(this.needs)}`
  }
}
