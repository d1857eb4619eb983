// What the policy engine keeps beside the log (src/policy/kept.ts), so a woken workspace's engine
// runs no Cedar parser, and no Cedar at all for requests it has seen decided. A set's parse: the
// engine takes a kept parse for the same set id and text, parses and keeps one otherwise, forgets a
// removed set's, and the object's store drops an entry another Cedar version wrote. Cedar's answers:
// kept for requests that read no argument and no time, used by the next engine of the same
// policies, forgotten when the policies change.
import { env, runInDurableObject } from "cloudflare:test"
import { describe, expect, it } from "vitest"
import { PolicyEngine } from "../../src/policy/engine.ts"
import { type AuthorizationAnswer, CEDAR_VERSION, cedar } from "../../src/policy/cedar.ts"
import { type KeptAnswers, type ParsedSet, type ParsedSets, storedAnswers, storedParsedSets } from "../../src/policy/kept.ts"
import { STARTER_POLICY } from "../../src/policy/schema.ts"
import { bot, callTool, ghSearch, stored } from "./policies.ts"

const repoRule = `permit(principal == Agent::"bot", action == Action::"call_tool", resource == Tool::"gh__search") when { context.args.repo like "acme/*" };`
const sets = { repo: repoRule, guard: `forbid(principal, action == Action::"call_tool", resource == Tool::"shell__exec");\npermit(principal, action == Action::"call_tool", resource == Tool::"gh__list");` }

const mapParsedSets = () => {
  const kept = new Map<string, { sha256: string; parsed: ParsedSet }>()
  const store: ParsedSets & { readonly kept: typeof kept; gets: number; sets: number } = {
    kept,
    gets: 0,
    sets: 0,
    get(setId, sha256) {
      store.gets++
      const entry = kept.get(setId)
      return entry?.sha256 === sha256 ? entry.parsed : undefined
    },
    set(setId, sha256, parsed) {
      store.sets++
      kept.set(setId, { sha256, parsed })
    },
    retain(setIds) {
      for (const setId of kept.keys()) if (!setIds.has(setId)) kept.delete(setId)
    }
  }
  return store
}

