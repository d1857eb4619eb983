// Jobs on a real plane (wrangler's runtime, as `npm start` serves it): a script calls tools of two
// plugins, writes storage and db, reads memory and schedules a job for 2 s later; the job fires, its
// run is linked to the first, and `berth run show` draws every primitive span of both. Jobs are in the
// log, so they survive the plane: one due while the plane was stopped fires once it is back, and one
// whose run the plane did not live to finish is finished as interrupted, and not run again.
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest"
import { adminRpc, cliFor, startPlane } from "./plane.ts"

let plane: Awaited<ReturnType<typeof startPlane>>
beforeAll(async () => {
  plane = await startPlane()
})
afterAll(() => plane?.stop())

const berth = cliFor(() => plane)

const script = (name: string, source: string) => {
  const file = join(mkdtempSync(join(tmpdir(), "berth-script-")), name)
  writeFileSync(file, source)
  return file
}

type Event = { type: string; causationId: string | null; data: any }
const eventsOf = async (ws: string) => (await adminRpc(plane, { _tag: "ListEvents", workspace: ws, limit: 1000 })).events as Array<Event>

const waitFor = async <T>(what: string, seconds: number, find: () => Promise<T | undefined>): Promise<T> => {
  const deadline = Date.now() + seconds * 1000
  for (;;) {
    const found = await find()
    if (found !== undefined) return found
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${seconds} s`)
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}

const jobFinished = (ws: string, job: string, seconds = 20) =>
  waitFor(`job ${job} finishing`, seconds, async () => (await eventsOf(ws)).find((e) => e.type === "JobFinished" && e.data.job === job))

/** A workspace with agent `bot`, the test upstream as `up`, server-everything as `everything`, and run_code permitted. */
const jobWorkspace = async (prefix: string) => {
  const ws = `${prefix}-${Date.now().toString(36)}`
  await adminRpc(plane, { _tag: "CreateWorkspace", workspace: ws })
  await adminRpc(plane, { _tag: "RegisterAgent", workspace: ws, agent: "bot" })
  const upstream = new URL(`/ns/${crypto.randomUUID()}/mcp`, inject("upstreamUrl")).href
  await adminRpc(plane, { _tag: "InstallPlugin", workspace: ws, plugin: "up", url: upstream, transport: "streamable-http", auth: "none" })
  await adminRpc(plane, { _tag: "InstallPlugin", workspace: ws, plugin: "everything", url: inject("everythingUrl"), transport: "streamable-http", auth: "none" })
  await adminRpc(plane, { _tag: "SetPolicy", workspace: ws, policy: "code", text: 'permit(principal, action == Action::"run_code", resource);' })
  return ws
}

const submit = async (ws: string, file: string, input: unknown) => {
  const answer = await berth(["-w", ws, "--json", "run", "submit", file, "--as", "bot", "--input", JSON.stringify(input), "--wait"])
  expect(answer).toMatchObject({ code: 0, err: "" })
  return JSON.parse(answer.out) as { run: string; status: string; result: any }
}

const SCHEDULER = `
const LATER = \`export default async function (input, orbit) {
  const echoed = await orbit.tools.up.echo({ text: input.text })
  const stored = await orbit.storage.get("reports/latest.txt")
  const rows = await orbit.db.query("SELECT title FROM reports ORDER BY id")
  return { echoed: echoed.content[0].text, stored: stored.text, titles: rows.rows.map((r) => r[0]) }
}\`

export default async function (input: { text: string }, orbit: any) {
  const up = await orbit.tools.up.echo({ text: input.text })
  const everything = await orbit.tools.call("everything__echo", { message: input.text })
  await orbit.storage.put("reports/latest.txt", "first report")
  await orbit.db.exec("CREATE TABLE IF NOT EXISTS reports (id INTEGER PRIMARY KEY, title TEXT)")
  await orbit.db.exec("INSERT INTO reports (title) VALUES (?)", input.text)
  const brief = await orbit.memory.get("team", "brief")
  const job = await orbit.jobs.schedule({ delayMs: 2000 }, { code: LATER, input: { text: "from the job" } })
  return { up: up.content[0].text, everything: everything.content[0].text, brief: brief.value, job: job.job }
}
`

describe("jobs", () => {
  it("a script's job fires 2 s later, linked to the script's run; run show draws every primitive span of both", async () => {
    const ws = await jobWorkspace("jobs")
    await adminRpc(plane, { _tag: "PutMemory", workspace: ws, namespace: "team", key: "brief", value: "ship on friday" })
    const first = await submit(ws, script("scheduler.ts", SCHEDULER), { text: "weekly" })
    expect(first).toMatchObject({ status: "ok", result: { up: "echo: weekly", everything: "Echo: weekly", brief: "ship on friday", job: expect.stringMatching(/^job_/) } })
    const job = first.result.job as string

    const listed = await berth(["-w", ws, "job", "list"])
    expect(listed.out).toContain(job)
    expect(listed.out).toContain(first.run)

    const finished = await jobFinished(ws, job)
    expect(finished.data.status).toBe("ok")
    const jobRun = finished.data.run as string
    const events = await eventsOf(ws)
    expect(events.find((e) => e.type === "RunStarted" && e.data.run === jobRun)?.causationId).toBe(first.run)
    const result = JSON.parse((await berth(["-w", ws, "--json", "run", "show", jobRun])).out)
    expect(result.finished.data.status).toBe("ok")

    const shownFirst = await berth(["-w", ws, "run", "show", first.run])
    expect(shownFirst.code).toBe(0)
    for (const span of ["orbit.tools.call", "orbit.storage.put", "orbit.db.exec", "orbit.memory.get", "orbit.jobs.schedule"]) expect(shownFirst.out).toContain(span)
    expect(shownFirst.out.match(/orbit\.tools\.call/g)).toHaveLength(2)
    expect(shownFirst.out).toContain(`berth.job=${job}`)

    const shownJob = await berth(["-w", ws, "run", "show", jobRun])
    expect(shownJob.code).toBe(0)
    expect(shownJob.out).toContain(`caused by run ${first.run}`)
    expect(shownJob.out).toContain(`job     ${job}`)
    for (const span of ["orbit.tools.call", "orbit.storage.get", "orbit.db.query", "berth.code.execute"]) expect(shownJob.out).toContain(span)

    // The job's result, read back from its run: it saw what the first run wrote.
    const ran = await adminRpc(plane, { _tag: "GetRun", workspace: ws, run: jobRun })
    expect(ran.finished.data.status).toBe("ok")
    expect((await berth(["-w", ws, "job", "list"])).out).toContain("no scheduled jobs")
  })

  it("survives the plane: a job due while it was stopped fires once it is back; one cut off mid-run is finished as interrupted", async () => {
    const ws = await jobWorkspace("restart")
    const scheduler = script(
      "later.ts",
      `export default async (input: { delayMs: number; sleepMs: number }, orbit: any) =>
        orbit.jobs.schedule({ delayMs: input.delayMs }, {
          code: "export default async (input) => { await new Promise((r) => setTimeout(r, input.sleepMs)); return 'slept' }",
          input: { sleepMs: input.sleepMs }
        })`
    )
    const due = await submit(ws, scheduler, { delayMs: 3000, sleepMs: 0 })
    const cut = await submit(ws, scheduler, { delayMs: 0, sleepMs: 20_000 })
    // The second job is running (its JobStarted is in) when the plane stops; the first is not due yet.
    const started = await waitFor("the long job starting", 15, async () => (await eventsOf(ws)).find((e) => e.type === "JobStarted" && e.data.job === cut.result.job))
    expect((await eventsOf(ws)).some((e) => e.type === "JobStarted" && e.data.job === due.result.job)).toBe(false)

    const persist = plane.persist
    await plane.stop()
    await new Promise((resolve) => setTimeout(resolve, 3500))
    plane = await startPlane({ persistTo: persist })

    const fired = await jobFinished(ws, due.result.job, 30)
    expect(fired.data).toMatchObject({ status: "ok" })
    const interrupted = await jobFinished(ws, cut.result.job, 30)
    expect(interrupted.data).toMatchObject({ status: "error", run: started.data.run, error: expect.stringContaining("the plane stopped") })
    const events = await eventsOf(ws)
    // The cut-off run is finished on the record too, and the job was not run a second time.
    expect(events.find((e) => e.type === "RunFinished" && e.data.run === started.data.run)?.data).toMatchObject({ status: "error" })
    expect(events.filter((e) => e.type === "JobStarted" && e.data.job === cut.result.job)).toHaveLength(1)
    expect((await adminRpc(plane, { _tag: "ListJobs", workspace: ws })).jobs).toEqual([])
  })
})
