// Replay speed: events/s to rebuild a workspace's state from 100,000 events, from the Durable
// Object's log (stateAt over the SQLite scan) and from the R2 archive (replayArchive over 100
// sealed segments; also with every hash recomputed, as the CLI's verified replay does). Each is paired with a baseline in the same run that only reads the same
// bytes (rows + JSON.parse; R2 get + gunzip + JSON.parse), so the ratio is what replay adds.
import { runInDurableObject } from "cloudflare:test"
import { env } from "cloudflare:workers"
import { expect, it } from "vitest"
import { replayArchive } from "../projections/archive/replay.ts"
import { gunzip, parseNdjson } from "../projections/archive/segment.ts"
import { type ArchiveSource, readManifest } from "../projections/archive/verify.ts"
import type { Env } from "../src/env.ts"
import { Archiver } from "../src/fanout/archiver.ts"
import { Cursors } from "../src/fanout/cursors.ts"
import { stateAt } from "../src/workspace/history.ts"
import { TEST_AUDIT_SIGNING_KEY } from "../test/keys.ts"
import { benchWorkspace } from "./bench-workspace.ts"
import { RunStream } from "./run-workload.ts"
import { formatRate, median, perSecond, table } from "./stats.ts"

const EVENTS = 100_000
const SEGMENT_EVENTS = 1_000
const REPEATS = 5
export const TARGET_EVENTS_PER_SECOND = 200_000
const SLUG = "bench-replay"

const timed = async (work: () => Promise<unknown>) => {
  const t0 = performance.now()
  await work()
  return performance.now() - t0
}

it("replay speed: 100,000 events from the Durable Object log and from the R2 archive", async ({ task }) => {
  const bindings = env as unknown as Env
  const stub = bindings.WORKSPACE.getByName(SLUG)
  const r2: ArchiveSource = {
    read: async (key) => {
      const object = await bindings.AUDIT.get(key)
      return object ? new Uint8Array(await object.arrayBuffer()) : null
    }
  }

  // 100,000 run events (a tool call's RunStarted, two spans, RunFinished), then sealed into 100 segments.
  const head = await runInDurableObject(stub, async (_: unknown, state) => {
    const ws = benchWorkspace(state, SLUG)
    const stream = new RunStream()
    while (ws.stores.log.head.seq < EVENTS) ws.append(stream.take(100))
    const archiver = new Archiver(bindings.AUDIT, SLUG, ws.stores.log, new Cursors(state.storage.sql), state.storage, TEST_AUDIT_SIGNING_KEY, {
      segmentEvents: SEGMENT_EVENTS,
      sealSeconds: 3600
    })
    const sealed = await archiver.sealAll()
    expect(sealed.lag).toBe(0)
    return ws.stores.log.head
  })
  const manifest = await readManifest(r2, SLUG)
  expect(manifest.segments.at(-1)!.lastSeq).toBe(head.seq)

  const samples = {
    log: [] as Array<number>,
    logBaseline: [] as Array<number>,
    archive: [] as Array<number>,
    verified: [] as Array<number>,
    archiveBaseline: [] as Array<number>
  }
  for (let repeat = -1; repeat < REPEATS; repeat++) {
    const keep = (list: Array<number>, ms: number) => repeat >= 0 && list.push(ms)
    keep(
      samples.log,
      await timed(() =>
        runInDurableObject(stub, (_: unknown, state) => {
          const replayed = stateAt(benchWorkspace(state, SLUG).stores.log, { seq: head.seq })
          expect(replayed.hash).toBe(head.hash)
        })
      )
    )
    keep(
      samples.logBaseline,
      await timed(() =>
        runInDurableObject(stub, (_: unknown, state) => {
          let n = 0
          for (const row of state.storage.sql.exec<{ data: string; actor: string }>("SELECT * FROM events")) {
            JSON.parse(row.data)
            JSON.parse(row.actor)
            n++
          }
          expect(n).toBeGreaterThanOrEqual(head.seq)
        })
      )
    )
    keep(
      samples.archive,
      await timed(() =>
        runInDurableObject(stub, async () => {
          const replayed = await replayArchive(r2, manifest, { seq: head.seq })
          expect(replayed.hash).toBe(head.hash)
        })
      )
    )
    keep(
      samples.verified,
      await timed(() =>
        runInDurableObject(stub, async () => {
          const replayed = await replayArchive(r2, manifest, { seq: head.seq }, { rehash: true })
          expect(replayed.hash).toBe(head.hash)
        })
      )
    )
    keep(
      samples.archiveBaseline,
      await timed(() =>
        runInDurableObject(stub, async () => {
          let n = 0
          for (const entry of manifest.segments) n += parseNdjson(new TextDecoder().decode(await gunzip((await r2.read(entry.key))!))).length
          expect(n).toBe(head.seq)
        })
      )
    )
  }

  const row = (name: string, ms: Array<number>, baselineMs: Array<number>) => {
    const eventsPerSecond = median(ms.map((m) => perSecond(head.seq, m)))
    const baselineEventsPerSecond = median(baselineMs.map((m) => perSecond(head.seq, m)))
    const ratio = median(ms.map((m, i) => baselineMs[i]! / m))
    return { name, events: head.seq, eventsPerSecond, baselineEventsPerSecond, ratio, samplesMs: ms, baselineSamplesMs: baselineMs }
  }
  const results = [
    row("replay from the Durable Object log", samples.log, samples.logBaseline),
    row("replay from the R2 archive (sha256 + links)", samples.archive, samples.archiveBaseline),
    row("verified replay from the R2 archive (every hash)", samples.verified, samples.archiveBaseline)
  ]
  const verdict = (r: { name: string; eventsPerSecond: number }) =>
    r.name.startsWith("verified") ? "-" : r.eventsPerSecond >= TARGET_EVENTS_PER_SECOND ? "pass" : "MISS"
  console.log(
    [
      "",
      `Replay speed, ${head.seq} events (median of ${REPEATS} after 1 warm-up; ratio = baseline time / replay time, per repeat)`,
      table(
        ["case", "events/s", "baseline events/s", "ratio", "target"],
        results.map((r) => [r.name, formatRate(r.eventsPerSecond), formatRate(r.baselineEventsPerSecond), r.ratio.toFixed(3), verdict(r)])
      ),
      `baselines: the log's rows read and JSON-parsed; the archive's segments fetched, gunzipped and JSON-parsed. target >= ${formatRate(TARGET_EVENTS_PER_SECOND)} events/s`,
      "the verified row is what berth replay --from-archive runs in the CLI (it recomputes every hash); the target is for rebuilding state, the first two rows",
      ""
    ].join("\n")
  )
  task.meta.berthBench = { name: "replay", repeats: REPEATS, segmentEvents: SEGMENT_EVENTS, targets: { eventsPerSecond: TARGET_EVENTS_PER_SECOND }, results }
})