describe("a policy set's parse, kept", () => {
  it("is written by the first engine and used by the next, which decides the same", () => {
    const cache = mapParsedSets()
    const first = new PolicyEngine("acme", stored(sets), cache)
    expect(cache.sets).toBe(2)
    expect(cache.kept.get("guard")?.parsed.map((p) => p.id)).toEqual(["guard.1", "guard.2"])
    expect(cache.kept.get("repo")?.parsed[0]).toMatchObject({ id: "repo", text: repoRule, json: { effect: "permit" } })

    const woken = new PolicyEngine("acme", stored(sets), cache)
    expect(cache.sets).toBe(2)
    for (const engine of [first, woken]) {
      expect(callTool(engine, { repo: "acme/widgets" })).toEqual({ decision: "allow", policies: ["repo"], errors: [] })
      expect(callTool(engine, { repo: "evil/widgets" }).decision).toBe("deny")
      const shell = { plugin: "shell", name: "exec", approved: true }
      expect(callTool(engine, {}, undefined, shell)).toMatchObject({ decision: "deny", policies: ["guard.1"] })
    }
  })

  it("decides by the kept parse, not the text, while the text's sha256 matches (so a kept parse is what runs)", () => {
    const cache = mapParsedSets()
    new PolicyEngine("acme", stored({ repo: repoRule }), cache)
    // The kept JSON made a forbid by hand: an engine that re-parsed the text would allow.
    const entry = cache.kept.get("repo")!
    cache.kept.set("repo", { ...entry, parsed: entry.parsed.map((p) => ({ ...p, json: { ...p.json, effect: "forbid" as const } })) })
    const engine = new PolicyEngine("acme", stored({ repo: repoRule }), cache)
    expect(callTool(engine, { repo: "acme/widgets" }).decision).toBe("deny")
  })

  it("a set whose text changed is parsed again and its entry replaced; the same text under another id gets its own ids", () => {
    const cache = mapParsedSets()
    const engine = new PolicyEngine("acme", stored({ repo: repoRule }), cache)
    const widened = repoRule.replace("acme/*", "*")
    engine.sync(stored({ repo: widened }))
    expect(cache.kept.get("repo")?.parsed[0]?.text).toBe(widened)
    expect(callTool(engine, { repo: "evil/widgets" }).decision).toBe("allow")

    engine.sync(stored({ repo: widened, copy: sets.guard }))
    expect(cache.kept.get("copy")?.parsed.map((p) => p.id)).toEqual(["copy.1", "copy.2"])
  })

  it("a removed set's parse is forgotten at the next sync, and not by a placeholder engine built before the state is loaded", () => {
    const cache = mapParsedSets()
    const engine = new PolicyEngine("acme", stored(sets), cache)
    // The workspace's object builds its engine with no policies, then syncs it once its state is loaded.
    new PolicyEngine("acme", {}, cache)
    expect([...cache.kept.keys()].sort()).toEqual(["guard", "repo"])
    engine.sync(stored({ guard: sets.guard }))
    expect([...cache.kept.keys()]).toEqual(["guard"])
    engine.sync({})
    expect(cache.kept.size).toBe(0)
  })

  it("in the object's storage: kept across stores, and dropped when another Cedar version wrote it", async () => {
    const stub = env.WORKSPACE.getByName(`parsed-sets-${crypto.randomUUID()}`)
    await runInDurableObject(stub, (_object, state) => {
      new PolicyEngine("acme", stored({ repo: repoRule }), storedParsedSets(state.storage.kv))
      const kept = storedParsedSets(state.storage.kv)
      const { sha256 } = stored({ repo: repoRule })["repo"]!
      expect(kept.get("repo", sha256)?.[0]).toMatchObject({ id: "repo", text: repoRule })
      expect(kept.get("repo", "0".repeat(64))).toBeUndefined()
      const raw = state.storage.kv.get<{ cedar: string }>("policy-parse:repo")!
      state.storage.kv.put("policy-parse:repo", { ...raw, cedar: "0.0.0" })
      expect(kept.get("repo", sha256)).toBeUndefined()
      // Only parses are pruned: other entries in the object's storage stay.
      state.storage.kv.put("upstream-prior:http://up", { at: 1, prior: { kind: "legacy" } })
      kept.set("guard", sha256, [])
      kept.retain(new Set(["guard"]))
      expect([...state.storage.kv.list()].map(([key]) => key).sort()).toEqual(["policy-parse:guard", "upstream-prior:http://up"])
    })
  })

  it("names the Cedar version the wasm itself reports, read from its package rather than asked of the wasm", () => {
    expect(CEDAR_VERSION).toMatch(/^\d+\.\d+\.\d+/)
    expect(CEDAR_VERSION).toBe(cedar().getCedarVersion())
  })
})


const mapAnswers = () => {
  const kept = new Map<string, AuthorizationAnswer>()
  const store: KeptAnswers & { readonly kept: typeof kept } = {
    kept,
    get: (policies, request) => kept.get(`${policies} ${request}`),
    set: (policies, request, answer) => void kept.set(`${policies} ${request}`, answer),
    retain: (policies) => {
      for (const key of kept.keys()) if (!key.startsWith(`${policies} `)) kept.delete(key)
    }
  }
  return store
}

