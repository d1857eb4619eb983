// Property: for any sequence of memory commands on a fresh workspace (puts, overwrites and deletes in
// a few namespaces, conditional on a right, wrong or zero ifVersion, some with a TTL that the alarm
// expires, and refusals), replay(log) equals the stored projection with its memory, the FTS5 search
// index holds exactly the documents the replayed state gives, a refused command appends nothing,
// and a search for a word hits exactly the live entries that have it as a token.
import { fc } from "@fast-check/vitest"
import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test"
import { env } from "cloudflare:workers"
import { expect, it } from "vitest"
import type { Envelope } from "../../events/index.ts"
import { memoryKey, type WorkspaceState } from "../../projections/state.ts"
import { documentsFor } from "../../src/memory/search-index.ts"
import { withinNamespace } from "../../src/memory/names.ts"
import type { Workspace } from "../../src/workspace/durable-object.ts"
import type { CommandOutcome } from "../../src/workspace/execute.ts"
import { ProjectionStore } from "../../src/workspace/projection-store.ts"
import { rpc } from "../admin/rpc-client.ts"
import { admin, canonical, freshSlug, sqlIn, workspace } from "../workspace/workspace-client.ts"

/** Small pools, so that overwrites, conflicts and deletes of existing entries are common. */
const NAMESPACES = ["team", "team/x", "agent/a"] as const
// Keys with a space, a colon (memoryKey's separator), a diacritic, and two characters that UTF-16 and
// UTF-8 order differently ("😀" < "～" in JavaScript, "～" < "😀" in SQLite). A key with a lone
// surrogate is refused (names.ts: SQLite would read it back as another key), so none is generated.
const KEYS = ["deploy", "oncall", "notes:1", "Runbook v2", "Café", "😀", "～"] as const
/** The words the spot check searches for. */
const VOCAB = ["deploy", "rollback", "oncall", "runbook", "pager", "blue", "green", "café"] as const

const namespaces = fc.constantFrom(...NAMESPACES)
const keys = fc.constantFrom(...KEYS)
// Case and diacritics vary, which the index folds ("Deploy", "CAFE" and "cafe" all match "café").
const words = fc.constantFrom(...VOCAB, "Deploy", "CAFE", "cafe", "Blue", "naïve", "x1", "42")
const separators = fc.constantFrom(" ", " ", ", ", "-", "_", ". ", "/", "\n", ":")
const text = fc
  .array(fc.tuple(words, separators), { maxLength: 6 })
  .map((parts) => parts.map(([word, sep]) => word + sep).join("").trim())

const values = fc.oneof(
  { weight: 5, arbitrary: text },
  { weight: 2, arbitrary: fc.dictionary(words, fc.oneof(text, fc.integer(), fc.boolean(), fc.constant(null)), { maxKeys: 3 }) },
  { weight: 1, arbitrary: fc.array(fc.oneof(text, fc.double({ noNaN: true, noDefaultInfinity: true })), { maxLength: 3 }) },
  { weight: 1, arbitrary: fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.constant("")) },
  // Well-formed Unicode only, as keys must be.
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2, stringUnit: "grapheme" }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom<unknown>(
      "line one\nline\u0000two blue",
      JSON.parse('{"__proto__":{"green":"pager"}}'),
      { "": "", "a\"b": "\\blue\\" },
      "CAFÉ au lait ☕ naïve 😀 ～"
    )
  }
)
const tags = fc.array(fc.constantFrom("ops", "p1", "deploy", "blue-green", "team:x", "café", "Pager"), { maxLength: 4 })

/** ifVersion as the test resolves it against the entry's version just before the command. */
const ifVersions = fc.oneof(
  { weight: 3, arbitrary: fc.constant({ mode: "none" as const }) },
  { weight: 2, arbitrary: fc.constant({ mode: "right" as const }) },
  { weight: 1, arbitrary: fc.constant({ mode: "zero" as const }) },
  { weight: 1, arbitrary: fc.record({ mode: fc.constant("wrong" as const), by: fc.constantFrom(-1, 1, 2) }) }
)
type IfVersion = typeof ifVersions extends fc.Arbitrary<infer T> ? T : never

