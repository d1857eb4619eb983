// Append throughput into one workspace: events/s through the real append path (ULID, JCS, sha256
// chain, INSERT, evolve, projection save), against a raw INSERT of the same rows into a copy of the
// events table in the same Durable Object, measured in the same run. Prints; never asserts timings.
import { runInDurableObject } from "cloudflare:test"
import { env } from "cloudflare:workers"
import { expect, it } from "vitest"
import type { Env } from "../src/env.ts"
import type { Workspace } from "../src/workspace/durable-object.ts"
import { BENCH_AGENT, benchWorkspace, type BenchWorkspace, eventData, type RawRow, type TransactionSizes } from "./bench-workspace.ts"
import { timeInObject } from "./measure.ts"
import { formatRate, median, perSecond, table } from "./stats.ts"
import { RunStream, captureCommands, runRecordingCommands } from "./run-workload.ts"

const EVENTS = 20_000
const COMMANDS = 10_000
/** Tool calls' worth of run recording (2 commands, 6 events each). */
const RECORDED_CALLS = 2_000
const WARMUP = 1
const REPEATS = 5
export const TARGET_EVENTS_PER_SECOND = 50_000
export const TARGET_RATIO = 0.5

const SLUG = "bench-append"

interface CaseSpec<Input> {
  readonly name: string
  readonly events: number
  /** Events per transaction: a fixed number, or a repeating pattern of group sizes. */
  readonly perTransaction: TransactionSizes
  readonly prepare: () => Input
  readonly run: (ws: BenchWorkspace, input: Input) => void
}

export interface CaseResult {
  readonly name: string
  readonly events: number
  readonly perTransaction: TransactionSizes
  readonly berthEventsPerSecond: number
  readonly baselineEventsPerSecond: number
  readonly ratio: number
  /** INSERT + JCS + sha256 of each row (BenchWorkspace.insertChained): the most this log's format allows. */
  readonly floorEventsPerSecond: number
  readonly floorRatio: number
  /** Berth's rate over the floor's, per repeat: how close the append comes to the chain's own cost. */
  readonly ofFloor: number
  readonly samples: ReadonlyArray<{ readonly berthMs: number; readonly baselineMs: number; readonly floorMs: number }>
}

const measureCase = async <Input>(stub: DurableObjectStub, spec: CaseSpec<Input>): Promise<CaseResult> => {
  const samples: Array<{ berthMs: number; baselineMs: number; floorMs: number }> = []
  for (let repeat = -WARMUP; repeat < REPEATS; repeat++) {
    const input = spec.prepare()
    const from = await runInDurableObject(stub, (_: unknown, ctx) => benchWorkspace(ctx, SLUG).stores.log.head.seq)
    const berthMs = await timeInObject(stub, (ctx) => spec.run(benchWorkspace(ctx, SLUG), input))
    const rows: Array<RawRow> = await runInDurableObject(stub, (_: unknown, ctx) => benchWorkspace(ctx, SLUG).rowsAfter(from))
    expect(rows).toHaveLength(spec.events)
    const baselineMs = await timeInObject(stub, (ctx) => benchWorkspace(ctx, SLUG).insertRaw(rows, spec.perTransaction))
    const data = eventData(rows)
    const floorMs = await timeInObject(stub, (ctx) => benchWorkspace(ctx, SLUG).insertChained(rows, data, spec.perTransaction))
    // The floor computed the very hashes the append stored, so it did the chain's whole work.
    const floorHashes = await runInDurableObject(stub, (_: unknown, ctx) => benchWorkspace(ctx, SLUG).floorHashesAfter(from))
    expect(floorHashes).toEqual(rows.map((row) => row[10]))
    if (repeat >= 0) samples.push({ berthMs, baselineMs, floorMs })
  }
  return {
    name: spec.name,
    events: spec.events,
    perTransaction: spec.perTransaction,
    berthEventsPerSecond: median(samples.map((s) => perSecond(spec.events, s.berthMs))),
    baselineEventsPerSecond: median(samples.map((s) => perSecond(spec.events, s.baselineMs))),
    // The ratio of each repeat's pair, so drift across the run cancels.
    ratio: median(samples.map((s) => s.baselineMs / s.berthMs)),
    floorEventsPerSecond: median(samples.map((s) => perSecond(spec.events, s.floorMs))),
    floorRatio: median(samples.map((s) => s.baselineMs / s.floorMs)),
    ofFloor: median(samples.map((s) => s.floorMs / s.berthMs)),
    samples
  }
}

