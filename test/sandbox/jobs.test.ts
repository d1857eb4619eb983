// orbit.jobs through the hosted endpoint, with a real v2 SDK client and the workspace's real alarm:
// a script schedules a job, the alarm fires it as the same agent, and its run is caused by the run
// that scheduled it; run_code is authorized again when it fires; cron jobs are listed and cancelled,
// by their agent (never another's) or an admin; revoking the agent cancels its jobs; and every bad
// schedule is a typed error the script catches, with no job recorded.
import type { CallToolResult } from "@modelcontextprotocol/client"
import { describe, expect, it } from "vitest"
import { ok, rpc } from "../admin/rpc-client.ts"
import { dockedWorkspace, mcpClient } from "../mcp/berth-client.ts"
import { RUN_CODE_POLICY } from "./code-workspace.ts"
import { eventCount, workspace } from "../workspace/workspace-client.ts"

type Event = { seq: number; type: string; actor: any; correlationId: string; causationId: string | null; data: any }
const eventsOf = async (slug: string) => (await ok({ _tag: "ListEvents", workspace: slug, limit: 1000 })).events as Array<Event>
const structured = (result: unknown) => (result as CallToolResult).structuredContent as any

const jobWorkspace = async () => {
  const docked = await dockedWorkspace()
  await ok({ _tag: "SetPolicy", workspace: docked.slug, policy: "code", text: RUN_CODE_POLICY })
  return docked
}

