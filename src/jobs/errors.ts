// Job errors: each names the job, the field or the rule, never the job's input or code.
import { Schema } from "effect"

export class JobNotFound extends Schema.TaggedError<JobNotFound>()("JobNotFound", { job: Schema.String }) {
  override get message() {
    return `no scheduled job '${this.job}' in this workspace (a one-shot job that has fired, or a cancelled one, is no longer scheduled)`
  }
}

/** The schedule (`at`, `delayMs` or `cron`) or the code to run breaks a rule; the message names which. */
export class JobScheduleInvalid extends Schema.TaggedError<JobScheduleInvalid>()("JobScheduleInvalid", {
  field: Schema.String,
  reason: Schema.String
}) {
  override get message() {
    return `${this.field}: ${this.reason}`
  }
}

export class JobLimitReached extends Schema.TaggedError<JobLimitReached>()("JobLimitReached", { limit: Schema.Number }) {
  override get message() {
    return `this workspace already has ${this.limit} scheduled jobs, the most it may have; cancel one first (berth job list, berth job cancel)`
  }
}

/** The input is recorded in the log with the job: a value carrying a credential would be there for good. */
export class JobInputHasSecret extends Schema.TaggedError<JobInputHasSecret>()("JobInputHasSecret", {}) {
  override get message() {
    return "the job's input holds what looks like a credential (or a value of this workspace's vault); jobs are recorded in the log, so pass the credential's name and grant it instead"
  }
}

/** A firing is already in flight (the alarm fired twice): internal, never an agent's. */
export class JobAlreadyRunning extends Schema.TaggedError<JobAlreadyRunning>()("JobAlreadyRunning", { job: Schema.String, run: Schema.String }) {
  override get message() {
    return `job '${this.job}' is already running as run ${this.run}`
  }
}
