// Workspace memory in one Workspace Durable Object: 10,000 entries put through the object's
// putMemory, then searchMemory (FTS5, bm25, snippets) for common and rare words against a LIKE scan of
// the same rows in the same object, and puts/s against 1-event commands through the same object's
// execute, measured in the same run. Prints; asserts counts and hits, never timings.
import { runInDurableObject } from "cloudflare:test"
import { env } from "cloudflare:workers"
import { expect, it } from "vitest"
import type { Env } from "../src/env.ts"
import type { PutInput } from "../src/memory/memory.ts"
import { ftsQuery } from "../src/memory/search-index.ts"
import type { CommandOptions } from "../src/workspace/execute.ts"
import type { Workspace } from "../src/workspace/durable-object.ts"
import { captureCommands } from "./run-workload.ts"
import { formatRate, median, percentile, perSecond, table } from "./stats.ts"

const ENTRIES = 10_000
/** Puts per timed block while seeding; each block is paired with as many 1-event commands. */
const PUT_BLOCK = 500
/** The first pair of blocks warms the JIT and is not counted. */
const WARMUP_BLOCKS = 1
/** Per query: single calls of the search and of the scan, timed one by one. */
const ROUNDS = 100
/** Per query: blocks of consecutive searches, for a per-call mean finer than the clock's 1 ms step. */
const NET_BLOCKS = 5
const NET_PER_BLOCK = 50
const LIMIT = 10
export const TARGET_SEARCH_P50_MS = 5
export const TARGET_SCAN_OVER_SEARCH = 10

const SLUG = "bench-memory"
const admin: CommandOptions = { actor: { type: "admin", id: "bench" } }

// --- The corpus: runbook, incident and agent notes from templates, seeded, with rare marker words. ---

const mulberry32 = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

const SERVICES = ["checkout", "billing", "search", "postgres", "redis", "the api gateway", "auth", "the scheduler", "ingest", "the web frontend", "notifications", "payments"]
const COMPONENTS = ["connection pool", "certificate", "load balancer", "queue", "replica", "cache", "feature flag", "cron job", "rate limiter", "dns record", "disk", "worker pool"]
const ACTIONS = ["restart", "drain", "scale up", "roll back", "fail over", "page", "resize", "pause", "rotate", "reindex"]
const ERRORS = ["502s", "timeouts", "connection resets", "5xx spikes", "stale reads", "OOM kills", "slow queries", "TLS handshake failures", "duplicate webhooks"]
const PEOPLE = ["ada", "grace", "linus", "margaret", "ken", "barbara", "dennis", "frances", "the on-call engineer", "the release captain"]
const TIMES = ["a deploy", "the nightly backup", "a schema migration", "peak traffic", "the weekly batch", "a region failover", "a config push", "midnight UTC"]
const CUSTOMERS = ["Acme", "Globex", "Initech", "Umbrella", "Hooli", "Stark", "Wayne", "Wonka"]
const TOPICS = ["deploy", "incident", "rollback", "oncall", "customer", "migration", "postmortem", "checklist", "standup", "capacity"]
const NAMESPACES = ["team/runbooks", "team/incidents", "team/oncall", "agent/support-bot/notes", "agent/deploy-bot/scratch"]
const TAGS = ["ops", "p1", "p2", "db", "customer", "release", "security", "billing", "infra", "followup", "runbook", "draft"]

