// The bot allowlist: which clients may dock in a workspace. A rule is a client id URL, matched
// exactly, or a name pattern, matched against the client's name (`clientInfo.name` at the MCP
// endpoint, `client_name` at the consent page), case-insensitively, `*` standing for any run of
// characters. A deny rule that matches always wins. Then, if any allow rule exists, the client must
// match one; with none, every client may dock (a workspace starts open).
import type { WorkspaceState } from "../../projections/state.ts"
import { lastArgumentQuoted } from "../admin/shell-word.ts"

export interface Client {
  readonly name: string
  readonly clientId?: string | undefined
}

export type Verdict = { readonly admitted: true } | { readonly admitted: false; readonly rule?: string }

export const isClientIdRule = (match: string) => /^https?:\/\//i.test(match)

const patterns = new Map<string, RegExp>()

const nameMatches = (pattern: string, name: string): boolean => {
  let re = patterns.get(pattern)
  if (!re) {
    re = new RegExp(`^${pattern.split("*").map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`, "is")
    if (patterns.size > 1000) patterns.clear()
    patterns.set(pattern, re)
  }
  return re.test(name)
}

export const ruleMatches = (match: string, client: Client): boolean =>
  isClientIdRule(match) ? client.clientId === match : nameMatches(match, client.name)

export const admits = (rules: WorkspaceState["botRules"], client: Client): Verdict => {
  let anyAllow = false
  let allowed = false
  for (const [match, { effect }] of Object.entries(rules)) {
    const hit = ruleMatches(match, client)
    if (effect === "deny" && hit) return { admitted: false, rule: match }
    if (effect === "allow") {
      anyAllow = true
      allowed ||= hit
    }
  }
  return anyAllow && !allowed ? { admitted: false } : { admitted: true }
}

/** The command an admin would run to let this client dock (the refusals quote it). */
export const allowCommand = (workspace: string, client: Client, verdict: Verdict): string =>
  verdict.admitted === false && verdict.rule !== undefined
    ? `berth -w ${workspace} bot remove ${lastArgumentQuoted(verdict.rule)}`
    : `berth -w ${workspace} bot allow ${lastArgumentQuoted(client.clientId !== undefined && isClientIdRule(client.clientId) ? client.clientId : client.name)}`
