// Issue 16: the hop with an OAuth access token against the hop with an agent key, in the same run,
// on the same plane and workspace (bench/node/docked-plane.ts). A key is checked inside the workspace's
// Durable Object; a token is validated in the Worker by workers-oauth-provider (remembered per isolate
// for 30 s, src/oauth/token-cache.ts) and forwarded to the object naming its agent. Prints and writes
// bench/results/oauth-hop.json; never asserts timings, only that both paths called and recorded right.
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client"
import { afterAll, beforeAll, expect, inject, it, type TaskMeta } from "vitest"
import { formatRate, median, percentile, perSecond, table } from "../stats.ts"
import { type DockedPlane, dockedPlane, modernClient } from "./docked-plane.ts"
import { type Call, concurrent, echoCall, echoesSent, sequential, type Throughput } from "./load.ts"
import type { OAuthAgent } from "./oauth-token.ts"
import { cpuMeter } from "./process-cpu.ts"

const WARMUP_CALLS = 200
const LATENCY_PAIRS = 20
const BLOCK_CALLS = 50
const THROUGHPUT_CALLS = 500
const THROUGHPUT_REPEATS = 6
const CONCURRENCY = 32
/** Fresh tokens (refresh grant), each timed on its first call: the validation the cache then saves. */
const COLD_TOKENS = 20
/** Every phase stops issuing calls at its deadline, so a slow machine shortens the run rather than hang it. */
const PHASE_LIMIT_MS = { warmup: 30_000, latency: 60_000, throughput: 10_000 }

/** OAuth's cost over the key's, as a ratio: p50 latency (OAuth / key) and calls/s at 32 (key / OAuth). */
export const TARGET_RATIO = 1.05

let docked: DockedPlane
let oauthAgent: OAuthAgent
let keyed: Client
let tokened: Client
/** One client whose bearer is whichever fresh token `coldToken` holds now. */
let cold: Client
let coldToken = ""
beforeAll(async () => {
  docked = await dockedPlane(new URL(inject("upstreamRuntimeUrl")).origin)
  oauthAgent = await docked.oauthAgent("Bench Agent")
  keyed = await modernClient(docked.endpoint, { authorization: `Bearer ${docked.key}` })
  tokened = await modernClient(docked.endpoint, { authorization: `Bearer ${oauthAgent.accessToken}` })
  coldToken = oauthAgent.accessToken
  cold = new Client({ name: "berth-bench-agent", version: "1.0.0" }, { versionNegotiation: { mode: { pin: "2026-07-28" } } })
  await cold.connect(
    new StreamableHTTPClientTransport(new URL(docked.endpoint), {
      fetch: (url, init) => {
        const headers = new Headers(init?.headers)
        headers.set("authorization", `Bearer ${coldToken}`)
        return fetch(url, { ...init, headers })
      }
    })
  )
}, 120_000)
afterAll(async () => {
  await Promise.allSettled([keyed?.close(), tokened?.close(), cold?.close()])
  await docked?.stop()
})


const timed = async (call: Call) => {
  const t0 = performance.now()
  await call()
  return performance.now() - t0
}

interface MeteredRun extends Throughput {
  readonly planeCpuMsPerCall: number | null
}

const latencyRow = (ms: ReadonlyArray<number>) => ({ calls: ms.length, p50: percentile(ms, 50), p99: percentile(ms, 99) })
const fmtMs = (ms: number) => ms.toFixed(2)
const verdict = (ratio: number) => (ratio <= TARGET_RATIO ? "PASS" : "MISS")

/** Runs the workspace recorded for `agent`, newest first, that are anything but an ok `up__echo`. */
const strayRuns = async (agent: string) => (await docked.runs({ agent, limit: 1000 })).filter((r) => r.tool !== "up__echo" || r.status !== "ok")

const RESTARTED = "a runtime restarted mid-run (wrangler rebuilt it after a source file changed); run again"

