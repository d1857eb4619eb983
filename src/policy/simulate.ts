// `policy simulate`: replays recorded tool calls against a proposed policy set and reports which would
// flip (allow → deny, deny → allow). Only policy decisions can flip: a call refused by a hard guard
// (suspended agent, quarantined tool, rate limit, bad arguments) stays refused. A call recorded
// without payload capture has no arguments, so it is judged on principal, action and resource only,
// and is "undetermined" when the proposal's answer depends on the arguments.
import type { Envelope } from "../../events/index.ts"
import type { WorkspaceState } from "../../projections/state.ts"
import type { PolicyEngine } from "./engine.ts"
import { type RefusedProposal, withProposal } from "./proposal.ts"

export interface Simulation {
  readonly text: string
  readonly as?: string | undefined
  /** Only the last N recorded calls. */
  readonly last?: number | undefined
  /** Only calls recorded at or after this time. */
  readonly since?: string | undefined
}

export interface RecordedCall {
  readonly run: string
  readonly at: string
  readonly agent: string
  readonly tool: string
  readonly args?: unknown
  /** What the authorize step decided then: its decision and rule (`policy` or a hard guard). */
  readonly decision: "allow" | "deny"
  readonly rule: string
}

export interface Flip {
  readonly run: string
  readonly at: string
  readonly agent: string
  readonly tool: string
  readonly policies: ReadonlyArray<string>
  readonly reason?: string | undefined
}

export type SimulationOutcome =
  | {
      readonly ok: true
      readonly judged: number
      readonly withoutArgs: number
      readonly undetermined: number
      readonly allowToDeny: ReadonlyArray<Flip>
      readonly denyToAllow: ReadonlyArray<Flip>
    }
  | RefusedProposal

/** The calls in the log, with what their authorize span decided. */
export const recordedCalls = (events: Iterable<Envelope>): Array<RecordedCall> => {
  const started = new Map<string, { at: string; agent: string; tool: string; args?: unknown }>()
  const calls: Array<RecordedCall> = []
  for (const e of events) {
    const data = e.data as any
    if (e.type === "RunStarted") started.set(data.run, { at: e.at, agent: data.agent, tool: data.tool, ...(data.args === undefined ? {} : { args: data.args }) })
    if (e.type === "SpanRecorded" && data.span.name === "authorize") {
      const call = started.get(data.run)
      const decision = data.span.attributes["berth.decision"]
      if (call && (decision === "allow" || decision === "deny"))
        calls.push({ run: data.run, ...call, decision, rule: String(data.span.attributes["berth.rule"]) })
    }
  }
  return calls
}

export const simulate = (state: WorkspaceState, engine: PolicyEngine, calls: ReadonlyArray<RecordedCall>, sim: Simulation): SimulationOutcome => {
  const proposed = withProposal(state.policies, sim.text, sim.as)
  if (!proposed.ok) return proposed
  const policies = proposed.policies
  engine.sync(policies)
  const selected = calls.filter((c) => sim.since === undefined || c.at >= sim.since).slice(sim.last === undefined ? 0 : -sim.last)
  const allowToDeny: Array<Flip> = []
  const denyToAllow: Array<Flip> = []
  let withoutArgs = 0
  let undetermined = 0
  for (const call of selected) {
    // Hard guards decided these; no policy can change them.
    if (call.decision === "deny" && call.rule !== "policy") continue
    const tool = state.tools[call.tool]
    const [plugin, name] = tool ? [tool.plugin, tool.name] : call.tool.split("__", 2)
    const agentState = state.agents[call.agent]
    const agent = { name: call.agent, owner: agentState?.owner, status: "active" }
    const facts = { plugin: plugin ?? call.tool, name: name ?? call.tool, approved: true }
    let allowed: boolean
    let decided: { policies: ReadonlyArray<string>; reason?: string | undefined }
    if (call.args === undefined) {
      withoutArgs++
      // Judged on principal, action and resource: it flips only if no arguments could change that.
      const could = engine.couldCall(agent, facts)
      const always = engine.authorize({ agent, action: "call_tool", tool: facts, args: {}, time: call.at })
      if (could && always.decision === "deny") {
        undetermined++
        continue
      }
      allowed = could
      decided = always
    } else {
      const d = engine.authorize({ agent, action: "call_tool", tool: facts, args: call.args, time: call.at })
      allowed = d.decision === "allow"
      decided = d
    }
    const flip = { run: call.run, at: call.at, agent: call.agent, tool: call.tool, policies: decided.policies, reason: decided.reason }
    if (call.decision === "allow" && !allowed) allowToDeny.push(flip)
    if (call.decision === "deny" && allowed) denyToAllow.push(flip)
  }
  return { ok: true, judged: selected.length, withoutArgs, undetermined, allowToDeny, denyToAllow }
}