const resolveIfVersion = (choice: IfVersion, current: number): number | undefined => {
  switch (choice.mode) {
    case "none":
      return undefined
    case "right":
      return current
    case "zero":
      return 0
    case "wrong":
      // Never the version itself, and never below 0 (which the schema refuses).
      return current + choice.by >= 0 ? current + choice.by : current + 1
  }
}

const steps = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({
      kind: fc.constant("put" as const),
      namespace: namespaces,
      key: keys,
      // Half the time an entry that exists (the pick-th, when there is one): an overwrite.
      existing: fc.option(fc.nat(), { nil: undefined, freq: 2 }),
      value: values,
      tags: fc.option(tags, { nil: undefined }),
      // A short TTL (1 s, the least there is) expires within the run; a long one only shows in the state.
      ttl: fc.constantFrom<"none" | "short" | "long">("none", "none", "none", "none", "none", "none", "short", "long"),
      ifVersion: ifVersions,
      // Mostly the object's own RPC method; sometimes the admin RPC, through the Worker over HTTP.
      viaAdmin: fc.integer({ min: 0, max: 3 }).map((n) => n === 0)
    })
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant("delete" as const),
      namespace: namespaces,
      key: keys,
      // Mostly an entry that exists (the pick-th, when there is one), else the namespace and key drawn.
      existing: fc.option(fc.nat(), { nil: undefined, freq: 3 }),
      ifVersion: ifVersions
    })
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("refusedPut" as const),
      namespace: namespaces,
      key: keys,
      why: fc.constantFrom("secret", "ttl0", "slashKey")
    })
  },
  { weight: 1, arbitrary: fc.constant({ kind: "alarm" as const }) }
)
type Step = typeof steps extends fc.Arbitrary<infer T> ? T : never

const REFUSED_PUT = {
  secret: { fields: { value: "Authorization: Bearer abcdefgh12345678" }, error: { _tag: "MemoryValueHasSecret" } },
  ttl0: { fields: { value: 1, ttlSeconds: 0 }, error: { _tag: "InvalidCommand", field: "ttlSeconds" } },
  slashKey: { fields: { value: 1, key: "a/b" }, error: { _tag: "InvalidCommand", field: "key" } }
} as const

/** What the index holds for a value: its text, or its JSON (as search-index.ts's bodyOf). */
const bodyOf = (value: unknown) => (typeof value === "string" ? value : JSON.stringify(value ?? null))

/** The tokens FTS5's unicode61 tokenizer (remove_diacritics 2) makes of text, for the text this test writes. */
const tokens = (text: string) =>
  new Set(
    text
      .normalize("NFD")
      .replace(/\p{M}/gu, "")
      .toLowerCase()
      .match(/[\p{L}\p{N}]+/gu) ?? []
  )
const foldWord = (word: string) => [...tokens(word)][0]!

const byAddress = (a: { namespace: string; key: string }, b: { namespace: string; key: string }) => {
  const x = `${a.namespace}\u0000${a.key}`
  const y = `${b.namespace}\u0000${b.key}`
  return x < y ? -1 : x > y ? 1 : 0
}
const addresses = (entries: ReadonlyArray<{ namespace: string; key: string }>) => entries.map((e) => `${e.namespace}/${e.key}`).sort()

