// Job events: code an agent's script scheduled to run later, once (`at`) or on a cron schedule, fired
// by the workspace's alarm. A job names its code by sha256 (kept in R2 as `code/<sha256>`, as a code
// run's is) and carries the input its runs are handed. Each firing is JobStarted then JobFinished,
// naming the run it made; that run is caused by the run that scheduled the job. A one-shot job leaves
// the state when it finishes; a cron job's JobFinished says when it fires next.
import { Schema } from "effect"
import { defineEvent } from "./define.ts"
import { AgentName, Sha256Hex } from "./names.ts"
import { RunStatus } from "./run.ts"

/** A job's id: `job_` and a ULID, made by the plane. */
export const JobId = Schema.String.check(
  Schema.isPattern(/^job_[0-9A-HJKMNP-TV-Z]{26}$/, { message: "a job id is 'job_' and 26 ULID characters" })
)

export const JobScheduled = defineEvent("JobScheduled", {
  job: JobId,
  /** Who the job runs as; re-authorized each time it fires. */
  agent: AgentName,
  codeHash: Sha256Hex,
  codeSize: Schema.Number,
  /** JSON handed to each run as `input`. */
  input: Schema.Unknown,
  /** A one-shot job's time… */
  at: Schema.optional(Schema.String),
  /** …or a five-field cron expression, in UTC. */
  cron: Schema.optional(Schema.String),
  /** When it fires first. */
  nextAt: Schema.String,
  /** The code run that scheduled it (absent when an admin did). */
  scheduledBy: Schema.optional(Schema.String)
})
export const JobStarted = defineEvent("JobStarted", {
  job: JobId,
  /** The run this firing made. */
  run: Schema.String,
  /** The time it was due. */
  due: Schema.String
})
export const JobFinished = defineEvent("JobFinished", {
  job: JobId,
  /** The run it made; absent when the run could not be recorded at all. */
  run: Schema.optional(Schema.String),
  status: RunStatus,
  /** Why it did not end ok (the run's error, or that the plane stopped while it ran). */
  error: Schema.optional(Schema.String),
  /** A cron job's next time; absent, the job is done. */
  nextAt: Schema.optional(Schema.String)
})
export const JobCancelled = defineEvent("JobCancelled", {
  job: JobId,
  /** Why, when the plane cancelled it (its agent was revoked); absent when someone asked. */
  reason: Schema.optional(Schema.String)
})

export const JobEvents = [JobScheduled, JobStarted, JobFinished, JobCancelled] as const
export type JobEvent = Schema.Schema.Type<(typeof JobEvents)[number]>
