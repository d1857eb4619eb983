// `berth job list|cancel`: the jobs scripts scheduled with orbit.jobs.schedule (docs/execution.md).
import { Effect, Option } from "effect"
import { Argument, Command, Flag } from "effect/cli"
import type { JobView } from "../jobs/view.ts"
import { call, optionalField } from "./client.ts"
import { mutate, mutationFlags } from "./mutation.ts"
import { printJson, printTable } from "./output.ts"
import { jsonOutput, targetWorkspace } from "./root.ts"

interface JobList {
  readonly jobs: ReadonlyArray<JobView>
}

const list = Command.make(
  "list",
  { agent: Flag.String("agent").pipe(Flag.withDescription("Only this agent's jobs"), Flag.optional) },
  Effect.fn(function* ({ agent }) {
    const result = (yield* call({ _tag: "ListJobs", workspace: yield* targetWorkspace, ...optionalField("agent", agent) })) as JobList
    if (yield* jsonOutput) return yield* printJson(result)
    yield* printTable(
      ["JOB", "AGENT", "SCHEDULE", "NEXT", "FIRED", "CODE", "SCHEDULED BY"],
      result.jobs.map((j) => [
        j.job,
        j.agent,
        j.cron === undefined ? "once" : `cron ${j.cron}`,
        j.running === undefined ? j.nextAt : `running (run ${j.running})`,
        String(j.fired),
        j.codeHash.slice(0, 12),
        j.scheduledBy ?? "-"
      ]),
      Option.isSome(agent) ? `agent ${agent.value} has no scheduled jobs` : "no scheduled jobs (a script schedules one with orbit.jobs.schedule)"
    )
  })
).pipe(
  Command.withDescription("List the scheduled jobs: when each fires next, as which agent, and the run that scheduled it"),
  Command.withExamples([{ command: "berth -w acme job list --agent ci-bot", description: "One agent's jobs" }])
)

const cancel = Command.make(
  "cancel",
  { job: Argument.String("job").pipe(Argument.withDescription("Job id (from berth job list)")), ...mutationFlags },
  Effect.fn(function* ({ job, ...options }) {
    yield* mutate("CancelJob", { job }, options, `cancelled job ${job}`)
  })
).pipe(
  Command.withDescription("Cancel a scheduled job; a run already in flight finishes, and the job does not fire again"),
  Command.withExamples([{ command: "berth -w acme job cancel job_01JD3Z9A0000000000000000JB", description: "Stop a job" }])
)

export const job = Command.make("job").pipe(
  Command.withDescription("Jobs that scripts scheduled (orbit.jobs): list and cancel"),
  Command.withSubcommands([list, cancel])
)
