// Job commands. ScheduleJob is recorded by a script's orbit.jobs.schedule as its agent, after the
// capability (jobs.ts) has kept the code in R2 and checked the input against the vault; decide checks
// the rest from the state. StartJob and FinishJob are the alarm's, as the plane; CancelJob is the
// job's own agent's (orbit.jobs.cancel) or an admin's.
import { Effect, Schema } from "effect"
import { AgentName, event, ISO_8601_WITH_ZONE, JobId, RunStatus, Sha256Hex } from "../../events/index.ts"
import type { WorkspaceState } from "../../projections/state.ts"
import { AgentNotFound } from "../agent/errors.ts"
import { SHAPES_ONLY } from "../runs/redact.ts"
import { MAX_INPUT_BYTES } from "../sandbox/limits.ts"
import { requireWorkspace } from "../workspace/decider.ts"
import { JobAlreadyRunning, JobInputHasSecret, JobLimitReached, JobNotFound, JobScheduleInvalid } from "./errors.ts"
import { isRule, MAX_JOBS, parseCron } from "./schedule.ts"

/** The plane computes these times (schedule.ts): ISO-8601 with a zone, as toISOString writes them. */
const IsoTime = Schema.String.check(
  Schema.makeFilter((t: string) => (ISO_8601_WITH_ZONE.test(t) && !Number.isNaN(Date.parse(t))) || "expected an ISO-8601 time with a zone")
)

export class ScheduleJob extends Schema.TaggedClass<ScheduleJob>()("ScheduleJob", {
  job: JobId,
  agent: AgentName,
  codeHash: Sha256Hex,
  codeSize: Schema.Int.check(Schema.isGreaterThanOrEqualTo(1)),
  input: Schema.Unknown,
  at: Schema.optional(IsoTime),
  cron: Schema.optional(Schema.String),
  nextAt: IsoTime,
  scheduledBy: Schema.optional(Schema.String)
}) {}

export class StartJob extends Schema.TaggedClass<StartJob>()("StartJob", { job: JobId, run: Schema.String, due: IsoTime }) {}

export class FinishJob extends Schema.TaggedClass<FinishJob>()("FinishJob", {
  job: JobId,
  run: Schema.optional(Schema.String),
  status: RunStatus,
  error: Schema.optional(Schema.String),
  nextAt: Schema.optional(IsoTime)
}) {}

export class CancelJob extends Schema.TaggedClass<CancelJob>()("CancelJob", {
  job: Schema.String,
  /** Set when an agent cancels: only its own jobs are found. */
  agent: Schema.optional(AgentName)
}) {}

const utf8 = new TextEncoder()

export const decideScheduleJob = Effect.fnUntraced(function* (state: WorkspaceState, command: ScheduleJob, slug: string) {
  yield* requireWorkspace(state, slug)
  const { job, agent, codeHash, codeSize, input, at, cron, nextAt, scheduledBy } = command
  const status = state.agents[agent]?.status
  if (status === undefined) return yield* new AgentNotFound({ agent })
  // A script still running when its agent was suspended or revoked schedules nothing more (revoking cancels the agent's jobs).
  if (status !== "active") return yield* new JobScheduleInvalid({ field: "agent", reason: `agent '${agent}' is ${status}; only an active agent schedules jobs` })
  if ((at === undefined) === (cron === undefined)) return yield* new JobScheduleInvalid({ field: "when", reason: "a job has exactly one of at or cron" })
  if (cron !== undefined) {
    const parsed = parseCron(cron)
    if (isRule(parsed)) return yield* new JobScheduleInvalid(parsed)
  }
  if (state.jobs[job]) return yield* new JobScheduleInvalid({ field: "job", reason: `job '${job}' is already scheduled` })
  if (Object.keys(state.jobs).length >= MAX_JOBS) return yield* new JobLimitReached({ limit: MAX_JOBS })
  const text = JSON.stringify(input ?? null)
  const bytes = utf8.encode(text).byteLength
  if (bytes > MAX_INPUT_BYTES) return yield* new JobScheduleInvalid({ field: "input", reason: `input is ${bytes} bytes as JSON; at most ${MAX_INPUT_BYTES}` })
  if (SHAPES_ONLY.text(text) !== text) return yield* new JobInputHasSecret()
  return [
    event("JobScheduled", {
      job,
      agent,
      codeHash,
      codeSize,
      input: JSON.parse(text),
      ...(at === undefined ? {} : { at }),
      ...(cron === undefined ? {} : { cron }),
      nextAt,
      ...(scheduledBy === undefined ? {} : { scheduledBy })
    })
  ]
})

export const decideStartJob = Effect.fnUntraced(function* (state: WorkspaceState, command: StartJob, slug: string) {
  yield* requireWorkspace(state, slug)
  const job = state.jobs[command.job]
  if (!job) return yield* new JobNotFound({ job: command.job })
  if (job.running !== undefined) return yield* new JobAlreadyRunning({ job: command.job, run: job.running })
  return [event("JobStarted", { job: command.job, run: command.run, due: command.due })]
})

export const decideFinishJob = Effect.fnUntraced(function* (state: WorkspaceState, command: FinishJob, slug: string) {
  yield* requireWorkspace(state, slug)
  // Cancelled while its run was in flight: the run is on the record; the job has nothing left to finish.
  if (!state.jobs[command.job]) return []
  const { job, run, status, error, nextAt } = command
  return [
    event("JobFinished", {
      job,
      ...(run === undefined ? {} : { run }),
      status,
      ...(error === undefined ? {} : { error }),
      ...(nextAt === undefined ? {} : { nextAt })
    })
  ]
})

export const decideCancelJob = Effect.fnUntraced(function* (state: WorkspaceState, command: CancelJob, slug: string) {
  yield* requireWorkspace(state, slug)
  const job = state.jobs[command.job]
  // Another agent's job is not found, rather than refused: an agent learns nothing of others' jobs.
  if (!job || (command.agent !== undefined && job.agent !== command.agent)) return yield* new JobNotFound({ job: command.job })
  return [event("JobCancelled", { job: command.job })]
})