describe("Cedar's answers, kept", () => {
  const starter = { starter: STARTER_POLICY }

  it("an engine built later from the same policies answers a request seen before without Cedar, and decides the same", () => {
    const answers = mapAnswers()
    const first = new PolicyEngine("acme", stored(starter), undefined, { keptAnswers: answers })
    const allowed = callTool(first, { repo: "acme/a" })
    const unapproved = callTool(first, {}, bot, { ...ghSearch, approved: false })
    expect([allowed.decision, unapproved.decision]).toEqual(["allow", "deny"])
    expect([first.evaluations, answers.kept.size]).toEqual([2, 2])

    const woken = new PolicyEngine("acme", stored(starter), undefined, { keptAnswers: answers })
    expect(callTool(woken, { repo: "other/b", page: 9 })).toEqual(allowed)
    expect(callTool(woken, {}, bot, { ...ghSearch, approved: false })).toEqual(unapproved)
    expect(woken.evaluations).toBe(0)
    // A request not seen before is Cedar's, and kept for the next.
    expect(callTool(woken, {}, { ...bot, name: "other" })).toMatchObject({ decision: "allow" })
    expect([woken.evaluations, answers.kept.size]).toEqual([1, 3])
  })

  it("answers that read the arguments or the time are remembered, never kept", () => {
    const answers = mapAnswers()
    const engine = new PolicyEngine("acme", stored({ repo: repoRule }), undefined, { keptAnswers: answers })
    expect(callTool(engine, { repo: "acme/widgets" }).decision).toBe("allow")
    const timed = new PolicyEngine("acme", stored({ w: `permit(principal, action, resource) when { context.time < datetime("2030-01-01T00:00:00Z") };` }), undefined, {
      keptAnswers: answers
    })
    expect(callTool(timed, {}).decision).toBe("allow")
    expect(answers.kept.size).toBe(0)
    expect(callTool(engine, { repo: "acme/widgets" }).decision).toBe("allow")
    expect(engine.evaluations).toBe(1)
  })

  it("are forgotten when the policies change, and never answer for other policies", () => {
    const answers = mapAnswers()
    const engine = new PolicyEngine("acme", stored(starter), undefined, { keptAnswers: answers })
    expect(callTool(engine, {}).decision).toBe("allow")
    expect(answers.kept.size).toBe(1)
    const denying = { starter: STARTER_POLICY.replace("resource.approved", "!resource.approved") }
    engine.sync(stored(denying))
    expect(answers.kept.size).toBe(0)
    expect(callTool(engine, {}).decision).toBe("deny")
    // An engine of other policies, sharing the store, is not answered by this one's.
    const other = new PolicyEngine("acme", stored(starter), undefined, { keptAnswers: answers })
    expect(callTool(other, {}).decision).toBe("allow")
    expect(other.evaluations).toBe(1)
  })

  it("an engine that remembers nothing keeps nothing", () => {
    const answers = mapAnswers()
    const engine = new PolicyEngine("acme", stored(starter), undefined, { rememberAnswers: false, keptAnswers: answers })
    callTool(engine, {})
    callTool(engine, {})
    expect([engine.evaluations, answers.kept.size]).toEqual([2, 0])
  })

  it("in the object's storage: used across stores, compared by the whole request, pruned to the current policies only", async () => {
    const stub = env.WORKSPACE.getByName(`kept-answers-${crypto.randomUUID()}`)
    await runInDurableObject(stub, (_object, state) => {
      const kv = state.storage.kv
      const engine = new PolicyEngine("acme", stored(starter), storedParsedSets(kv), { keptAnswers: storedAnswers(kv) })
      expect(callTool(engine, {}).decision).toBe("allow")
      const entries = () => [...kv.list<{ request: string; answer: AuthorizationAnswer }>({ prefix: "policy-answer:" })]
      expect(entries()).toHaveLength(1)
      const [key, entry] = entries()[0]!
      expect(JSON.parse(entry.request)).toMatchObject({ principal: { type: "Agent", id: "bot" }, policies: "starter" })

      const woken = new PolicyEngine("acme", stored(starter), storedParsedSets(kv), { keptAnswers: storedAnswers(kv) })
      expect(callTool(woken, {}).decision).toBe("allow")
      expect(woken.evaluations).toBe(0)
      // An entry whose request is not the one asked (a forged or colliding key) answers nothing.
      kv.put(key, { ...entry, request: entry.request.replace('"bot"', '"eve"') })
      const third = new PolicyEngine("acme", stored(starter), storedParsedSets(kv), { keptAnswers: storedAnswers(kv) })
      expect(callTool(third, {}).decision).toBe("allow")
      expect(third.evaluations).toBe(1)

      // A policy change prunes answers given under other policies, and nothing else.
      kv.put("upstream-prior:http://up", { at: 1, prior: { kind: "legacy" } })
      third.sync(stored({ ...starter, repo: repoRule }))
      expect(entries()).toHaveLength(0)
      expect([...kv.list()].map(([k]) => k).sort()).toEqual(["policy-parse:repo", "policy-parse:starter", "upstream-prior:http://up"])
    })
  })
})
