// The search's ranking window: bm25 ranks only the RANK_WINDOW most recently written matches, so an
// older entry, however well it scores, is found by a query specific enough to bring it within the
// window (docs/memory.md). Straight on the index in a real Durable Object's SQLite.
import { runInDurableObject } from "cloudflare:test"
import { env } from "cloudflare:workers"
import { expect, it } from "vitest"
import type { Envelope } from "../../events/index.ts"
import type { Env } from "../../src/env.ts"
import { MemorySearchIndex, RANK_WINDOW } from "../../src/memory/search-index.ts"

const put = (key: string, value: string) => ({ type: "MemoryPut", data: { namespace: "team", key, value, tags: [] } }) as unknown as Envelope

it("ranks the most recent RANK_WINDOW matches, and a more specific query reaches an older one", async () => {
  const stub = (env as unknown as Env).WORKSPACE.getByName("search-window")
  await runInDurableObject(stub, (_: unknown, state) => {
    const index = new MemorySearchIndex(state.storage.sql)
    // The oldest entry scores best for "outage" (the word three times in a short value)...
    index.apply([put("oldest", "outage outage outage in the vault")])
    // ...then RANK_WINDOW entries that each mention it once, in a longer value.
    index.apply(Array.from({ length: RANK_WINDOW }, (_, i) => put(`later-${i}`, `a minor outage of service number ${i} was noted by the on-call engineer`)))
    const common = index.search("outage", { limit: 10 })
    expect(common).toHaveLength(10)
    expect(common.map((h) => h.key)).not.toContain("oldest")
    expect(common[0]!.snippet).toContain("[outage]")
    // Rewritten, it is the most recent match again, and ranks first.
    index.apply([put("oldest", "outage outage outage in the vault")])
    expect(index.search("outage", { limit: 10 })[0]).toMatchObject({ key: "oldest", snippet: "[outage] [outage] [outage] in the vault" })
    // A word only it has finds it whatever the window.
    index.apply(Array.from({ length: RANK_WINDOW }, (_, i) => put(`later-${i}`, `another outage, number ${i}`)))
    expect(index.search("outage", { limit: 10 }).map((h) => h.key)).not.toContain("oldest")
    expect(index.search("outage vault", { limit: 10 }).map((h) => h.key)).toEqual(["oldest"])
  })
})
