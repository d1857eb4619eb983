// A woken workspace's pool connects to an upstream without probing its era again: the probe's answer
// (its `server/discover` result, or that it speaks 2025 only) is kept in the object's storage and
// handed to the SDK's `connect({ prior })`. A prior the upstream no longer matches is forgotten and
// probed again, so a stale one costs one failed request, never a failed call.
import { env, runInDurableObject } from "cloudflare:test"
import { afterEach, beforeEach, describe, expect, inject, it } from "vitest"
import { type Prior, PRIOR_MAX_AGE_MS, type Priors, storedPriors, UpstreamPool } from "../../src/mcp/upstream-pool.ts"
import { testUpstream } from "./upstream/control.ts"

/** The JSON-RPC methods the pool sent to URLs under `base`, in order (read off the global fetch, which the SDK calls). */
const methodsSentTo = (base: string) => {
  const seen: Array<string> = []
  const real = globalThis.fetch
  globalThis.fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = input instanceof Request ? input.url : String(input)
    if (url.startsWith(base) && typeof init?.body === "string") {
      const body = JSON.parse(init.body) as { method?: string } | Array<{ method?: string }>
      for (const m of Array.isArray(body) ? body : [body]) if (m.method) seen.push(m.method)
    }
    return real(input as RequestInfo, init)
  }) as typeof fetch
  return { seen, restore: () => void (globalThis.fetch = real) }
}

const mapPriors = (): Priors & { readonly kept: Map<string, Prior> } => {
  const kept = new Map<string, Prior>()
  return { kept, get: (url) => kept.get(url), set: (url, prior) => void kept.set(url, prior), delete: (url) => void kept.delete(url) }
}

const pools: Array<{ pool: UpstreamPool; ref: { plugin: string; url: string; transport: "streamable-http" } }> = []
const poolFor = (url: string, priors: Priors) => {
  const entry = { pool: new UpstreamPool({}, priors), ref: { plugin: "up", url, transport: "streamable-http" as const } }
  pools.push(entry)
  return entry
}
let watching: ReturnType<typeof methodsSentTo>
beforeEach(() => {
  watching = methodsSentTo("http://")
})
afterEach(async () => {
  watching.restore()
  await Promise.allSettled(pools.splice(0).map(({ pool, ref }) => pool.drop(ref)))
})

describe("an upstream's era, kept across wakes", () => {
  it("a 2026-07-28 upstream: the first pool probes and keeps the answer; a pool made later connects with no probe", async () => {
    const upstream = testUpstream()
    const priors = mapPriors()
    const first = poolFor(upstream.url, priors)
    const echo = (pool: UpstreamPool, ref: (typeof first)["ref"], text: string) =>
      pool.use(ref, async (client) => ({ result: await client.callTool({ name: "echo", arguments: { text } }), client }))

    const probed = await echo(first.pool, first.ref, "first")
    expect(probed.result.content).toEqual([{ type: "text", text: "echo: first" }])
    expect(watching.seen.filter((m) => m === "server/discover")).toHaveLength(1)
    expect(priors.kept.get(upstream.url)).toEqual({ kind: "modern", discover: probed.client.getDiscoverResult() })

    watching.seen.length = 0
    const woken = poolFor(upstream.url, priors)
    const resumed = await echo(woken.pool, woken.ref, "after the wake")
    expect(resumed.result.content).toEqual([{ type: "text", text: "echo: after the wake" }])
    expect(watching.seen).not.toContain("server/discover")
    expect(watching.seen).toContain("tools/call")
    // The client knows the upstream as the probe did.
    expect(resumed.client.getNegotiatedProtocolVersion()).toBe("2026-07-28")
    expect(resumed.client.getServerCapabilities()).toEqual(probed.client.getServerCapabilities())
    expect(resumed.client.getServerVersion()).toEqual(probed.client.getServerVersion())
    expect(await upstream.calls()).toEqual({ echo: 2 })
  })

  it("a 2025-only upstream (server-everything): kept as such, so a later pool goes straight to initialize", async () => {
    const url = inject("everythingUrl")
    const priors = mapPriors()
    const first = poolFor(url, priors)
    await first.pool.use(first.ref, (client) => client.callTool({ name: "echo", arguments: { message: "one" } }))
    expect(priors.kept.get(url)).toEqual({ kind: "legacy" })
    expect(watching.seen.filter((m) => m === "server/discover").length).toBeGreaterThan(0)

    watching.seen.length = 0
    const woken = poolFor(url, priors)
    const result = await woken.pool.use(woken.ref, (client) => client.callTool({ name: "echo", arguments: { message: "two" } }))
    expect(result.content).toEqual([{ type: "text", text: "Echo: two" }])
    expect(watching.seen).not.toContain("server/discover")
    expect(watching.seen[0]).toBe("initialize")
  })

  it("a prior the upstream no longer matches (it now speaks 2025 only) is forgotten: the call still succeeds, probed again", async () => {
    const url = inject("everythingUrl")
    const modern = poolFor(testUpstream().url, mapPriors())
    const discover = await modern.pool.use(modern.ref, async (client) => client.getDiscoverResult()!)
    const priors = mapPriors()
    priors.set(url, { kind: "modern", discover })

    const stale = poolFor(url, priors)
    const result = await stale.pool.use(stale.ref, (client) => client.callTool({ name: "echo", arguments: { message: "still" } }))
    expect(result.content).toEqual([{ type: "text", text: "Echo: still" }])
    expect(priors.kept.get(url)).toEqual({ kind: "legacy" })
  })
})

describe("storedPriors: the object's key-value storage", () => {
  it("keeps a prior across instances of the store, for at most PRIOR_MAX_AGE_MS", async () => {
    const stub = env.WORKSPACE.getByName(`priors-${crypto.randomUUID()}`)
    await runInDurableObject(stub, (_object, state) => {
      let now = 1_000_000
      const prior: Prior = { kind: "legacy" }
      storedPriors(state.storage.kv, () => now).set("http://a.example/mcp", prior)
      // Another wake: a new store over the same storage.
      const later = storedPriors(state.storage.kv, () => now)
      expect(later.get("http://a.example/mcp")).toEqual(prior)
      expect(later.get("http://b.example/mcp")).toBeUndefined()
      now += PRIOR_MAX_AGE_MS
      expect(later.get("http://a.example/mcp")).toBeUndefined()
      later.delete("http://a.example/mcp")
      now -= PRIOR_MAX_AGE_MS
      expect(later.get("http://a.example/mcp")).toBeUndefined()
    })
  })
})
