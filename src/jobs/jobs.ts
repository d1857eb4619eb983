// Scheduled jobs as a capability of the Workspace object (STYLE §4a). A script schedules a job with
// orbit.jobs.schedule; the job is in the log (JobScheduled) and the state, so it survives any restart.
// The object's alarm asks `due()` and calls `onAlarm`, which fires each job whose time has come: the
// code is read back from R2 by its hash and run through the sandbox as the job's agent, so run_code
// is authorized again (a revoked or suspended agent's job is denied, on the record), and the run is
// caused by the run that scheduled the job. JobStarted and JobFinished bracket each firing; a cron
// job's JobFinished says when it fires next. A firing the plane did not live to finish is finished on
// the next wake as an error: a job runs at most once per time it was due.
import type { Actor } from "../../events/index.ts"
import type { WorkspaceState } from "../../projections/state.ts"
import type { Scrubber } from "../runs/redact.ts"
import type { OrbitAnswer } from "../sandbox/orbit.ts"
import type { CodeRunInput, CodeRunResult, RunOptions } from "../sandbox/sandbox.ts"
import { compileScript } from "../sandbox/compile.ts"
import { ScriptSyntaxError } from "../sandbox/errors.ts"
import { wasmSha256Hex } from "../workspace/sha256-wasm.ts"
import type { WorkspaceCapability } from "../workspace/capability.ts"
import type { CommandOptions, CommandOutcome } from "../workspace/execute.ts"
import { isRule, nextCronAt, parseCron, timing } from "./schedule.ts"
import type { JobView } from "./view.ts"

export type { JobView } from "./view.ts"

const PLANE: Actor = { type: "system", id: "jobs" }
const INTERRUPTED = "the plane stopped while this job's run was in flight; it is not run again for this time"
const isSha256 = (value: unknown): value is string => typeof value === "string" && /^[0-9a-f]{64}$/.test(value)

export interface JobsHost {
  state(): WorkspaceState
  execute(command: unknown, options: CommandOptions): CommandOutcome
  newId(): string
  scrubber(): Promise<Scrubber>
  /** The sandbox: keeps code in R2 by hash, reads it back, and runs it as an agent. */
  readonly code: {
    keep(codeHash: string, source: string): Promise<void>
    read(codeHash: string): Promise<string | undefined>
    run(agent: string, input: CodeRunInput, options: RunOptions): Promise<CodeRunResult>
  }
}

/** What a script gets back from orbit.jobs: orbit's own answer, a value or a typed error it can catch. */
type JobAnswer = OrbitAnswer

const failed = (_tag: string, message: string, details?: Record<string, unknown>): JobAnswer => ({
  ok: false,
  error: { _tag, message, ...(details ? { details } : {}) }
})

const refusedBy = (outcome: CommandOutcome): JobAnswer | undefined =>
  outcome.ok ? undefined : failed(outcome.error._tag, outcome.error.message)

export class Jobs implements WorkspaceCapability {
  readonly #host: JobsHost
  /** Jobs whose firing is under way in this life of the object (the log says so once JobStarted is in). */
  readonly #firing = new Set<string>()

  constructor(host: JobsHost) {
    this.#host = host
  }

  /** Finishes the firings an earlier life of the object started and did not live to finish. */
  async start(): Promise<void> {
    for (const [job, scheduled] of Object.entries(this.#host.state().jobs)) {
      if (scheduled.running === undefined) continue
      const run = scheduled.running
      const open = this.#host.state().openRuns[run]
      if (open)
        this.#host.execute(
          { _tag: "FinishRun", run, status: "error", durationMs: Math.max(0, Date.now() - Date.parse(open.startedAt)), spans: [], error: INTERRUPTED },
          { actor: PLANE, correlationId: run }
        )
      this.#finish(job, run, "error", INTERRUPTED)
    }
  }

