// Identifier schemas shared by events and commands, so a name is validated once, with a rule
// that an error message can quote.
import { Schema } from "effect"

const slugRule = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/

/** A workspace slug: lowercase letters, digits and dashes, 1–63 characters (a DNS label). */
export const WorkspaceSlug = Schema.String.check(
  Schema.isPattern(slugRule, { message: "a workspace slug is 1-63 lowercase letters, digits or dashes, not starting or ending with a dash" })
)

/** Agent, plugin, member and policy names: they appear in Cedar ids and in `{plugin}__{tool}`. */
const nameRule = /^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,62}[A-Za-z0-9])?$/
const name = (what: string) =>
  Schema.String.check(
    Schema.isPattern(nameRule, { message: `${what} is 1-64 letters, digits, '.', '_' or '-', starting and ending with a letter or digit` })
  )

export const AgentName = name("an agent name")
export const PolicyId = name("a policy id")
/** A credential's name, also its id in the vault. */
export const CredentialName = name("a credential name")
/** Plugin names may not contain "__": that separator joins plugin and tool in `{plugin}__{tool}`. */
export const PluginName = name("a plugin name").check(
  Schema.makeFilter((s: string) => !s.includes("__") || "a plugin name may not contain '__'")
)
/** A member is named by an email-like id or a plain handle. */
export const MemberId = Schema.String.check(
  Schema.isPattern(/^[^\s]{1,254}$/, { message: "a member id is 1-254 characters without spaces" })
)
export const MemberRole = Schema.Literals(["owner", "admin", "viewer"])

/** `{plugin}__{tool}`: the name an agent sees. */
export const ToolId = Schema.String.check(
  Schema.isPattern(/^[^\s]+__[^\s]+$/, { message: "a tool id is '{plugin}__{tool}'" })
)

export const Sha256Hex = Schema.String.check(
  Schema.isPattern(/^[0-9a-f]{64}$/, { message: "a sha256 is 64 lowercase hex digits" })
)
