// Fan-out lag to D1: a workspace appends tool-call runs at 1,000 events/s for 30 s through its
// Durable Object (the real alarm-driven pusher feeds D1), while the bench polls D1 for the
// newest seq it holds. Lag = when D1 first shows an append's last seq − when that append returned.
// Baseline, measured in the same run: writing the same batches' rows to D1 directly, one batch
// per append. Then every event must be in D1 exactly once (zero loss).
import { applyD1Migrations, type D1Migration } from "cloudflare:test"
import { env } from "cloudflare:workers"
import { expect, it } from "vitest"
import { decodeEvent } from "../events/index.ts"
import { d1Statements } from "../projections/d1/statements.ts"
import type { Env } from "../src/env.ts"
import { workspaceStub } from "../src/workspace/stub.ts"
import { median, percentile, table } from "./stats.ts"

const RATE = 1_000
const SECONDS = 30
const CALLS_PER_TICK = 10
/** A call is StartRun (RunStarted) + FinishRun with 4 spans (4 SpanRecorded + RunFinished). */
const EVENTS_PER_CALL = 6
const TICK_MS = (CALLS_PER_TICK * EVENTS_PER_CALL * 1000) / RATE
const POLL_MS = 10
export const TARGET_P50_MS = 1_000
const SLUG = "bench-fanout"
const admin = { actor: { type: "admin", id: "bench" } } as const

const span = (run: string, i: number) => ({
  traceId: run.padEnd(32, "0").slice(0, 32),
  spanId: i.toString(16).padStart(16, "0"),
  name: i === 0 ? "tools/call github__create_issue" : `step ${i}`,
  start: "2026-11-25T10:00:00.000Z",
  end: "2026-11-25T10:00:00.015Z",
  status: { code: "ok" as const },
  attributes: { "mcp.tool": "create_issue", "rpc.duration_ms": 15 }
})

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

it("fan-out lag to D1 while appending 1,000 events/s for 30 s", async ({ task }) => {
  const bindings = env as unknown as Env & { BENCH_MIGRATIONS: Array<D1Migration> }
  await applyD1Migrations(bindings.READ_MODELS, bindings.BENCH_MIGRATIONS)
  const ws = workspaceStub(bindings, SLUG)
  await ws.execute({ _tag: "CreateWorkspace", workspace: SLUG }, admin)
  await ws.execute({ _tag: "RegisterAgent", agent: "bot", keyHash: "0".repeat(64), keyPrefix: "berth_bench" }, admin)

  let n = 0
  const call = async () => {
    const run = `run-${n++}`
    await ws.execute(
      { _tag: "StartRun", run, traceId: run.padEnd(32, "0").slice(0, 32), agent: "bot", tool: "github__create_issue", argsHash: "a".repeat(64), argsSize: 40 },
      admin
    )
    const outcome = await ws.execute(
      { _tag: "FinishRun", run, status: "ok", durationMs: 15, spans: [0, 1, 2, 3].map((i) => span(run, i)) },
      admin
    )
    if (!outcome.ok) throw new Error(JSON.stringify(outcome.error))
    return outcome.seq
  }

  // Appends on a fixed schedule; each tick's last seq and when its append returned.
  const appended: Array<{ seq: number; at: number }> = []
  const start = performance.now()
  let running = true
  const appender = (async () => {
    for (let tick = 0; performance.now() - start < SECONDS * 1000; tick++) {
      const due = start + tick * TICK_MS
      if (performance.now() < due) await sleep(due - performance.now())
      const seqs = await Promise.all(Array.from({ length: CALLS_PER_TICK }, call))
      appended.push({ seq: Math.max(...seqs), at: performance.now() })
    }
    running = false
  })()

  // Watches D1 for the newest seq of this workspace.
  const seen: Array<{ seq: number; at: number }> = []
  const newest = async () =>
    (await bindings.READ_MODELS.prepare("SELECT max(seq) AS seq FROM events WHERE workspace = ?").bind(SLUG).first<{ seq: number | null }>())?.seq ?? 0
  const watcher = (async () => {
    while (running || (seen.at(-1)?.seq ?? 0) < (appended.at(-1)?.seq ?? 0)) {
      seen.push({ seq: await newest(), at: performance.now() })
      await sleep(POLL_MS)
    }
  })()
  await Promise.all([appender, watcher])
  const elapsedS = (appended.at(-1)!.at - start) / 1000

  const lags = appended.map(({ seq, at }) => seen.find((s) => s.seq >= seq && s.at >= at)!.at - at)
  const { seq: head } = await ws.snapshot()
  const rows = await bindings.READ_MODELS.prepare("SELECT count(*) AS n, count(DISTINCT seq) AS d, min(seq) AS lo, max(seq) AS hi FROM events WHERE workspace = ?")
    .bind(SLUG)
    .first<{ n: number; d: number; lo: number; hi: number }>()
  const lost = head - rows!.d
  expect(rows).toEqual({ n: head, d: head, lo: 1, hi: head })

  // Baseline: the same batches written to D1 straight from here, one batch per append.
  const log = (await ws.events(1, 1000)).map(decodeEvent)
  const batch = log.filter((e) => e.type !== "WorkspaceCreated" && e.type !== "AgentRegistered").slice(0, CALLS_PER_TICK * EVENTS_PER_CALL)
  const baselineMs: Array<number> = []
  for (let i = 0; i < 50; i++) {
    const statements = batch.flatMap((e) => d1Statements(`bench-baseline-${i}`, e))
    const t0 = performance.now()
    await bindings.READ_MODELS.batch(statements.map((s) => bindings.READ_MODELS.prepare(s.sql).bind(...s.params)))
    baselineMs.push(performance.now() - t0)
  }

  const p50 = median(lags)
  const result = {
    events: head,
    seconds: elapsedS,
    eventsPerSecond: head / elapsedS,
    lagMs: { p50, p95: percentile(lags, 95), max: Math.max(...lags) },
    baselineBatchMs: { p50: median(baselineMs), max: Math.max(...baselineMs) },
    ratio: p50 / median(baselineMs),
    lost,
    pollMs: POLL_MS
  }
  console.log(
    [
      "",
      `Fan-out lag to D1: ${head} events in ${elapsedS.toFixed(1)} s (${Math.round(result.eventsPerSecond)} events/s), D1 polled every ${POLL_MS} ms`,
      table(
        ["measure", "p50 ms", "p95 ms", "max ms"],
        [
          ["lag: append returned -> visible in D1", p50.toFixed(1), result.lagMs.p95.toFixed(1), result.lagMs.max.toFixed(1)],
          [`baseline: one ${batch.length}-event batch written to D1 directly`, result.baselineBatchMs.p50.toFixed(1), "", result.baselineBatchMs.max.toFixed(1)]
        ]
      ),
      `ratio (lag p50 / baseline p50): ${result.ratio.toFixed(2)}; target p50 < ${TARGET_P50_MS} ms (${p50 < TARGET_P50_MS ? "pass" : "MISS"}), lost events: ${lost} (${lost === 0 ? "pass" : "MISS"})`,
      ""
    ].join("\n")
  )
  task.meta.berthBench = { name: "fanout-lag", rate: RATE, targets: { p50Ms: TARGET_P50_MS, lost: 0 }, ...result }
})
