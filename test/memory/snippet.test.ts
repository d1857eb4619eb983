// The snippet of a search hit, built from the entry's text: the matched words in [brackets], folded
// as FTS5's unicode61 tokenizer folds them, in a window of 12 words with `…` where the text goes on.
import { describe, expect, it } from "vitest"
import { snippet, snippetTerms } from "../../src/memory/snippet.ts"

const of = (query: string, body: string, key = "k", tags = "") => snippet([key, body, tags], snippetTerms(query))

describe("memory search snippet", () => {
  it("marks the matched words of a short value and keeps it whole", () => {
    expect(of("replica", "Fail over to the replica, then page ada.")).toBe("Fail over to the [replica], then page ada.")
  })

  it("folds case and diacritics as the index does, and matches a prefix with word*", () => {
    expect(of("CAFE", "Meet at the Café at noon")).toBe("Meet at the [Café] at noon")
    expect(of("rollb*", "Rollback first; rollbacks are cheap; roll back never")).toBe("[Rollback] first; [rollbacks] are cheap; roll back never")
  })

  it("cuts a long value to the window with the most distinct words, a word or two before the first", () => {
    const words = Array.from({ length: 40 }, (_, i) => `w${i}`)
    words[5] = "deploy"
    words[30] = "deploy"
    words[33] = "postgres"
    expect(of("deploy postgres", words.join(" "))).toBe("…w28 w29 [deploy] w31 w32 [postgres] w34 w35 w36 w37 w38 w39")
    expect(of("deploy", words.join(" "))).toBe("…w3 w4 [deploy] w6 w7 w8 w9 w10 w11 w12 w13 w14…")
  })

  it("takes the body on a tie, and the key or tags when only they match", () => {
    expect(of("deploy", "deploy the api", "deploy-0042")).toBe("[deploy] the api")
    expect(of("deploy", "nothing here", "deploy-0042")).toBe("[deploy]-0042")
    expect(of("ops", "nothing here", "k", "ops p1")).toBe("[ops] p1")
  })

  it("splits a query word the tokenizer splits, and gives nothing when nothing matches", () => {
    expect(snippetTerms("foo_bar baz*")).toEqual([
      { word: "foo", prefix: false },
      { word: "bar", prefix: false },
      { word: "baz", prefix: true }
    ])
    expect(of("absent", "some text")).toBe("")
  })

  it("stays quick on a 64 KiB value full of matches", () => {
    const body = "the ".repeat(16_384)
    const out = of("the", body)
    expect(out).toBe(`${"[the] ".repeat(11)}[the]…`)
  })
})
