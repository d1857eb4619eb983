// Where an append's time goes: the full append path (100 events per transaction), then each of
// its steps alone over the same envelopes, all timed the same way. Prints; never asserts timings.
import { runInDurableObject } from "cloudflare:test"
import { env } from "cloudflare:workers"
import { expect, it } from "vitest"
import type { Envelope } from "../events/index.ts"
import type { WorkspaceState } from "../projections/state.ts"
import type { Env } from "../src/env.ts"
import { appendSteps, evolveInput, type Transition } from "./append-breakdown.ts"
import { benchWorkspace, type RawRow } from "./bench-workspace.ts"
import { timeInObject } from "./measure.ts"
import { median, table } from "./stats.ts"
import { OPEN_RUNS, RunStream } from "./run-workload.ts"

const EVENTS = 20_000
/** evolve copies a whole entity record when one entity changes, so its cost follows the open runs. */
const OPEN_RUNS_SCALE = [1, 5, 50, 500] as const
const SCALE_EVENTS = 4_000
const HISTORY_EVENTS = 20_000
const PER_TRANSACTION = 100
const REPEATS = 3
const SLUG = "bench-breakdown"

/** A pause between steps, so garbage one step leaves is collected before the next is timed. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 100))

const inBatches = <T>(items: ReadonlyArray<T>, size: number): Array<ReadonlyArray<T>> =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size))

it("append breakdown: the steps of one append, timed alone", async ({ task }) => {
  const namespace = (env as unknown as Env).WORKSPACE
  const stub = namespace.getByName(SLUG)
  // saveProjection writes its own object's projection table, so the workspace's stays untouched.
  const scratch = namespace.getByName(`${SLUG}-projection`)
  const stream = new RunStream()
  const samples = new Map<string, Array<number>>()
  const sample = async (step: string, stubFor: DurableObjectStub, block: (ctx: DurableObjectState) => void) => {
    await settle()
    const ms = await timeInObject(stubFor, block)
    samples.set(step, [...(samples.get(step) ?? []), ms])
  }

  for (let repeat = -1; repeat < REPEATS; repeat++) {
    const events = stream.take(EVENTS)
    const batches = inBatches(events, PER_TRANSACTION)
    const { from, state } = await runInDurableObject(stub, (_: unknown, ctx) => {
      const ws = benchWorkspace(ctx, SLUG)
      return { from: ws.stores.log.head.seq, state: ws.state }
    })
    await sample("append path (total)", stub, (ctx) => {
      const ws = benchWorkspace(ctx, SLUG)
      for (const batch of batches) ws.append(batch)
    })
    const { stored, rows } = await runInDurableObject(stub, (_: unknown, ctx) => {
      const ws = benchWorkspace(ctx, SLUG)
      return { stored: ws.stores.log.read(from + 1, EVENTS), rows: ws.rowsAfter(from) }
    })
    // The envelopes as the append built them: read back, with the very `data` objects appended
    // (evolve on JSON-parsed data measured several times slower than on the objects decide builds).
    const envelopes: Array<Envelope> = stored.map((e, i) => ({ ...e, data: events[i]!.data }))
    expect(envelopes).toHaveLength(EVENTS)

    const texts = await runInDurableObject(stub, () => appendSteps.hashInputs(envelopes, PER_TRANSACTION))
    let transitions: Array<Transition> = []
    const committed: ReadonlyArray<RawRow> = rows
    const before: WorkspaceState = state
    await sample("ULID", stub, () => void appendSteps.ulid(EVENTS))
    await sample("JCS (canonicalize data; the shared and closing parts)", stub, () => void appendSteps.jcs(envelopes, PER_TRANSACTION))
    await sample("sha256 (WebAssembly), the four pieces written in", stub, () => void appendSteps.sha256(texts))
    await sample("evolve", stub, () => void (transitions = appendSteps.evolve(inBatches<Envelope>(envelopes, PER_TRANSACTION), before)))
    await sample("ProjectionStore.save (SQL)", scratch, (ctx) => appendSteps.saveProjection(ctx, transitions))
    await sample("INSERT (raw, same rows)", stub, (ctx) => benchWorkspace(ctx, SLUG).insertRaw(committed, PER_TRANSACTION))
    if (repeat < 0) samples.clear()
  }

  const perEventUs = (ms: number) => (ms * 1000) / EVENTS
  const total = median(samples.get("append path (total)")!)
  const steps = [...samples].map(([step, ms]) => ({ step, ms: median(ms), usPerEvent: perEventUs(median(ms)), share: median(ms) / total }))
  const accounted = steps.filter((s) => s.step !== "append path (total)" && !s.step.startsWith("alt:")).reduce((sum, s) => sum + s.ms, 0)
  steps.push({ step: "unaccounted (envelope objects, transactions, calls)", ms: total - accounted, usPerEvent: perEventUs(total - accounted), share: (total - accounted) / total })

  const scaling: Array<{ openRuns: number; usPerEvent: number }> = []
  for (const openRuns of OPEN_RUNS_SCALE) {
    const runs = new RunStream(openRuns)
    const { state: opened, events } = evolveInput(runs.take(HISTORY_EVENTS), runs.take(SCALE_EVENTS))
    const ms: Array<number> = []
    for (let repeat = -1; repeat < REPEATS; repeat++) {
      await settle()
      const elapsed = await timeInObject(stub, () => void appendSteps.evolve(inBatches(events, PER_TRANSACTION), opened))
      if (repeat >= 0) ms.push(elapsed)
    }
    scaling.push({ openRuns, usPerEvent: (median(ms) * 1000) / SCALE_EVENTS })
  }

  console.log(
    [
      "",
      `Append breakdown: ${EVENTS} events, ${PER_TRANSACTION} per transaction, median of ${REPEATS}; share = step / total`,
      table(
        ["step", "µs/event", "share"],
        steps.map((s) => [s.step, s.usPerEvent.toFixed(2), s.step.startsWith("alt:") ? "" : `${(s.share * 100).toFixed(0)}%`])
      ),
      "",
      `evolve alone by runs open at once (${SCALE_EVENTS} run events, ${PER_TRANSACTION} per transaction; the rows above use ${OPEN_RUNS})`,
      table(
        ["open runs", "µs/event"],
        scaling.map((s) => [String(s.openRuns), s.usPerEvent.toFixed(2)])
      ),
      ""
    ].join("\n")
  )
  task.meta.berthBench = {
    name: "append-breakdown",
    events: EVENTS,
    perTransaction: PER_TRANSACTION,
    openRuns: OPEN_RUNS,
    repeats: REPEATS,
    steps,
    evolveByOpenRuns: scaling
  }
})
