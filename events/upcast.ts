// Upcasters turn an older shape of an event's data into the current one, so the log is never
// rewritten. An event type's current version is 1 + the number of upcasters registered for it.
// Register a change as `upcasters.PluginInstalled = [(v1) => v2]`, and add a test for it.
import type { EventType } from "./index.ts"

type Upcaster = (data: any) => unknown

/** A v1 grant was one agent and at most one tool (`{plugin}__{tool}`); its id is the key v1 state used. */
type GrantV1 = { credential: string; agent: string; tool?: string }
const grantIdV1 = ({ credential, agent, tool }: GrantV1) => `${credential}:${agent}:${tool ?? "*"}`
const toolV1 = (tool: string) => ({ plugin: tool.slice(0, tool.indexOf("__")), tools: [tool.slice(tool.indexOf("__") + 2)] })

export const upcasters: Partial<Record<EventType, ReadonlyArray<Upcaster>>> = {
  // v1 → v2: agents docked only with keys before OAuth.
  AgentRegistered: [(v1) => ({ ...v1, via: "key" })],
  // v1 → v2: the vault. The name is the vault id (no `ref`); v1 credentials were the team's.
  CredentialConnected: [({ ref: _ref, ...v1 }) => ({ ...v1, owner: "team", scopes: [] })],
  // v1 → v2: grants name a plugin, tools and agents, and have an id.
  CredentialGranted: [
    (v1: GrantV1) => ({ grant: grantIdV1(v1), credential: v1.credential, ...(v1.tool === undefined ? {} : toolV1(v1.tool)), agents: [v1.agent] })
  ],
  CredentialGrantRevoked: [(v1: GrantV1) => ({ grant: grantIdV1(v1), credential: v1.credential })]
}

export const currentVersion = (type: EventType): number => 1 + (upcasters[type]?.length ?? 0)

/** Brings `data` stored at version `v` up to the current version of `type`. */
export const upcast = (type: EventType, v: number, data: unknown): unknown => {
  const steps = upcasters[type] ?? []
  let out = data
  for (let i = v - 1; i < steps.length; i++) out = steps[i]!(out)
  return out
}
