// Which credential a call carries: the grants, read from the state. Pure, so the tool-call pipeline
// resolves a credential synchronously and only the vault's decryption is async. The most specific
// grant wins: agent and tool, then tool, then agent, then plugin; at equal specificity a member's own
// credential before the team's, then the latest grant.
import canonicalize from "canonicalize"
import type { WorkspaceState } from "../../projections/state.ts"
import { sha256Hex } from "../workspace/sha256-hex.ts"

export interface GrantScope {
  readonly credential: string
  readonly plugin: string
  readonly tools?: ReadonlyArray<string> | undefined
  readonly agents?: ReadonlyArray<string> | undefined
}

/** A grant's id: the same credential, plugin, tools and agents always name the same grant. */
export const grantId = ({ credential, plugin, tools, agents }: GrantScope): string =>
  `g_${sha256Hex(canonicalize({ credential, plugin, tools: tools && [...tools].sort(), agents: agents && [...agents].sort() })!).slice(0, 12)}`

/** The credential a call or a discovery carries: enough to pick a pooled client and build its headers. */
export interface ChosenCredential {
  readonly credential: string
  readonly plugin: string
  /** expired: an OAuth credential whose refresh was refused; the call is refused with how to reconnect. */
  readonly status: "active" | "expired"
  readonly fingerprint: string
  readonly kind: "bearer" | "header" | "oauth"
  readonly header?: string | undefined
  readonly grant: string
}

/** Active and, for a static credential, not past its expiry (an OAuth credential's session refreshes its token). */
const usable = (state: WorkspaceState, credential: string, now: number) => {
  const c = state.credentials[credential]
  return c && c.status === "active" && (c.kind === "oauth" || c.expiresAt === undefined || Date.parse(c.expiresAt) > now) ? c : undefined
}
/** Expired OAuth credentials count too: a call they would carry is refused with how to reconnect. */
const usableOrExpired = (state: WorkspaceState, credential: string, now: number) => {
  const c = state.credentials[credential]
  return c?.status === "expired" ? c : usable(state, credential, now)
}

const chosen = (state: WorkspaceState, grant: string, credential: string): ChosenCredential => {
  const c = state.credentials[credential]!
  return { credential, plugin: c.plugin, status: c.status === "expired" ? "expired" : "active", fingerprint: c.fingerprint, kind: c.kind, header: c.header, grant }
}

/**
 * The credential granted for `agent` calling `tool` of `plugin`, if any. An expired OAuth credential
 * is chosen as any other, so the call can be refused with how to reconnect it (`status` says so).
 */
export const credentialForCall = (state: WorkspaceState, plugin: string, tool: string, agent: string, now = Date.now()) => {
  const owner = state.agents[agent]?.owner
  let best: { score: number; at: string; id: string; credential: string } | undefined
  for (const [id, g] of Object.entries(state.grants)) {
    if (g.plugin !== plugin) continue
    if (g.tools !== undefined && !g.tools.includes(tool)) continue
    if (g.agents !== undefined && !g.agents.includes(agent)) continue
    const c = usableOrExpired(state, g.credential, now)
    if (!c || (c.owner === "member" && (owner === undefined || c.member !== owner))) continue
    const score = (g.tools ? 4 : 0) + (g.agents ? 2 : 0) + (c.owner === "member" ? 1 : 0)
    if (!best || score > best.score || (score === best.score && g.grantedAt > best.at))
      best = { score, at: g.grantedAt, id, credential: g.credential }
  }
  return best && chosen(state, best.id, best.credential)
}

/** Discovery (install and refresh) carries the plugin's team grant: the team's credential, for every tool and agent. */
export const credentialForDiscovery = (state: WorkspaceState, plugin: string, now = Date.now()) => {
  let best: { at: string; id: string; credential: string } | undefined
  for (const [id, g] of Object.entries(state.grants)) {
    if (g.plugin !== plugin || g.tools !== undefined || g.agents !== undefined) continue
    if (usable(state, g.credential, now)?.owner !== "team") continue
    if (!best || g.grantedAt > best.at) best = { at: g.grantedAt, id, credential: g.credential }
  }
  return best && chosen(state, best.id, best.credential)
}

/** A plugin installed with `--auth` other than `none` needs a credential on every call. */
export const needsCredential = (state: WorkspaceState, plugin: string) => (state.plugins[plugin]?.auth ?? "none") !== "none"

/** The headers a credential's value travels in. */
export const headersFor = (credential: ChosenCredential, value: string): Record<string, string> =>
  credential.kind === "header" && credential.header !== undefined ? { [credential.header]: value } : { authorization: `Bearer ${value}` }