const inBatches = <T>(items: ReadonlyArray<T>, size: number): Array<ReadonlyArray<T>> =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size))

it("append throughput: Berth vs raw SQLite INSERT in the same Durable Object", async ({ task }) => {
  // Typed through src/env.ts directly, so the bench does not depend on the tests' env augmentation.
  const stub = (env as unknown as Env).WORKSPACE.getByName(SLUG)
  const stream = new RunStream()

  const results: Array<CaseResult> = []
  results.push(
    await measureCase(stub, {
      name: "append, 100 events/txn",
      events: EVENTS,
      perTransaction: 100,
      prepare: () => inBatches(stream.take(EVENTS), 100),
      run: (ws, batches) => {
        for (const batch of batches) ws.append(batch)
      }
    })
  )
  results.push(
    await measureCase(stub, {
      name: "append, 1 event/txn",
      events: EVENTS,
      perTransaction: 1,
      prepare: () => inBatches(stream.take(EVENTS), 1),
      run: (ws, batches) => {
        for (const batch of batches) ws.append(batch)
      }
    })
  )
  results.push(
    await measureCase(stub, {
      name: "executeCommand(SetPayloadCapture), 1 event/txn",
      events: COMMANDS,
      perTransaction: 1,
      prepare: () => captureCommands(COMMANDS),
      run: (ws, commands) => {
        for (const command of commands) ws.execute(command)
      }
    })
  )

  results.push(
    await measureCase(stub, {
      name: "run recording (StartRun + FinishRun: 2 txns, 6 events per call)",
      events: RECORDED_CALLS * 6,
      // The baseline inserts the same rows in the same transactions: 1 then 5 per call.
      perTransaction: [1, 5],
      // Run ids repeat across repeats: a finished run's id may start again (only open runs must be unique).
      prepare: () => runRecordingCommands(RECORDED_CALLS, BENCH_AGENT),
      run: (ws, commands) => {
        for (const command of commands) ws.execute(command)
      }
    })
  )

  const verified = await runInDurableObject(stub, (instance: Workspace) => instance.verify())
  expect(verified.ok).toBe(true)

  const headline = results[0]!
  const verdict = (ok: boolean) => (ok ? "pass" : "MISS")
  console.log(
    [
      "",
      `Append throughput, one workspace (median of ${REPEATS} after ${WARMUP} warm-up; ratio = Berth / raw INSERT, per repeat)`,
      table(
        ["case", "events", "Berth events/s", "raw INSERT events/s", "ratio", "INSERT + JCS + sha256 events/s", "its ratio", "Berth / it"],
        results.map((r) => [
          r.name,
          String(r.events),
          formatRate(r.berthEventsPerSecond),
          formatRate(r.baselineEventsPerSecond),
          r.ratio.toFixed(3),
          formatRate(r.floorEventsPerSecond),
          r.floorRatio.toFixed(3),
          r.ofFloor.toFixed(3)
        ])
      ),
      "INSERT + JCS + sha256: the same INSERTs, each row's data canonicalized and hashed as the append does; the chain's floor (no ids, envelopes or projection)",
      "",
      `target: >= ${formatRate(TARGET_EVENTS_PER_SECOND)} events/s (${verdict(headline.berthEventsPerSecond >= TARGET_EVENTS_PER_SECOND)}),` +
        ` ratio >= ${TARGET_RATIO} (${verdict(headline.ratio >= TARGET_RATIO)}), measured on "${headline.name}"` +
        (headline.floorEventsPerSecond < TARGET_EVENTS_PER_SECOND
          ? `; INSERT + JCS + sha256 alone ran at ${formatRate(headline.floorEventsPerSecond)} events/s, below the events/s target before any projection`
          : ""),
      `log verified: ${verified.count} events, chain ok`,
      ""
    ].join("\n")
  )

  task.meta.berthBench = {
    name: "append",
    warmup: WARMUP,
    repeats: REPEATS,
    targets: { eventsPerSecond: TARGET_EVENTS_PER_SECOND, ratio: TARGET_RATIO },
    results
  }
})