/** Waits for the alarm to fire the job: its JobFinished (the real alarm, not a forced one). */
const finishedJob = async (slug: string, job: string) => {
  const deadline = Date.now() + 15_000
  for (;;) {
    const finished = (await eventsOf(slug)).find((e) => e.type === "JobFinished" && e.data.job === job)
    if (finished) return finished
    if (Date.now() > deadline) throw new Error(`job ${job} did not finish within 15 s`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

const JOB_CODE = `export default async function (input, orbit) {
  const echoed = await orbit.tools.up.echo({ text: input.text })
  await orbit.memory.put("team", "from-job", echoed.content[0].text)
  return { echoed: echoed.content[0].text }
}`

describe("orbit.jobs", () => {
  it("a script schedules a job; the alarm fires it as the agent, caused by the scheduling run, and it leaves the state", async () => {
    const { slug, key } = await jobWorkspace()
    const bot = await mcpClient(slug, key, "modern")
    const code = `export default async function (input, orbit) {
      const scheduled = await orbit.jobs.schedule({ delayMs: 300 }, { code: input.job, input: { text: "later" } })
      const listed = await orbit.jobs.list()
      return { scheduled, listed }
    }`
    const out = structured(await bot.callTool({ name: "run_code", arguments: { code, input: { job: JOB_CODE } } }))
    expect(out.status).toBe("ok")
    const { job, nextAt, codeHash } = out.result.scheduled
    expect(job).toMatch(/^job_[0-9A-Z]{26}$/)
    expect(out.result.listed).toEqual([expect.objectContaining({ job, agent: "bot", at: nextAt, nextAt, codeHash, scheduledBy: out.run, fired: 0 })])
    await bot.close()

    const finished = await finishedJob(slug, job)
    expect(finished).toMatchObject({ actor: { type: "system", id: "jobs" }, data: { status: "ok" } })
    const events = await eventsOf(slug)
    const scheduled = events.find((e) => e.type === "JobScheduled")!
    expect(scheduled).toMatchObject({ actor: { type: "agent", id: "bot" }, causationId: out.run, data: { job, agent: "bot", codeHash, input: { text: "later" }, at: nextAt, scheduledBy: out.run } })
    const jobRun = finished.data.run
    const started = events.find((e) => e.type === "JobStarted")!
    expect(started.data).toEqual({ job, run: jobRun, due: nextAt })
    // The job's run: a code run by the same agent, of the kept code, caused by the run that scheduled it.
    const runStarted = events.find((e) => e.type === "RunStarted" && e.data.run === jobRun)!
    expect(runStarted).toMatchObject({ actor: { id: "bot" }, causationId: out.run, data: { kind: "code", tool: "run_code", codeHash, job } })
    expect(events.find((e) => e.type === "RunFinished" && e.data.run === jobRun)!.data.status).toBe("ok")
    // Its primitive calls are runs of their own, caused by the job's run.
    expect(events.filter((e) => e.type === "RunStarted" && e.causationId === jobRun).map((e) => e.data.tool)).toEqual(["up__echo", "memory_put"])
    const spans = events.filter((e) => e.type === "SpanRecorded" && e.data.run === jobRun).map((e) => e.data.span.name)
    expect(spans).toEqual(expect.arrayContaining(["orbit.tools.call", "orbit.memory.put", "berth.code.execute"]))
    // The scheduling run's span names the job.
    const scheduleSpan = events.find((e) => e.type === "SpanRecorded" && e.data.run === out.run && e.data.span.name === "orbit.jobs.schedule")!
    expect(scheduleSpan.data.span.attributes).toMatchObject({ "berth.job": job, "berth.orbit.primitive": "jobs.schedule" })
    expect((await ok({ _tag: "GetMemory", workspace: slug, namespace: "team", key: "from-job" })).value).toBe("echo: later")
    // A one-shot job is done: no longer scheduled, and not fired again.
    expect((await ok({ _tag: "ListJobs", workspace: slug })).jobs).toEqual([])
    expect((await ok({ _tag: "GetState", workspace: slug })).state.jobs).toEqual({})
  })

  it("is authorized again when it fires: with run_code no longer permitted, the job's run is denied, on the record", async () => {
    const { slug, key } = await jobWorkspace()
    const bot = await mcpClient(slug, key, "modern")
    const code = `export default async (input, orbit) => orbit.jobs.schedule({ delayMs: 500 }, { code: "export default async () => 'ran'" })`
    const out = structured(await bot.callTool({ name: "run_code", arguments: { code } }))
    expect(out.status).toBe("ok")
    await bot.close()
    await ok({ _tag: "RemovePolicy", workspace: slug, policy: "code" })
    const finished = await finishedJob(slug, out.result.job)
    expect(finished.data.status).toBe("denied")
    const run = (await eventsOf(slug)).find((e) => e.type === "RunFinished" && e.data.run === finished.data.run)!
    expect(run.data.status).toBe("denied")
    // Refused before it started: no JobStarted, and the one-shot job is done.
    expect((await eventsOf(slug)).filter((e) => e.type === "JobStarted")).toEqual([])
    expect((await ok({ _tag: "ListJobs", workspace: slug })).jobs).toEqual([])
  })

  it("a job that throws is finished as an error, its text scrubbed of the vault's values like the run's", async () => {
    const { slug, key } = await jobWorkspace()
    const secret = "vault-value-0123456789abcdef"
    await ok({ _tag: "SetCredential", workspace: slug, credential: "up-token", plugin: "up", kind: "bearer", value: secret })
    const bot = await mcpClient(slug, key, "modern")
    const code = `export default async (input, orbit) => orbit.jobs.schedule({ delayMs: 200 }, { code: "export default async () => { throw new TypeError('leaked ${secret}') }" })`
    const out = structured(await bot.callTool({ name: "run_code", arguments: { code } }))
    expect(out.status).toBe("ok")
    await bot.close()
    const finished = await finishedJob(slug, out.result.job)
    expect(finished.data).toMatchObject({ status: "error", error: expect.stringContaining("TypeError: leaked") })
    expect(JSON.stringify(await eventsOf(slug))).not.toContain(secret)
  })

  it("reuses kept code by hash; cron jobs are listed, another agent can neither see nor cancel them, and revoking the agent cancels the rest", async () => {
    const { slug, key } = await jobWorkspace()
    const other = await ok({ _tag: "RegisterAgent", workspace: slug, agent: "other" })
    const bot = await mcpClient(slug, key, "modern")
    const code = `export default async function (input, orbit) {
      const first = await orbit.jobs.schedule({ cron: "0 9 * * 1-5" }, { code: "export default async (input) => input", input: { n: 1 } })
      const second = await orbit.jobs.schedule({ cron: "*/15 * * * *" }, { codeHash: first.codeHash, input: { n: 2 } })
      return { first, second }
    }`
    const out = structured(await bot.callTool({ name: "run_code", arguments: { code } }))
    expect(out.status).toBe("ok")
    const { first, second } = out.result
    expect(second.codeHash).toBe(first.codeHash)
    expect(new Date(first.nextAt).getUTCHours()).toBe(9)
    expect(new Date(second.nextAt).getUTCMinutes() % 15).toBe(0)
    expect(Date.parse(second.nextAt)).toBeGreaterThan(Date.now())

    // Another agent's script sees none of them, and cancelling one is "not found".
    const otherBot = await mcpClient(slug, other.key, "modern")
    const probe = `export default async function (input, orbit) {
      const listed = await orbit.jobs.list()
      try { await orbit.jobs.cancel(input.job) } catch (e) { return { listed, tag: e._tag, message: e.message } }
      return { listed, cancelled: true }
    }`
    const probed = structured(await otherBot.callTool({ name: "run_code", arguments: { code: probe, input: { job: first.job } } }))
    expect(probed.result).toEqual({ listed: [], tag: "JobNotFound", message: expect.stringContaining(first.job) })
    await otherBot.close()

    const listed = (await ok({ _tag: "ListJobs", workspace: slug })).jobs
    expect(listed.map((j: any) => [j.job, j.cron]).sort()).toEqual([[first.job, "0 9 * * 1-5"], [second.job, "*/15 * * * *"]].sort())
    expect((await ok({ _tag: "ListJobs", workspace: slug, agent: "other" })).jobs).toEqual([])

    // Its own agent cancels one; revoking the agent cancels the other, on the record.
    const cancel = `export default async (input, orbit) => orbit.jobs.cancel(input.job)`
    expect(structured(await bot.callTool({ name: "run_code", arguments: { code: cancel, input: { job: second.job } } })).result).toEqual({ job: second.job, cancelled: true })
    await bot.close()
    await ok({ _tag: "RevokeAgent", workspace: slug, agent: "bot" })
    const cancelled = (await eventsOf(slug)).filter((e) => e.type === "JobCancelled")
    expect(cancelled.map((e) => [e.actor.type, e.data])).toEqual([
      ["agent", { job: second.job }],
      ["admin", { job: first.job, reason: "agent 'bot' was revoked" }]
    ])
    expect((await ok({ _tag: "GetState", workspace: slug })).state.jobs).toEqual({})
  })

  it("a suspended or revoked agent schedules nothing: a script still running then is refused, naming the agent, and nothing is recorded", async () => {
    const { slug } = await jobWorkspace()
    // What orbit.jobs.schedule records, as a script of that agent still running would send it.
    const schedule = (agent: string) => ({
      _tag: "ScheduleJob",
      job: "job_01JD3Z9A0000000000000000AB",
      agent,
      codeHash: "0".repeat(64),
      codeSize: 1,
      input: null,
      cron: "* * * * *",
      nextAt: new Date(Date.now() + 60_000).toISOString()
    })
    await ok({ _tag: "RegisterAgent", workspace: slug, agent: "gone" })
    await ok({ _tag: "SuspendAgent", workspace: slug, agent: "bot" })
    await ok({ _tag: "RevokeAgent", workspace: slug, agent: "gone" })
    const before = await eventCount(slug)
    for (const [agent, status] of [["bot", "suspended"], ["gone", "revoked"]] as const) {
      const refused = await workspace(slug).execute(schedule(agent), { actor: { type: "agent", id: agent } })
      expect(refused).toMatchObject({ ok: false, error: { _tag: "JobScheduleInvalid", field: "agent", message: `agent: agent '${agent}' is ${status}; only an active agent schedules jobs` } })
    }
    expect(await eventCount(slug)).toBe(before)
    // An active agent's same schedule is recorded.
    await ok({ _tag: "RegisterAgent", workspace: slug, agent: "live" })
    expect(await workspace(slug).execute(schedule("live"), { actor: { type: "agent", id: "live" } })).toMatchObject({ ok: true })
  })

  it("an admin cancels a job by its id; an unknown id is JobNotFound and appends nothing", async () => {
    const { slug, key } = await jobWorkspace()
    const bot = await mcpClient(slug, key, "modern")
    const code = `export default async (input, orbit) => orbit.jobs.schedule({ at: "2099-01-01T00:00:00Z" }, { code: "export default async () => 1" })`
    const out = structured(await bot.callTool({ name: "run_code", arguments: { code } }))
    await bot.close()
    // 2099 is past the year ahead a job may be scheduled.
    expect(out).toMatchObject({ status: "error", error: { _tag: "JobScheduleInvalid", message: "at: at is at most 366 days ahead" } })

    const soon = `export default async (input, orbit) => orbit.jobs.schedule({ delayMs: 3_600_000 }, { code: "export default async () => 1" })`
    const bot2 = await mcpClient(slug, key, "modern")
    const { job } = structured(await bot2.callTool({ name: "run_code", arguments: { code: soon } })).result
    await bot2.close()
    const before = (await eventsOf(slug)).length
    const unknown = await rpc({ _tag: "CancelJob", workspace: slug, job: "job_01JD3Z9A0000000000000000ZZ" })
    expect(unknown.status).toBe(404)
    expect(unknown.body.error).toMatchObject({ _tag: "JobNotFound" })
    expect((await eventsOf(slug)).length).toBe(before)
    const done = await ok({ _tag: "CancelJob", workspace: slug, job })
    expect(done.events.map((e: any) => e.type)).toEqual(["JobCancelled"])
    expect((await ok({ _tag: "ListJobs", workspace: slug })).jobs).toEqual([])
  })

  it("every bad schedule is a typed error the script catches, naming the field, and no job is recorded", async () => {
    const { slug, key } = await jobWorkspace()
    await ok({ _tag: "SetCredential", workspace: slug, credential: "gh", plugin: "up", kind: "bearer", value: "ghp_live_token_0123456789abcdef" })
    const bot = await mcpClient(slug, key, "modern")
    const code = `export default async function (input, orbit) {
      const tries = [
        [{ delayMs: 10, cron: "* * * * *" }, { code: "export default async () => 1" }],
        [{ cron: "61 * * * *" }, { code: "export default async () => 1" }],
        [{ cron: "0 * * * * *" }, { code: "export default async () => 1" }],
        [{ delayMs: -5 }, { code: "export default async () => 1" }],
        [{ at: "tomorrow" }, { code: "export default async () => 1" }],
        [{ delayMs: 10 }, { code: "export default async () => {\\n  return 1,,\\n}" }],
        [{ delayMs: 10 }, { codeHash: "0".repeat(64) }],
        [{ delayMs: 10 }, { code: "export default async () => 1", codeHash: "0".repeat(64) }],
        [{ delayMs: 10 }, { code: "export default async () => 1", input: { token: "ghp_live_token_0123456789abcdef" } }],
        [{ delayMs: 10 }, { code: "export default async () => 1", inputs: {} }]
      ]
      const out = []
      for (const [when, job] of tries) {
        try { await orbit.jobs.schedule(when, job); out.push("scheduled") } catch (e) { out.push({ tag: e._tag, message: e.message, details: e.details }) }
      }
      return out
    }`
    const out = structured(await bot.callTool({ name: "run_code", arguments: { code } }))
    await bot.close()
    expect(out.status).toBe("ok")
    const [both, range, seconds, negative, notTime, syntax, unknownHash, twoCodes, secret, extra] = out.result
    expect(both).toMatchObject({ tag: "JobScheduleInvalid", message: expect.stringContaining("exactly one of at, delayMs or cron"), details: { field: "when" } })
    expect(range).toMatchObject({ tag: "JobScheduleInvalid", details: { field: "cron" } })
    expect(seconds).toMatchObject({ tag: "JobScheduleInvalid", message: expect.stringContaining("five fields"), details: { field: "cron" } })
    expect(negative).toMatchObject({ tag: "JobScheduleInvalid", details: { field: "delayMs" } })
    expect(notTime).toMatchObject({ tag: "JobScheduleInvalid", details: { field: "at" } })
    expect(syntax).toMatchObject({ tag: "ScriptSyntaxError", details: { line: 2 } })
    expect(unknownHash).toMatchObject({ tag: "JobScheduleInvalid", details: { field: "codeHash" } })
    expect(twoCodes).toMatchObject({ tag: "JobScheduleInvalid", details: { field: "code" } })
    expect(secret).toMatchObject({ tag: "JobInputHasSecret" })
    expect(extra).toMatchObject({ tag: "JobScheduleInvalid", message: expect.stringContaining("'inputs'") })
    const events = await eventsOf(slug)
    expect(events.filter((e) => e.type.startsWith("Job"))).toEqual([])
    expect(JSON.stringify(events)).not.toContain("ghp_live_token_0123456789abcdef")
    expect((await ok({ _tag: "GetState", workspace: slug })).state.jobs).toEqual({})
  })
})
