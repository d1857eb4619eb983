// `berth state [--at SEQ|ISO-TIME]`: the workspace's current state, or the state replayed from
// the log up to a seq or a time, as a summary or as the plane's JSON.
import { Effect, Option } from "effect"
import { Command, Flag } from "effect/cli"
import type { WorkspaceState } from "../../projections/state.ts"
import type { Projections } from "../fanout/status.ts"
import { call } from "./client.ts"
import { printJson, printLine } from "./output.ts"
import { printable } from "./printable.ts"
import { jsonOutput, targetWorkspace } from "./root.ts"

interface StateAnswer {
  readonly seq: number
  readonly hash: string
  /** Present when asked `--at`: the time of the last event replayed. */
  readonly at?: string | null
  readonly state: WorkspaceState
  /** Present for the current state: how far D1 and the archive trail the log. */
  readonly projections?: Projections
}

/** A bare integer is a seq; anything else goes to the plane as an ISO time, which it validates. */
const parsePoint = (at: string): number | string => (/^\d+$/.test(at) ? Number(at) : at)

/** One entry per line: names an upstream or an agent chose (a tool's, a client's) cannot forge another line. */
const section = (title: string, lines: ReadonlyArray<string>) =>
  [`${title} (${lines.length})`, ...lines.map((l) => `  ${printable(l)}`)].join("\n")

export const formatState = (answer: StateAnswer): string => {
  const { state } = answer
  const at = answer.at === undefined ? "" : `  as of ${answer.at ?? "the beginning"}`
  return [
    state.workspace ? `workspace ${state.workspace.slug} (created ${state.workspace.createdAt})` : "workspace not created yet",
    `seq ${answer.seq}  head ${answer.hash}${at}`,
    section(
      "members",
      Object.entries(state.members).map(([id, m]) => `${id}  ${m.role}`)
    ),
    section(
      "agents",
      Object.entries(state.agents).map(([id, a]) => `${id}  ${a.status}${a.owner ? `  owner ${a.owner}` : ""}`)
    ),
    section(
      "plugins",
      Object.entries(state.plugins).map(([id, p]) => `${id}  ${p.transport}  auth ${p.auth}  ${p.url}`)
    ),
    section(
      "tools",
      Object.entries(state.tools).map(([id, t]) => `${id}  ${t.status}`)
    ),
    section(
      "grants",
      Object.entries(state.grants).map(
        ([id, g]) => `${id}  ${g.credential} → ${g.plugin}${g.tools ? ` (${g.tools.join(", ")})` : ""} for ${g.agents ? g.agents.join(", ") : "every agent"}`
      )
    ),
    section(
      "policies",
      Object.entries(state.policies).map(([id, p]) => `${id}  sha256 ${p.sha256.slice(0, 12)}  set ${p.setAt}`)
    ),
    ...(answer.projections
      ? [
          section("projections", [
            `d1       lag ${answer.projections.d1.lag} (cursor ${answer.projections.d1.cursor})${answer.projections.d1.lastError ? `  failing: ${answer.projections.d1.lastError}` : ""}`,
            `archive  lag ${answer.projections.archive.lag} (sealed through ${answer.projections.archive.cursor}, ${answer.projections.archive.segments} segments)${answer.projections.archive.lastError ? `  ${answer.projections.archive.lastError}` : ""}`
          ])
        ]
      : [])
  ].join("\n")
}

export const state = Command.make(
  "state",
  {
    at: Flag.String("at").pipe(
      Flag.withDescription("Replay the log up to this seq, or up to this ISO-8601 time"),
      Flag.withMetavar("SEQ|ISO-TIME"),
      Flag.optional
    )
  },
  Effect.fn(function* ({ at }) {
    const workspace = yield* targetWorkspace
    const point = Option.match(at, { onNone: () => ({}), onSome: (at) => ({ at: parsePoint(at) }) })
    const answer = (yield* call({ _tag: "GetState", workspace, ...point })) as StateAnswer
    if (yield* jsonOutput) return yield* printJson(answer)
    yield* printLine(formatState(answer))
  })
).pipe(
  Command.withDescription("Summarize the workspace's state, now or at a point in history"),
  Command.withExamples([
    { command: "berth -w acme state", description: "The current state" },
    { command: "berth -w acme state --at 2026-11-25T14:00:00Z --json", description: "The state as of a time, as JSON" }
  ])
)
