// A scheduled job as its readers see it (orbit.jobs.list, ListJobs, `berth job list`): plain data,
// shared by the plane and the CLI.

/** A job as orbit.jobs.list and `berth job list` show it: its schedule and code, never its input's value. */
export interface JobView {
  readonly job: string
  readonly agent: string
  readonly at?: string
  readonly cron?: string
  readonly nextAt: string
  readonly codeHash: string
  readonly inputSize: number
  readonly scheduledAt: string
  readonly scheduledBy?: string
  readonly running?: string
  readonly fired: number
}