type Pick = <T>(xs: ReadonlyArray<T>) => T
const TEMPLATES: ReadonlyArray<(p: Pick, n: () => number) => string> = [
  (p) => `If ${p(SERVICES)} returns ${p(ERRORS)}, ${p(ACTIONS)} the ${p(COMPONENTS)} and page ${p(PEOPLE)}.`,
  (p) => `Before a deploy of ${p(SERVICES)}, check the ${p(COMPONENTS)} dashboard and confirm the ${p(COMPONENTS)} is healthy.`,
  (p) => `${p(PEOPLE)} noted that ${p(SERVICES)} slows down when the ${p(COMPONENTS)} is cold after ${p(TIMES)}.`,
  (p, n) => `Rollback: ${p(ACTIONS)} ${p(SERVICES)} to the previous release, then verify ${p(COMPONENTS)} latency stays under ${n()} ms.`,
  (p) => `Customer ${p(CUSTOMERS)} prefers weekly summaries; escalate billing questions to ${p(PEOPLE)}.`,
  (p, n) => `The ${p(COMPONENTS)} on ${p(SERVICES)} rotates every ${n()} days; the runbook lives under team/runbooks.`,
  (p, n) => `Known issue: ${p(ERRORS)} from ${p(SERVICES)} during ${p(TIMES)} are harmless unless the error rate exceeds ${n()} percent.`,
  (p, n) => `Agent note: summarize the last ${n()} incidents for ${p(SERVICES)} before the standup.`,
  (p) => `After ${p(TIMES)}, ${p(PEOPLE)} should ${p(ACTIONS)} the ${p(COMPONENTS)} on ${p(SERVICES)} by hand.`,
  (p) => `Do not ${p(ACTIONS)} ${p(SERVICES)} while ${p(TIMES)} is running; ${p(ERRORS)} follow.`
]

/** Marker words: a codename in 1 entry of 200, and one in 1 of 2,000. */
const MARKERS: ReadonlyArray<{ readonly word: string; readonly every: number; readonly offset: number }> = [
  { word: "kestrelbay", every: 200, offset: 7 },
  { word: "zephyrine", every: 2_000, offset: 1_234 }
]

const corpus = (count: number): Array<PutInput> => {
  const random = mulberry32(20261205)
  const pick: Pick = (xs) => xs[Math.floor(random() * xs.length)]!
  const n = () => 2 + Math.floor(random() * 98)
  return Array.from({ length: count }, (_, i) => {
    const sentences = Array.from({ length: 1 + Math.floor(random() * 4) }, () => pick(TEMPLATES)(pick, n))
    for (const m of MARKERS)
      if (i % m.every === m.offset % m.every) sentences.splice(Math.floor(random() * (sentences.length + 1)), 0, `Codename ${m.word} applies here.`)
    const text = sentences.join(" ")
    const tags = [...new Set(Array.from({ length: Math.floor(random() * 4) }, () => pick(TAGS)))]
    return {
      namespace: NAMESPACES[i % NAMESPACES.length]!,
      key: `${pick(TOPICS)}-${String(i).padStart(5, "0")}`,
      value: text,
      ...(tags.length > 0 ? { tags } : {})
    }
  })
}

/** Query words, common to absent; the last is a prefix query. */
const QUERIES = ["the", "deploy", "postgres", "certificate", "kestrelbay", "zephyrine", "quasar", "rollb*"] as const

/** Which entries hold a word (or a word starting with it, for `x*`), tokenized as FTS5's unicode61 does for ASCII. */
const expectedMatches = (entries: ReadonlyArray<PutInput>, query: string): number => {
  const prefix = query.endsWith("*")
  const word = query.replace(/\*$/, "").toLowerCase()
  return entries.filter((e) => {
    const tokens = `${e.key} ${String(e.value)} ${(e.tags ?? []).join(" ")}`.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []
    return tokens.some((t) => (prefix ? t.startsWith(word) : t === word))
  }).length
}

// --- The scan: every row of the index's own content, LIKE on the three columns the index covers. ---

const SCAN = `SELECT f.rowid AS rid FROM memory_fts f
  WHERE f.key LIKE ?1 OR f.body LIKE ?1 OR f.tags LIKE ?1`
/** The scan's pattern for a query: a prefix query matches any word containing the stem. */
const likePattern = (query: string) => `%${query.replace(/\*$/, "")}%`

/** The unbounded ranking, a floor beside the search: bm25 over every match of the query, top 10. */
const RANK_ALL = "SELECT rowid, bm25(memory_fts) AS score FROM memory_fts WHERE memory_fts MATCH ? ORDER BY score LIMIT 10"

const scanAll = (sql: SqlStorage, query: string): number => {
  let n = 0
  for (const _ of sql.exec(SCAN, likePattern(query)).raw()) n++
  return n
}

const time = async (block: () => Promise<unknown>): Promise<number> => {
  const t0 = performance.now()
  await block()
  return performance.now() - t0
}

