// The workspace's bot allowlist: which clients may dock. A rule matches a client id URL exactly
// (an OAuth client's metadata document) or, as a pattern with `*`, a client's name (its
// `clientInfo.name`, or an OAuth client's `client_name`). See src/bots/allowlist.ts for the order.
import { Schema } from "effect"
import { defineEvent } from "./define.ts"
import { AgentName, MemberId } from "./names.ts"

/** A client id URL (`https://…`) or a name pattern (`*` matches any run of characters), 1–200 characters. */
export const BotMatch = Schema.String.check(
  Schema.isPattern(/^\S(?:[^\n\r\t]{0,198}\S)?$/, {
    message: "a bot rule is a client id URL or a client name pattern: 1-200 characters, no tabs or line breaks, no leading or trailing space"
  })
)
export const BotEffect = Schema.Literals(["allow", "deny"])

export const BotRuleSet = defineEvent("BotRuleSet", { match: BotMatch, effect: BotEffect })
export const BotRuleRemoved = defineEvent("BotRuleRemoved", { match: BotMatch })

/** A client the allowlist excludes was refused: at the consent page, or at the MCP endpoint. */
export const ClientRefused = defineEvent("ClientRefused", {
  at: Schema.Literals(["consent", "mcp"]),
  clientName: Schema.String,
  clientVersion: Schema.optional(Schema.String),
  clientId: Schema.optional(Schema.String),
  /** The agent whose key or token came with it (at the MCP endpoint). */
  agent: Schema.optional(AgentName),
  /** The member who was asked (at the consent page). */
  member: Schema.optional(MemberId),
  /** The rule that excluded it, or absent when no allow rule matched. */
  rule: Schema.optional(Schema.String)
})

export const BotEvents = [BotRuleSet, BotRuleRemoved, ClientRefused] as const
export type BotEvent = Schema.Schema.Type<(typeof BotEvents)[number]>
