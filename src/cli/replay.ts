// `berth replay --at SEQ|TIME`: the workspace's state at a moment, rebuilt by replaying the log:
// plugins, tools, agents, grants and policies in force, and memory as it stood. With --from-archive
// the replay runs here, in the CLI, over the checked R2 archive, so the answer does not rest on the
// plane's word.
import { Effect, Option } from "effect"
import { Command, Flag } from "effect/cli"
import type { WorkspaceState } from "../../projections/state.ts"
import { replayArchive } from "../../projections/archive/replay.ts"
import { archiveDirFlag, fromArchive, openArchive, parsePoint, publicKeyFlag, trustedKey } from "./audit.ts"
import { archiveSource } from "./archive-source.ts"
import { call } from "./client.ts"
import { ArchiveInvalid, UsageError } from "./errors.ts"
import { formatMemory } from "./memory.ts"
import { printJson, printLine, printNote } from "./output.ts"
import { printable } from "./printable.ts"
import { jsonOutput, targetWorkspace } from "./root.ts"
import { formatState } from "./state.ts"

interface Replayed {
  readonly seq: number
  readonly hash: string
  readonly at: string | null
  readonly state: WorkspaceState
  readonly source: "log" | "archive"
  /** With --agent: the tools the agent could call then, as the policies in force decided. */
  readonly callableTools?: ReadonlyArray<string>
}

/** Narrows a state to what one agent could use: itself, its grants, and the tools and policies that exist. */
const forAgent = (state: WorkspaceState, agent: string): WorkspaceState => ({
  ...state,
  agents: Object.fromEntries(Object.entries(state.agents).filter(([id]) => id === agent)),
  grants: Object.fromEntries(Object.entries(state.grants).filter(([, g]) => g.agents === undefined || g.agents.includes(agent)))
})

export const replay = Command.make(
  "replay",
  {
    at: Flag.String("at").pipe(Flag.withDescription("The moment: a seq, or an ISO-8601 time"), Flag.withMetavar("SEQ|ISO-TIME")),
    fromArchive: Flag.Boolean("from-archive").pipe(
      Flag.withDescription("Replay the signed R2 archive here in the CLI instead of asking the workspace"),
      Flag.withDefault(false)
    ),
    agent: Flag.String("agent").pipe(
      Flag.withDescription("Show only this agent, its grants, and the tools it could call then (the plane evaluates the policies in force)"),
      Flag.optional
    ),
    archiveDir: archiveDirFlag,
    publicKey: publicKeyFlag
  },
  Effect.fn(function* ({ at, fromArchive: useArchive, agent, archiveDir, publicKey }) {
    const workspace = yield* targetWorkspace
    const point = parsePoint(at, "at")
    if (point instanceof UsageError) return yield* point
    let replayed: Replayed
    if (!useArchive && Option.isNone(archiveDir)) {
      const answer = (yield* call({ _tag: "GetState", workspace, at: "seq" in point ? point.seq : point.time })) as Omit<Replayed, "source">
      replayed = { ...answer, source: "log" }
    } else {
      const source = yield* archiveSource(workspace, archiveDir)
      // Checked as audit verify checks it: the pinned key's signature, every segment's sha256, every hash.
      const manifest = yield* openArchive(source, workspace, yield* trustedKey(publicKey))
      const result = yield* fromArchive(() => replayArchive(source, manifest, point, { rehash: true }))
      if ("seq" in point ? point.seq > result.sealedThrough : result.seq === result.sealedThrough)
        yield* printNote(`berth: the archive is sealed through seq ${result.sealedThrough}; anything later is not in it yet (berth audit seal)`)
      const { sealedThrough: _, ...at } = result
      replayed = { ...at, source: "archive" }
    }
    let shown = replayed
    if (Option.isSome(agent)) {
      // Cedar runs in the plane. It evaluates the state at the replayed seq; from the archive, the
      // plane's state there must have the hash the CLI just proved, or its answer is not used.
      const asked = (yield* call({ _tag: "GetAgentAt", workspace, agent: agent.value, at: replayed.seq })) as Replayed
      if (asked.hash !== replayed.hash)
        return yield* new ArchiveInvalid({
          reason: `the plane's log at seq ${replayed.seq} has hash ${asked.hash}, but the archive proves ${replayed.hash}`,
          firstBadSeq: replayed.seq
        })
      shown = { ...replayed, state: forAgent(replayed.state, agent.value), callableTools: asked.callableTools ?? [] }
    }
    if (yield* jsonOutput) return yield* printJson(shown)
    yield* printLine(`replayed from the ${shown.source === "archive" ? "R2 archive" : "workspace's log"}`)
    yield* printLine(formatState(shown))
    yield* printLine(formatMemory(shown.state.memory))
    if (shown.callableTools)
      yield* printLine(
        `tools ${Option.getOrElse(agent, () => "")} could call (${shown.callableTools.length})${shown.callableTools.map((t) => `\n  ${printable(t)}`).join("")}`
      )
  })
).pipe(
  Command.withDescription("Show the state in force at a moment (plugins, tools, agents, grants, policies, memory), replayed from the log or the archive"),
  Command.withExamples([
    { command: "berth -w acme replay --at 2026-11-17T14:02:00Z --agent triage-bot", description: "What could triage-bot use at 14:02 that Tuesday?" },
    { command: "berth -w acme replay --at 1200 --from-archive --json", description: "The state at seq 1200, from the archive, as JSON" }
  ])
)