  /** The next moment a job is due, for the object's alarm. */
  due(): number | null {
    let next: number | null = null
    for (const [job, scheduled] of Object.entries(this.#host.state().jobs))
      if (scheduled.running === undefined && !this.#firing.has(job)) next = Math.min(next ?? Infinity, Date.parse(scheduled.nextAt))
    return next
  }

  /** Fires every job whose time has come; resolves when their runs have finished. */
  onAlarm(now: number): Promise<unknown> {
    const fires: Array<Promise<void>> = []
    for (const [job, scheduled] of Object.entries(this.#host.state().jobs))
      if (scheduled.running === undefined && !this.#firing.has(job) && Date.parse(scheduled.nextAt) <= now) fires.push(this.#fire(job))
    return Promise.all(fires)
  }

  async #fire(job: string): Promise<void> {
    this.#firing.add(job)
    try {
      const scheduled = this.#host.state().jobs[job]
      if (!scheduled) return
      const source = await this.#host.code.read(scheduled.codeHash)
      // Cancelled while its code was read back (by its agent, an admin, or the agent's revocation): nothing runs.
      if (!this.#host.state().jobs[job]) return
      if (source === undefined) {
        this.#finish(job, undefined, "error", `the job's code (R2 code/${scheduled.codeHash}) could not be read back; nothing ran`)
        return
      }
      let run: string | undefined
      try {
        const result = await this.#host.code.run(scheduled.agent, { code: source, input: scheduled.input }, {
          causationId: scheduled.scheduledBy,
          job,
          started: (started) => {
            run = started
            // Refused when the job was cancelled while the run was being set up: the run then stops unrun.
            return this.#host.execute({ _tag: "StartJob", job, run: started, due: scheduled.nextAt }, { actor: PLANE, correlationId: started }).ok
          }
        })
        // The error is the script's or an upstream's words: scrubbed of the vault's values as the run's is.
        const error = result.error && (await this.#host.scrubber()).text(`${result.error._tag}: ${result.error.message}`)
        this.#finish(job, result.run, result.status, error)
      } catch (error) {
        // The run could not be carried to its end (recording failed): the job is not left running.
        const message = (await this.#host.scrubber()).text(error instanceof Error ? error.message : String(error))
        this.#finish(job, run, "error", `the job's run could not be completed: ${message}`)
      }
    } finally {
      this.#firing.delete(job)
    }
  }

  /** JobFinished: a cron job is due next after now (a slot missed while it ran or the plane was down is skipped). */
  #finish(job: string, run: string | undefined, status: CodeRunResult["status"], error: string | undefined) {
    const cron = this.#host.state().jobs[job]?.cron
    const parsed = cron === undefined ? undefined : parseCron(cron)
    const nextAt = parsed === undefined || isRule(parsed) ? undefined : nextCronAt(parsed, Date.now())
    this.#host.execute(
      {
        _tag: "FinishJob",
        job,
        status,
        ...(run === undefined ? {} : { run }),
        ...(error === undefined ? {} : { error: error.slice(0, 500) }),
        ...(nextAt === undefined ? {} : { nextAt })
      },
      { actor: PLANE, correlationId: run ?? job }
    )
  }

  /**
   * orbit.jobs.schedule(when, { code | codeHash, input }) as `agent`, from the run `scheduledBy`. New
   * code is checked for syntax and kept in R2 before the job is recorded; a hash must name kept code.
   */
  async schedule(agent: string, scheduledBy: string | undefined, when: unknown, what: unknown): Promise<JobAnswer> {
    const fires = timing(when, Date.now())
    if (isRule(fires)) return failed("JobScheduleInvalid", `${fires.field}: ${fires.reason}`, { field: fires.field })
    const { code, codeHash, input, ...rest } = (typeof what === "object" && what !== null ? what : {}) as Record<string, unknown>
    const unknown = Object.keys(rest)
    if (unknown.length > 0) return failed("JobScheduleInvalid", `the job is { code | codeHash, input }; it has ${unknown.map((k) => `'${k.slice(0, 40)}'`).join(", ")} too`, { field: unknown[0]! })
    if ((code === undefined) === (codeHash === undefined))
      return failed("JobScheduleInvalid", "the job has exactly one of code (the module's source) or codeHash (the sha256 of code already kept, such as schedule's answer)", { field: "code" })
    let hash: string
    let size: number
    if (code !== undefined) {
      if (typeof code !== "string" || code.trim() === "") return failed("JobScheduleInvalid", "code is the module's source text: `export default async function (input, orbit) { … }`", { field: "code" })
      const compiled = compileScript(code, "job.ts")
      if (compiled instanceof ScriptSyntaxError) return failed(compiled._tag, compiled.message, { line: compiled.line, column: compiled.column })
      if (!("js" in compiled)) return failed(compiled._tag, compiled.message)
      hash = wasmSha256Hex(code)
      size = compiled.bytes
      try {
        await this.#host.code.keep(hash, code)
      } catch (error) {
        return failed("CodeStoreFailed", `${error instanceof Error ? error.message : String(error)}; the job was not scheduled`)
      }
    } else {
      if (!isSha256(codeHash)) return failed("JobScheduleInvalid", "codeHash is 64 lowercase hex digits: the sha256 of code already kept", { field: "codeHash" })
      const source = await this.#host.code.read(codeHash)
      if (source === undefined) return failed("JobScheduleInvalid", `no code/${codeHash} is kept; pass code instead`, { field: "codeHash" })
      hash = codeHash
      size = new TextEncoder().encode(source).byteLength
    }
    const text = JSON.stringify(input ?? null)
    if (text === undefined) return failed("JobScheduleInvalid", "input is JSON", { field: "input" })
    const scrubber = await this.#host.scrubber()
    if (scrubber.text(text) !== text) return failed("JobInputHasSecret", "the job's input holds a value of this workspace's vault; jobs are recorded in the log, so pass the credential's name and grant it instead")
    const job = `job_${this.#host.newId()}`
    const outcome = this.#host.execute(
      { _tag: "ScheduleJob", job, agent, codeHash: hash, codeSize: size, input: input ?? null, ...fires, ...(scheduledBy === undefined ? {} : { scheduledBy }) },
      { actor: { type: "agent", id: agent }, ...(scheduledBy === undefined ? {} : { correlationId: scheduledBy, causationId: scheduledBy }) }
    )
    return refusedBy(outcome) ?? { ok: true, value: { job, nextAt: fires.nextAt, codeHash: hash } }
  }

  /** The workspace's scheduled jobs, or one agent's (what a script sees: only its own agent's). */
  list(agent?: string): Array<JobView> {
    return Object.entries(this.#host.state().jobs)
      .filter(([, job]) => agent === undefined || job.agent === agent)
      .sort(([, a], [, b]) => Date.parse(a.nextAt) - Date.parse(b.nextAt))
      .map(([job, j]) => ({
        job,
        agent: j.agent,
        ...(j.at === undefined ? {} : { at: j.at }),
        ...(j.cron === undefined ? {} : { cron: j.cron }),
        nextAt: j.nextAt,
        codeHash: j.codeHash,
        inputSize: new TextEncoder().encode(JSON.stringify(j.input ?? null)).byteLength,
        scheduledAt: j.scheduledAt,
        ...(j.scheduledBy === undefined ? {} : { scheduledBy: j.scheduledBy }),
        ...(j.running === undefined ? {} : { running: j.running }),
        fired: j.fired
      }))
  }

  /** orbit.jobs.cancel(job): an agent cancels its own jobs only; another's is not found. */
  cancel(agent: string, job: unknown, options: CommandOptions): JobAnswer {
    if (typeof job !== "string") return failed("JobScheduleInvalid", "cancel(job): job is the id schedule returned", { field: "job" })
    return refusedBy(this.#host.execute({ _tag: "CancelJob", job, agent }, options)) ?? { ok: true, value: { job, cancelled: true } }
  }
}