it("the hop with an OAuth token vs with an agent key", async ({ task }) => {
  const pids = docked.runtimePids()
  // A runtime restarted by a rebuild drops connections (a call fails) and the isolate's caches.
  const restarted = () => {
    const now = docked.runtimePids()
    return now.plane !== pids.plane || now.upstream !== pids.upstream
  }
  try {
    await measure(task, pids.plane)
  } catch (error) {
    if (restarted()) throw new Error(RESTARTED, { cause: error })
    throw error
  }
  if (restarted()) throw new Error(RESTARTED)
})

const measure = async (task: { meta: TaskMeta }, planePid: number | undefined) => {
  expect(oauthAgent.agent).not.toBe("bot")
  const keyEcho = echoCall(keyed)
  const tokenEcho = echoCall(tokened)
  const coldEcho = echoCall(cold)

  // 1. A token's first call in the isolate (KV read and the grant's decryption), against a key call
  //    and the same token's second call (answered from the isolate's cache).
  const firstCall: Array<number> = []
  const secondCall: Array<number> = []
  const keyCall: Array<number> = []
  for (let i = 0; i < COLD_TOKENS; i++) {
    coldToken = await oauthAgent.refresh()
    firstCall.push(await timed(coldEcho))
    secondCall.push(await timed(coldEcho))
    keyCall.push(await timed(keyEcho))
  }
  // Every call so far is recorded under the agent that made it: the token's under the OAuth agent.
  const coldRuns = await docked.runs({ agent: oauthAgent.agent, limit: 1000 })
  expect(coldRuns.map((r) => [r.tool, r.status])).toEqual(Array.from({ length: 2 * COLD_TOKENS }, () => ["up__echo", "ok"]))
  expect((await docked.runs({ agent: "bot", limit: 1000 })).length).toBe(COLD_TOKENS)
  const coldTokens = {
    tokens: COLD_TOKENS,
    firstCallP50: median(firstCall),
    secondCallP50: median(secondCall),
    keyCallP50: median(keyCall),
    /** What validating a token not yet remembered adds to its first call. */
    firstOverSecondP50: median(firstCall) - median(secondCall)
  }

  // 2. Warm-up: JIT, the pooled upstream client, connections, the token remembered.
  //    The two alternate, so a deadline cut leaves both about as warm.
  let turn = 0
  const either: Call = () => (turn++ % 2 === 0 ? keyEcho() : tokenEcho())
  const warmupDeadline = performance.now() + PHASE_LIMIT_MS.warmup
  await sequential(either, 2 * WARMUP_CALLS, warmupDeadline)
  await concurrent(either, 2 * CONCURRENCY * 10, CONCURRENCY, warmupDeadline)

  // 3. Latency, one call at a time, in pairs of blocks whose order alternates, so drift hits both.
  const keyMs: Array<number> = []
  const tokenMs: Array<number> = []
  const pairRatios: Array<number> = []
  const pairCpuRatios: Array<number> = []
  const events = { key: 0, token: 0 }
  const planeCpuMs = { key: 0, token: 0 }
  const latencyDeadline = performance.now() + PHASE_LIMIT_MS.latency
  let latencyCutShort = false
  const block = async (call: Call, path: "key" | "token") => {
    const head0 = await docked.head()
    const meter = cpuMeter(planePid === undefined ? {} : { plane: [planePid] })
    const run = await sequential(call, BLOCK_CALLS, latencyDeadline)
    const cpuMs = meter.stop().plane ?? 0
    planeCpuMs[path] += cpuMs
    events[path] += (await docked.head()) - head0
    latencyCutShort ||= run.cutShort
    return { ms: run.ms, cpuMsPerCall: cpuMs / run.ms.length }
  }
  for (let pair = 0; pair < LATENCY_PAIRS && !latencyCutShort; pair++) {
    const keyFirst = pair % 2 === 0
    const first = await block(keyFirst ? keyEcho : tokenEcho, keyFirst ? "key" : "token")
    const second = await block(keyFirst ? tokenEcho : keyEcho, keyFirst ? "token" : "key")
    const [viaKey, viaToken] = keyFirst ? [first, second] : [second, first]
    keyMs.push(...viaKey.ms)
    tokenMs.push(...viaToken.ms)
    if (viaKey.ms.length && viaToken.ms.length) {
      pairRatios.push(median(viaToken.ms) / median(viaKey.ms))
      pairCpuRatios.push(viaToken.cpuMsPerCall / viaKey.cpuMsPerCall)
    }
  }
  const latency = {
    key: latencyRow(keyMs),
    oauth: latencyRow(tokenMs),
    ratioP50: percentile(tokenMs, 50) / percentile(keyMs, 50),
    ratioP99: percentile(tokenMs, 99) / percentile(keyMs, 99),
    /** The median of each block pair's p50 ratio: the same figure with drift cancelled. */
    ratioP50PerPair: median(pairRatios),
    pairs: pairRatios.length,
    /** The plane workerd's CPU per call, one at a time, and OAuth / key, the median of each pair's ratio. */
    planeCpuMsPerCall:
      planePid === undefined
        ? null
        : { key: planeCpuMs.key / keyMs.length, oauth: planeCpuMs.token / tokenMs.length, ratio: median(pairCpuRatios) },
    eventsPerCall: { key: events.key / keyMs.length, oauth: events.token / tokenMs.length },
    cutShort: latencyCutShort
  }

  // 4. Throughput with 32 calls in flight, in pairs of runs whose order alternates.
  //    The plane's CPU per call (its workerd, from /proc) is read too: other work on the machine moves
  //    calls/s far more than it moves the CPU a call costs.
  const runs: Array<{ key: MeteredRun; oauth: MeteredRun }> = []
  for (let repeat = 0; repeat < THROUGHPUT_REPEATS; repeat++) {
    const run = async (call: Call): Promise<MeteredRun> => {
      const meter = cpuMeter(planePid === undefined ? {} : { plane: [planePid] })
      const done = await concurrent(call, THROUGHPUT_CALLS, CONCURRENCY, performance.now() + PHASE_LIMIT_MS.throughput)
      const plane = meter.stop().plane
      return { ...done, planeCpuMsPerCall: plane === undefined ? null : plane / done.calls }
    }
    if (repeat % 2 === 0) {
      const key = await run(keyEcho)
      runs.push({ key, oauth: await run(tokenEcho) })
    } else {
      const oauth = await run(tokenEcho)
      runs.push({ key: await run(keyEcho), oauth })
    }
  }
  const rate = (run: Throughput) => perSecond(run.calls, run.ms)
  const throughput = {
    concurrency: CONCURRENCY,
    calls: THROUGHPUT_CALLS,
    keyCallsPerSecond: median(runs.map((r) => rate(r.key))),
    oauthCallsPerSecond: median(runs.map((r) => rate(r.oauth))),
    /** key / OAuth calls/s, the median of each repeat's pair: above 1 means OAuth serves fewer. */
    ratio: median(runs.map((r) => rate(r.key) / rate(r.oauth))),
    /** The plane workerd's CPU per call, and OAuth / key, the median of each repeat's pair. */
    planeCpuMsPerCall:
      planePid === undefined
        ? null
        : {
            key: median(runs.map((r) => r.key.planeCpuMsPerCall!)),
            oauth: median(runs.map((r) => r.oauth.planeCpuMsPerCall!)),
            ratio: median(runs.map((r) => r.oauth.planeCpuMsPerCall! / r.key.planeCpuMsPerCall!))
          },
    cutShort: runs.some((r) => r.key.cutShort || r.oauth.cutShort),
    runs
  }

  // Both paths did the whole hop: the upstream saw every echo, each call wrote a full run, and the
  // latest runs of each agent are its own echoes, all ok.
  expect((await docked.upstreamCalls()).echo).toBe(echoesSent())
  expect(latency.eventsPerCall.key).toBe(6)
  expect(latency.eventsPerCall.oauth).toBe(6)
  expect(await strayRuns(oauthAgent.agent)).toEqual([])
  expect(await strayRuns("bot")).toEqual([])
  expect((await docked.runs({ agent: oauthAgent.agent, limit: 1000 })).length).toBe(1000)

  const seqCpu = latency.planeCpuMsPerCall
  const cpu = throughput.planeCpuMsPerCall
  const cpuCell = (ms: number | undefined) => (ms === undefined ? "-" : ms.toFixed(2))
  const pass = { p50: latency.ratioP50 <= TARGET_RATIO, callsPerSecond: throughput.ratio <= TARGET_RATIO }
  console.log(
    [
      "",
      `The hop with an OAuth token vs with an agent key: tools/call up__echo, one at a time (${keyMs.length} calls each, ${latency.pairs} pairs of blocks of ${BLOCK_CALLS}), then ${CONCURRENCY} in flight (${THROUGHPUT_REPEATS} pairs of runs of ${THROUGHPUT_CALLS})`,
      table(
        ["path", "p50 ms", "p99 ms", "plane CPU ms/call", `calls/s at ${CONCURRENCY}`, `plane CPU ms/call at ${CONCURRENCY}`],
        [
          [
            "agent key (baseline)",
            fmtMs(latency.key.p50),
            fmtMs(latency.key.p99),
            cpuCell(seqCpu?.key),
            formatRate(throughput.keyCallsPerSecond),
            cpuCell(cpu?.key)
          ],
          [
            `OAuth token (agent ${oauthAgent.agent})`,
            fmtMs(latency.oauth.p50),
            fmtMs(latency.oauth.p99),
            cpuCell(seqCpu?.oauth),
            formatRate(throughput.oauthCallsPerSecond),
            cpuCell(cpu?.oauth)
          ],
          [
            "ratio (OAuth cost / key)",
            `${latency.ratioP50.toFixed(3)} ${verdict(latency.ratioP50)}`,
            latency.ratioP99.toFixed(3),
            seqCpu ? seqCpu.ratio.toFixed(3) : "-",
            `${throughput.ratio.toFixed(3)} ${verdict(throughput.ratio)}`,
            cpu ? cpu.ratio.toFixed(3) : "-"
          ]
        ]
      ),
      `p50 ratio, median of per-pair ratios: ${latency.ratioP50PerPair.toFixed(3)}. The calls/s ratio is key / OAuth; CPU ratios are OAuth / key; each at ${CONCURRENCY} is the median of its pairs' ratios.`,
      `target: at most ${TARGET_RATIO}x` + (latencyCutShort || throughput.cutShort ? "  [a phase hit its time limit]" : ""),
      `a fresh token's first call (${COLD_TOKENS} tokens, medians): ${fmtMs(coldTokens.firstCallP50)} ms, its second ${fmtMs(coldTokens.secondCallP50)} ms,` +
        ` a key call ${fmtMs(coldTokens.keyCallP50)} ms: validating it costs the first call ${fmtMs(coldTokens.firstOverSecondP50)} ms`,
      ""
    ].join("\n")
  )

  task.meta.berthBench = {
    name: "oauth-hop",
    setup: {
      warmupCalls: WARMUP_CALLS,
      latencyPairs: LATENCY_PAIRS,
      blockCalls: BLOCK_CALLS,
      concurrency: CONCURRENCY,
      throughputCalls: THROUGHPUT_CALLS,
      throughputRepeats: THROUGHPUT_REPEATS,
      coldTokens: COLD_TOKENS
    },
    target: { ratio: TARGET_RATIO },
    pass,
    latency,
    throughput,
    coldTokens
  }
}