interface QueryResult {
  readonly query: string
  /** Entries holding the word as a token (FTS5's count), and rows the LIKE scan returns (substrings too). */
  readonly ftsMatches: number
  readonly scanMatches: number
  readonly hits: number
  readonly searchP50Ms: number
  readonly searchP99Ms: number
  readonly scanP50Ms: number
  readonly scanP99Ms: number
  /** scan p50 / search p50, each a single call timed from outside (the round trip in both). */
  readonly ratioP50: number
  /** Mean per call with the mean empty round trip taken off: searches from blocks of NET_PER_BLOCK, scans from the single calls. */
  readonly searchNetMs: number
  readonly scanNetMs: number
  readonly ratioNet: number
  /** Floors, net per call: FTS5 counting the matches, and bm25 ranking all of them (no window). */
  readonly countNetMs: number
  readonly rankAllNetMs: number
}

it("memory: searchMemory vs a LIKE scan of the same 10,000 entries, and putMemory vs 1-event commands", async ({ task }) => {
  const stub = (env as unknown as Env).WORKSPACE.getByName(SLUG)
  await runInDurableObject(stub, async (instance: Workspace) => {
    const created = await instance.execute({ _tag: "CreateWorkspace", workspace: SLUG }, admin)
    expect(created.ok).toBe(true)
  })

  // 1. Seed through putMemory, in blocks of 500 awaited one after another, each paired with 500
  // SetPayloadCapture commands through the same object's execute (1 event each), order alternating.
  const entries = corpus(ENTRIES)
  const commands = captureCommands(ENTRIES)
  const pairs: Array<{ entriesBefore: number; putMs: number; appendMs: number }> = []
  for (let b = 0; b * PUT_BLOCK < ENTRIES; b++) {
    const puts = entries.slice(b * PUT_BLOCK, (b + 1) * PUT_BLOCK)
    const appends = commands.slice(b * PUT_BLOCK, (b + 1) * PUT_BLOCK)
    const putBlock = () =>
      runInDurableObject(stub, async (instance: Workspace) => {
        for (const input of puts) {
          const outcome = await instance.putMemory(input, admin)
          if (!outcome.ok) throw new Error(`put ${input.namespace}/${input.key} refused: ${outcome.error._tag}`)
        }
      })
    const appendBlock = () =>
      runInDurableObject(stub, async (instance: Workspace) => {
        for (const command of appends) {
          const outcome = await instance.execute(command, admin)
          if (!outcome.ok) throw new Error(`command refused: ${outcome.error._tag}`)
        }
      })
    let putMs: number, appendMs: number
    if (b % 2 === 0) {
      putMs = await time(putBlock)
      appendMs = await time(appendBlock)
    } else {
      appendMs = await time(appendBlock)
      putMs = await time(putBlock)
    }
    if (b >= WARMUP_BLOCKS) pairs.push({ entriesBefore: b * PUT_BLOCK, putMs, appendMs })
  }
  const indexed = await runInDurableObject(stub, (_: unknown, state) => state.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM memory_docs").one().n)
  expect(indexed).toBe(ENTRIES)
  const put = {
    block: PUT_BLOCK,
    pairs: pairs.length,
    putsPerSecond: median(pairs.map((p) => perSecond(PUT_BLOCK, p.putMs))),
    appendsPerSecond: median(pairs.map((p) => perSecond(PUT_BLOCK, p.appendMs))),
    // The ratio of each pair, so drift across the seeding cancels.
    ratio: median(pairs.map((p) => p.appendMs / p.putMs)),
    // A put's cost grows with the entries already held: the first counted block and the last.
    firstPutsPerSecond: perSecond(PUT_BLOCK, pairs[0]!.putMs),
    lastPutsPerSecond: perSecond(PUT_BLOCK, pairs.at(-1)!.putMs),
    samples: pairs
  }

  // 2. Counts and hits first (untimed): FTS5 finds exactly the entries holding the word; the scan at least those.
  const checks = await runInDurableObject(stub, (instance: Workspace, state) =>
    QUERIES.map((q) => ({
      query: q,
      fts: state.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM memory_fts WHERE memory_fts MATCH ?", ftsQuery(q)).one().n,
      scan: scanAll(state.storage.sql, q),
      hits: instance.searchMemory(q, {}).hits.length
    }))
  )
  for (const c of checks) {
    const expected = expectedMatches(entries, c.query)
    expect(c.fts, c.query).toBe(expected)
    expect(c.scan, c.query).toBeGreaterThanOrEqual(expected)
    expect(c.hits, c.query).toBe(Math.min(LIMIT, expected))
  }
  expect(checks.find((c) => c.query === "zephyrine")!.fts).toBe(ENTRIES / 2_000)
  expect(checks.find((c) => c.query === "quasar")!.fts).toBe(0)

  // 3. Single calls, each in its own runInDurableObject, timed from outside: search and scan of each
  // query in turn (which goes first alternating by round), and one empty call per round.
  const single = new Map<string, { search: Array<number>; scan: Array<number> }>(QUERIES.map((q) => [q, { search: [], scan: [] }]))
  const empty: Array<number> = []
  const search = (q: string) => () => runInDurableObject(stub, (instance: Workspace) => instance.searchMemory(q, {}).hits.length)
  const scan = (q: string) => () => runInDurableObject(stub, (_: unknown, state) => scanAll(state.storage.sql, q))
  for (const q of QUERIES) for (let w = 0; w < 3; w++) await search(q)(), await scan(q)()
  for (let r = 0; r < ROUNDS; r++) {
    empty.push(await time(() => runInDurableObject(stub, () => undefined)))
    for (const q of QUERIES) {
      const s = single.get(q)!
      if (r % 2 === 0) s.search.push(await time(search(q))), s.scan.push(await time(scan(q)))
      else s.scan.push(await time(scan(q))), s.search.push(await time(search(q)))
    }
  }
  const roundTripMs = empty.reduce((a, b) => a + b, 0) / empty.length
  const mean = (xs: ReadonlyArray<number>) => xs.reduce((a, b) => a + b, 0) / xs.length

  // 4. Blocks of consecutive calls, for a per-call mean below the clock's 1 ms step: the search, and
  // beside it two floors on the same index: FTS5 counting the query's matches (reading its doclist
  // once, what any use of the index pays), and bm25 ranking every match with no window (the ranking
  // the search would do if it did not bound it), top 10.
  const netOf = async (call: (instance: Workspace, sql: SqlStorage) => unknown): Promise<number> => {
    const blocks: Array<number> = []
    for (let b = 0; b < NET_BLOCKS; b++)
      blocks.push(
        await time(() =>
          runInDurableObject(stub, (instance: Workspace, state) => {
            for (let i = 0; i < NET_PER_BLOCK; i++) call(instance, state.storage.sql)
          })
        )
      )
    return Math.max(0, mean(blocks) - roundTripMs) / NET_PER_BLOCK
  }
  const netSearch = new Map<string, number>()
  const floorCount = new Map<string, number>()
  const floorRankAll = new Map<string, number>()
  for (const q of QUERIES) {
    const match = ftsQuery(q)
    netSearch.set(q, await netOf((instance) => instance.searchMemory(q, {})))
    floorCount.set(q, await netOf((_, sql) => sql.exec("SELECT count(*) FROM memory_fts WHERE memory_fts MATCH ?", match).one()))
    floorRankAll.set(q, await netOf((_, sql) => sql.exec(RANK_ALL, match).toArray()))
  }

  const queries: Array<QueryResult> = QUERIES.map((q) => {
    const s = single.get(q)!
    const c = checks.find((c) => c.query === q)!
    const searchP50Ms = percentile(s.search, 50)
    const scanP50Ms = percentile(s.scan, 50)
    const searchNetMs = netSearch.get(q)!
    const scanNetMs = Math.max(0, mean(s.scan) - roundTripMs)
    return {
      query: q,
      ftsMatches: c.fts,
      scanMatches: c.scan,
      hits: c.hits,
      searchP50Ms,
      searchP99Ms: percentile(s.search, 99),
      scanP50Ms,
      scanP99Ms: percentile(s.scan, 99),
      ratioP50: scanP50Ms / searchP50Ms,
      searchNetMs,
      scanNetMs,
      ratioNet: scanNetMs / searchNetMs,
      countNetMs: floorCount.get(q)!,
      rankAllNetMs: floorRankAll.get(q)!
    }
  })

  const worstP50 = Math.max(...queries.map((q) => q.searchP50Ms))
  const worstRatio = Math.min(...queries.map((q) => q.ratioP50))
  const worstNetRatio = Math.min(...queries.map((q) => q.ratioNet))
  const verdict = (ok: boolean) => (ok ? "pass" : "MISS")
  const ms = (x: number, digits = 1) => x.toFixed(digits)
  console.log(
    [
      "",
      `Memory search, ${ENTRIES} entries in one workspace (per query: ${ROUNDS} single calls of each, timed from outside, round trip included;` +
        ` net = mean per call less the mean empty round trip of ${ms(roundTripMs, 2)} ms, searches and floors from ${NET_BLOCKS} blocks of ${NET_PER_BLOCK}; floors: FTS5 counting the matches, and bm25 ranking all of them with no window)`,
      table(
        ["query", "FTS matches", "scan rows", "hits", "search p50 ms", "p99", "scan p50 ms", "p99", "scan/search p50", "search net ms", "scan net ms", "net ratio", "count net ms", "rank-all net ms", "p50 <= 5 ms", ">= 10x (p50s / net)"],
        queries.map((q) => [
          q.query,
          String(q.ftsMatches),
          String(q.scanMatches),
          String(q.hits),
          ms(q.searchP50Ms),
          ms(q.searchP99Ms),
          ms(q.scanP50Ms),
          ms(q.scanP99Ms),
          q.ratioP50.toFixed(1),
          ms(q.searchNetMs, 3),
          ms(q.scanNetMs, 2),
          q.ratioNet.toFixed(1),
          ms(q.countNetMs, 3),
          ms(q.rankAllNetMs, 3),
          verdict(q.searchP50Ms <= TARGET_SEARCH_P50_MS),
          `${verdict(q.ratioP50 >= TARGET_SCAN_OVER_SEARCH)} / ${verdict(q.ratioNet >= TARGET_SCAN_OVER_SEARCH)}`
        ])
      ),
      "",
      `target: search p50 <= ${TARGET_SEARCH_P50_MS} ms for every query (${verdict(worstP50 <= TARGET_SEARCH_P50_MS)}, worst ${ms(worstP50)} ms),` +
        ` scan/search >= ${TARGET_SCAN_OVER_SEARCH}x for every query (p50s: ${verdict(worstRatio >= TARGET_SCAN_OVER_SEARCH)}, worst ${worstRatio.toFixed(1)}x;` +
        ` net: ${verdict(worstNetRatio >= TARGET_SCAN_OVER_SEARCH)}, worst ${worstNetRatio.toFixed(1)}x)`,
      "",
      `putMemory while seeding (blocks of ${PUT_BLOCK}, median of ${pairs.length} pairs after ${WARMUP_BLOCKS} warm-up):` +
        ` ${formatRate(put.putsPerSecond)} puts/s; execute(SetPayloadCapture), 1 event each, in the same object: ${formatRate(put.appendsPerSecond)} commands/s;` +
        ` ratio (per pair, put / command rate) ${put.ratio.toFixed(3)}`,
      `puts/s by block: ${formatRate(put.firstPutsPerSecond)} (entries ${PUT_BLOCK * WARMUP_BLOCKS + 1}–${PUT_BLOCK * (WARMUP_BLOCKS + 1)}) to` +
        ` ${formatRate(put.lastPutsPerSecond)} (entries ${ENTRIES - PUT_BLOCK + 1}–${ENTRIES}); commands/s ${formatRate(perSecond(PUT_BLOCK, pairs[0]!.appendMs))} and ${formatRate(perSecond(PUT_BLOCK, pairs.at(-1)!.appendMs))} beside them`,
      ""
    ].join("\n")
  )

  task.meta.berthBench = {
    name: "memory",
    entries: ENTRIES,
    rounds: ROUNDS,
    netBlocks: { blocks: NET_BLOCKS, perBlock: NET_PER_BLOCK },
    roundTripMs,
    targets: { searchP50Ms: TARGET_SEARCH_P50_MS, scanOverSearch: TARGET_SCAN_OVER_SEARCH },
    met: {
      searchP50: worstP50 <= TARGET_SEARCH_P50_MS,
      scanOverSearchP50: worstRatio >= TARGET_SCAN_OVER_SEARCH,
      scanOverSearchNet: worstNetRatio >= TARGET_SCAN_OVER_SEARCH
    },
    queries,
    put
  }
})