const ADMIN_RPC_ACTOR = { type: "admin", id: "admin-token" }
/** PutMemory over POST /admin/rpc, its answer as the object's outcome. */
const adminPut = async (slug: string, input: Record<string, unknown>): Promise<CommandOutcome> => {
  const { status, body } = await rpc({ _tag: "PutMemory", workspace: slug, ...input })
  if (status === 200) return { ok: true, seq: body.result.seq, events: body.result.events, replayed: false }
  expect(body.error, `admin RPC answered ${status} without a typed error`).toMatchObject({ _tag: expect.any(String) })
  return { ok: false, error: body.error }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const isExpiry = (e: Envelope) => e.type === "MemoryExpired" && e.actor.type === "system" && e.actor.id === "memory"

/** Everything the checks read from the object, in one synchronous turn, so no alarm lands in between. */
const observe = (slug: string, word: string) =>
  runInDurableObject(env.WORKSPACE.getByName(slug), (instance: Workspace, ctx) => {
    const snapshot = instance.snapshot()
    return {
      seq: snapshot.seq,
      state: snapshot.state,
      stored: new ProjectionStore(ctx.storage.sql).load(),
      index: instance.memoryIndex(),
      hits: instance.searchMemory(word, { limit: 100 }).hits,
      teamHits: instance.searchMemory(word, { prefix: "team", limit: 100 }).hits,
      // Frozen within this turn (workerd), so it is the `now` the searches used.
      now: Date.now()
    }
  })

const live = (state: WorkspaceState, now: number) =>
  Object.values(state.memory).filter((m) => m.expiresAt === undefined || Date.parse(m.expiresAt) > now)

/** The replay checks and the search spot check, at the object's head; returns how many entries the word hit. */
const checkAgainstReplay = async (slug: string, word: string) => {
  const seen = await observe(slug, word)
  const replayed = (await workspace(slug).stateAt({ seq: seen.seq })).state
  expect(canonical(seen.stored)).toBe(canonical(replayed))
  expect(canonical(seen.state)).toBe(canonical(replayed))

  // Exactly, key order of JSON bodies and document order included (values are stored as JCS).
  expect(seen.index).toEqual(documentsFor(replayed))

  const folded = foldWord(word)
  const expected = live(replayed, seen.now).filter((m) =>
    [m.key, bodyOf(m.value), m.tags.join(" ")].some((field) => tokens(field).has(folded))
  )
  expect(addresses(seen.hits)).toEqual(addresses(expected))
  expect(addresses(seen.teamHits)).toEqual(addresses(expected.filter((m) => withinNamespace(m.namespace, "team"))))
  for (const hit of seen.hits) expect(hit.version).toBe(replayed.memory[memoryKey(hit.namespace, hit.key)]!.version)
  return expected.length
}

// Waiting out a TTL costs up to a second, so the property waits at most this many times in all.
const MAX_WAITS = 6

it("replay equals the projection and the search index, refusals append nothing, and search finds exactly the entries with the word", async () => {
  let run = 0
  let waits = 0
  const seen = { puts: 0, overwrites: 0, deletes: 0, expired: 0, modelChecked: 0, spotHits: 0, evictions: 0, refused: new Map<string, number>() }
  const started = Date.now()
  await fc.assert(
    fc.asyncProperty(
      fc.array(steps, { minLength: 1, maxLength: 30, size: "medium" }),
      fc.constantFrom(...VOCAB),
      // Some runs also restart the object: its state then comes from the stored projection and the index is reconciled.
      fc.integer({ min: 0, max: 3 }).map((n) => n === 0),
      fc.context(),
      async (generated: Array<Step>, word, evict, ctx) => {
        const slug = freshSlug(`memprop${run++}`)
        const ws = workspace(slug)
        const stub = env.WORKSPACE.getByName(slug)
        expect(await ws.execute({ _tag: "CreateWorkspace", workspace: slug }, admin)).toMatchObject({ ok: true, seq: 1 })
        let waited = false

        for (const step of generated) {
          const before = await ws.snapshot()
          let outcome: CommandOutcome | undefined
          /** What the command should do given the state just before it; checked unless an expiry landed around it. */
          let model: { ok: true; type: string; data?: Record<string, unknown> } | { ok: false; error: Record<string, unknown> } | undefined

          if (step.kind === "put" || step.kind === "delete") {
            const entries = Object.values(before.state.memory).sort(byAddress)
            const target = step.existing === undefined ? undefined : entries[step.existing % Math.max(entries.length, 1)]
            const { namespace, key } = target ?? step
            const current = before.state.memory[memoryKey(namespace, key)]?.version ?? 0
            const ifVersion = resolveIfVersion(step.ifVersion, current)
            const conflict = ifVersion !== undefined && ifVersion !== current
            if (step.kind === "put") {
              const input = {
                namespace,
                key,
                value: step.value,
                ...(step.tags === undefined ? {} : { tags: step.tags }),
                ...(step.ttl === "none" ? {} : { ttlSeconds: step.ttl === "short" ? 1 : 3600 }),
                ...(ifVersion === undefined ? {} : { ifVersion })
              }
              // Through JSON, as over HTTP (fast-check builds null-prototype objects, which RPC cannot clone).
              const sent = JSON.parse(JSON.stringify(input))
              outcome = step.viaAdmin ? await adminPut(slug, sent) : await ws.putMemory(sent, admin)
              ctx.log(`put ${JSON.stringify(sent)} → ${outcome.ok ? `ok seq ${outcome.seq}` : outcome.error._tag}`)
              const distinct = [...new Set(step.tags ?? [])]
              model = conflict
                ? { ok: false, error: { _tag: "MemoryVersionConflict", expected: ifVersion, current } }
                : {
                    ok: true,
                    type: "MemoryPut",
                    data: {
                      namespace,
                      key,
                      value: JSON.parse(JSON.stringify(sent.value)),
                      version: current + 1,
                      ...(distinct.length === 0 ? {} : { tags: distinct })
                    }
                  }
            } else {
              const command = { _tag: "DeleteMemory", namespace, key, ...(ifVersion === undefined ? {} : { ifVersion }) }
              outcome = await ws.execute(command, admin)
              ctx.log(`delete ${JSON.stringify(command)} → ${outcome.ok ? `ok seq ${outcome.seq}` : outcome.error._tag}`)
              model = conflict
                ? { ok: false, error: { _tag: "MemoryVersionConflict", expected: ifVersion, current } }
                : current === 0
                  ? { ok: false, error: { _tag: "MemoryNotFound" } }
                  : { ok: true, type: "MemoryDeleted", data: { namespace, key, version: current } }
            }
          } else if (step.kind === "refusedPut") {
            const { fields, error } = REFUSED_PUT[step.why]
            const input = { namespace: step.namespace, key: step.key, ...fields }
            outcome = await ws.putMemory(input, admin)
            ctx.log(`put ${JSON.stringify(input)} → ${outcome.ok ? `ok seq ${outcome.seq}` : outcome.error._tag}`)
            model = { ok: false, error }
          } else {
            // The alarm. When an entry with a short TTL is pending (and the budget allows), wait it out first.
            const pending = Object.values(before.state.memory)
              .map((m) => (m.expiresAt === undefined ? Infinity : Date.parse(m.expiresAt)))
              .filter((at) => at <= Date.now() + 1500)
            if (pending.length > 0 && !waited && waits < MAX_WAITS) {
              waited = true
              waits++
              await sleep(Math.max(0, Math.max(...pending) - Date.now()) + 20)
            }
            const dueBy = Date.now()
            // The alarm also fires by itself (it is set for the earliest expiry); a run here may find it already done.
            let remaining = 0
            for (let attempt = 0; attempt < 20; attempt++) {
              await runDurableObjectAlarm(stub)
              const state = (await ws.snapshot()).state
              remaining = Object.values(state.memory).filter((m) => m.expiresAt !== undefined && Date.parse(m.expiresAt) <= dueBy).length
              if (remaining === 0) break
              await sleep(25)
            }
            expect(remaining, "entries past their expiry after the alarm ran").toBe(0)
            ctx.log(`alarm → expired by ${new Date(dueBy).toISOString()}`)
          }

          // What landed in the log during the step: the command's own events, and any expiries by the alarm.
          const after = await ws.snapshot()
          const landed = after.seq > before.seq ? await ws.events(before.seq + 1, after.seq - before.seq) : []
          expect(landed.map((e) => e.seq)).toEqual(Array.from({ length: after.seq - before.seq }, (_, i) => before.seq + 1 + i))
          const own = outcome?.ok ? outcome.events : []
          const ownSeqs = new Set(own.map((e) => e.seq))
          const foreign = landed.filter((e) => !ownSeqs.has(e.seq))
          // Nothing but the alarm's expiries lands besides the command's own events; a refusal has none.
          expect(foreign.filter((e) => !isExpiry(e))).toEqual([])
          seen.expired += landed.filter(isExpiry).length
          if (outcome === undefined) continue
          if (!outcome.ok) {
            expect(outcome.error.message.length).toBeGreaterThan(0)
            seen.refused.set(outcome.error._tag, (seen.refused.get(outcome.error._tag) ?? 0) + 1)
          } else {
            expect(own).toHaveLength(1)
            expect(own[0]!.seq).toBe(outcome.seq)
            expect(landed.map((e) => e.seq)).toContain(outcome.seq)
            if (own[0]!.type === "MemoryPut") {
              seen.puts++
              if ((own[0]!.data as { version: number }).version > 1) seen.overwrites++
            } else seen.deletes++
          }
          // The exact outcome is known when no expiry landed around the command (the state it read is `before`).
          if (foreign.length === 0 && model) {
            seen.modelChecked++
            if (model.ok) {
              expect(own[0]).toMatchObject({ type: model.type, actor: step.kind === "put" && step.viaAdmin ? ADMIN_RPC_ACTOR : admin.actor })
              const { expiresAt, ...data } = own[0]!.data as { expiresAt?: string }
              expect(data).toStrictEqual(model.data)
              if (step.kind === "put" && step.ttl !== "none") {
                const ttlMs = (step.ttl === "short" ? 1 : 3600) * 1000
                expect(Date.parse(expiresAt!) - Date.parse(own[0]!.at)).toBeGreaterThanOrEqual(ttlMs - 1000)
                expect(Date.parse(expiresAt!) - Date.parse(own[0]!.at)).toBeLessThanOrEqual(ttlMs + 1000)
              } else expect(expiresAt).toBeUndefined()
            } else expect(outcome).toMatchObject({ ok: false, error: model.error })
          }
        }

        // The log: seq without gaps, the chain verifies, and each expiry came at or after its time.
        const seqs = (await sqlIn<{ seq: number }>(slug, "SELECT seq FROM events ORDER BY seq")).map((r) => r.seq)
        expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1))
        expect(await ws.verify()).toMatchObject({ ok: true, count: seqs.length })
        const expiries = (await ws.events(1, seqs.length)).filter((e) => e.type === "MemoryExpired")
        for (const e of expiries) {
          expect(isExpiry(e)).toBe(true)
          expect(Date.parse((e.data as { expiresAt: string }).expiresAt)).toBeLessThanOrEqual(Date.parse(e.at))
        }

        seen.spotHits += await checkAgainstReplay(slug, word)
        if (evict) {
          seen.evictions++
          await evictDurableObject(stub)
          await checkAgainstReplay(slug, word)
        }
      }
    ),
    { numRuns: 40 }
  )
  const refused = [...seen.refused].map(([tag, n]) => `${tag} ${n}`).sort().join(", ")
  console.log(
    `memory property: ${Date.now() - started} ms; ${seen.puts} puts (${seen.overwrites} overwrites), ${seen.deletes} deletes, ` +
      `${seen.expired} expiries (${waits} waits), ${seen.modelChecked} outcomes checked exactly, ${seen.evictions} restarts, ` +
      `${seen.spotHits} spot-check hits; refused: ${refused}`
  )
  // Not vacuous: overwrites, deletes, each kind of refusal, expiries, and searches that hit.
  expect(seen.overwrites).toBeGreaterThan(10)
  expect(seen.deletes).toBeGreaterThan(5)
  expect([...seen.refused.keys()].sort()).toEqual(["InvalidCommand", "MemoryNotFound", "MemoryValueHasSecret", "MemoryVersionConflict"])
  expect(seen.expired).toBeGreaterThan(0)
  expect(seen.spotHits).toBeGreaterThan(0)
}, 180_000)
