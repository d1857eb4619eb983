// A job cancelled while its firing is under way does not run. The firing awaits twice before the run
// starts (reading the code back from R2, then setting the run up), and a CancelJob can land in either
// gap. Jobs is driven here over a workspace's real log and projection (the same pipeline the object
// runs), with its code reads and its sandbox held at those two points; the sandbox's own answer to a
// refused start is a denied run, which `src/sandbox/sandbox.ts` gives when `started` answers false.
import { runInDurableObject } from "cloudflare:test"
import { env } from "cloudflare:workers"
import { describe, expect, it } from "vitest"
import type { WorkspaceState } from "../../projections/state.ts"
import { Jobs } from "../../src/jobs/jobs.ts"
import { SHAPES_ONLY } from "../../src/runs/redact.ts"
import type { CodeRunResult, RunOptions } from "../../src/sandbox/sandbox.ts"
import { EventLog } from "../../src/workspace/event-log.ts"
import { type CommandOptions, executeCommand, type WorkspaceStores } from "../../src/workspace/execute.ts"
import { IdempotencyStore } from "../../src/workspace/idempotency-store.ts"
import { ProjectionStore } from "../../src/workspace/projection-store.ts"
import { freshSlug } from "../workspace/workspace-client.ts"

const JOB = "job_01JD3Z9A0000000000000000CX"
const admin: CommandOptions = { actor: { type: "admin", id: "test" } }

/** A workspace with agent `bot` and one job due now, on the object's storage, and a Jobs over it whose code read and sandbox the test releases. */
const firingSetUp = (ctx: DurableObjectState, slug: string) => {
  const sql = ctx.storage.sql
  const stores: WorkspaceStores = {
    log: new EventLog(sql),
    projection: new ProjectionStore(sql),
    idempotency: new IdempotencyStore(sql),
    transactionSync: (fn) => ctx.storage.transactionSync(fn)
  }
  let state: WorkspaceState = stores.projection.load()
  const execute = (command: unknown, options: CommandOptions) => {
    const executed = executeCommand(stores, slug, state, command, options)
    state = executed.state
    return executed.outcome
  }
  const must = (command: unknown, options: CommandOptions = admin) => {
    const outcome = execute(command, options)
    if (!outcome.ok) throw new Error(`${outcome.error._tag}: ${outcome.error.message}`)
  }
  must({ _tag: "CreateWorkspace", workspace: slug })
  must({ _tag: "RegisterAgent", agent: "bot", keyHash: "0".repeat(64), keyPrefix: "berth_t" })
  const due = new Date(Date.now() - 1000).toISOString()
  must({ _tag: "ScheduleJob", job: JOB, agent: "bot", codeHash: "1".repeat(64), codeSize: 10, input: null, cron: "* * * * *", nextAt: due }, { actor: { type: "agent", id: "bot" } })

  let releaseRead!: () => void
  const read = new Promise<void>((resolve) => (releaseRead = resolve))
  let reachedRun!: () => void
  const running = new Promise<void>((resolve) => (reachedRun = resolve))
  let releaseRun!: () => void
  const run = new Promise<void>((resolve) => (releaseRun = resolve))
  const starts: Array<boolean | void> = []
  const jobs = new Jobs({
    state: () => state,
    execute,
    newId: () => stores.log.newId(),
    scrubber: async () => SHAPES_ONLY,
    code: {
      keep: async () => undefined,
      read: async () => {
        await read
        return "export default async () => 1"
      },
      // The sandbox as far as Jobs sees it: the run is set up (an await), then `started` says whether it may go on.
      run: async (_agent: string, _input: unknown, options: RunOptions): Promise<CodeRunResult> => {
        reachedRun()
        await run
        const go = options.started?.("run-1")
        starts.push(go)
        return { run: "run-1", status: go === false ? "denied" : "ok", logs: [], logsTruncated: false, durationMs: 1 }
      }
    }
  })
  const types = () => stores.log.read(1, 100).map((e) => e.type)
  return { jobs, must, releaseRead, running, releaseRun, starts, types }
}

describe("a job cancelled while it fires", () => {
  it("while its code is read back: nothing runs, and nothing more is recorded for it", async () => {
    const slug = freshSlug("jobcancel")
    await runInDurableObject(env.WORKSPACE.getByName(slug), async (_instance, ctx) => {
      const { jobs, must, releaseRead, starts, types } = firingSetUp(ctx, slug)
      const firing = jobs.onAlarm(Date.now())
      must({ _tag: "CancelJob", job: JOB })
      releaseRead()
      await firing
      expect(starts).toEqual([])
      expect(types().slice(-2)).toEqual(["JobScheduled", "JobCancelled"])
    })
  })

  it("while its run is set up: the run is told to stop, and the job neither starts nor finishes", async () => {
    const slug = freshSlug("jobcancel")
    await runInDurableObject(env.WORKSPACE.getByName(slug), async (_instance, ctx) => {
      const { jobs, must, releaseRead, running, releaseRun, starts, types } = firingSetUp(ctx, slug)
      const firing = jobs.onAlarm(Date.now())
      releaseRead()
      await running
      must({ _tag: "CancelJob", job: JOB })
      releaseRun()
      await firing
      expect(starts).toEqual([false])
      expect(types().slice(-2)).toEqual(["JobScheduled", "JobCancelled"])
    })
  })

  it("not cancelled: the run starts and the job is recorded as started and finished", async () => {
    const slug = freshSlug("jobcancel")
    await runInDurableObject(env.WORKSPACE.getByName(slug), async (_instance, ctx) => {
      const { jobs, releaseRead, releaseRun, starts, types } = firingSetUp(ctx, slug)
      const firing = jobs.onAlarm(Date.now())
      releaseRead()
      releaseRun()
      await firing
      expect(starts).toEqual([true])
      expect(types().slice(-3)).toEqual(["JobScheduled", "JobStarted", "JobFinished"])
    })
  })
})
