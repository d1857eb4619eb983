// The snippet of a search hit: the few words of an entry around the query's matches, the matches in
// [brackets]. Built from the entry's indexed text in JavaScript rather than by FTS5's snippet(), which
// would walk the query's whole doclist once more (for a word in thousands of entries, or a prefix,
// that pass cost as much as the ranking; docs/benchmarks.md). Which entries match, and their order,
// stay FTS5's: this only marks words in an entry it already chose.

/** Words per snippet, as FTS5's snippet(…, 12) would give. */
export const SNIPPET_TOKENS = 12

/** A token as FTS5's unicode61 tokenizer sees one: a run of letters, numbers and private-use characters. */
const TOKEN = /[\p{L}\p{N}\p{Co}]+/gu

/** Folded as unicode61 with remove_diacritics 2 folds: lower case, combining marks dropped. */
const fold = (word: string) => (/^[\x00-\x7f]*$/.test(word) ? word : word.normalize("NFD").replace(/\p{M}/gu, "")).toLowerCase()

/** One query word: a whole token, or (`word*`) the start of one. */
export interface SnippetTerm {
  readonly word: string
  readonly prefix: boolean
}

/** The query's words, folded, each as many tokens as the tokenizer would make of it (`foo_bar` is a phrase of two). */
export const snippetTerms = (query: string): Array<SnippetTerm> =>
  (query.match(/[\p{L}\p{N}_]+\*?/gu) ?? []).slice(0, 32).flatMap((raw) => {
    const prefix = raw.endsWith("*")
    const tokens = fold(raw).match(TOKEN) ?? []
    return tokens.map((word, i) => ({ word, prefix: prefix && i === tokens.length - 1 }))
  })

interface Token {
  readonly start: number
  readonly end: number
  /** Which term it matches, or -1. */
  readonly term: number
}

const tokenize = (text: string, terms: ReadonlyArray<SnippetTerm>): Array<Token> =>
  Array.from(text.matchAll(TOKEN), (m) => {
    const folded = fold(m[0])
    const term = terms.findIndex((t) => (t.prefix ? folded.startsWith(t.word) : folded === t.word))
    return { start: m.index, end: m.index + m[0].length, term }
  })

/**
 * The best window of a column: the most distinct terms, then the most matches, then the earliest.
 * Only windows that start at a match are weighed (a 64 KiB value is thousands of tokens). The one
 * chosen then starts two words earlier, or as many more as fill it when the text ends within it,
 * so long as it keeps every match it holds.
 */
const bestWindow = (tokens: ReadonlyArray<Token>) => {
  let best = { start: 0, score: -1 }
  tokens.forEach((token, start) => {
    if (token.term < 0) return
    const inside = tokens.slice(start, start + SNIPPET_TOKENS).filter((t) => t.term >= 0)
    const score = new Set(inside.map((t) => t.term)).size * 1000 + inside.length
    if (score > best.score) best = { start, score }
  })
  if (best.score < 0) return best
  const last = tokens.slice(best.start, best.start + SNIPPET_TOKENS).findLastIndex((t) => t.term >= 0)
  const room = Math.min(best.start, SNIPPET_TOKENS - 1 - last, Math.max(2, best.start + SNIPPET_TOKENS - tokens.length))
  return { start: best.start - room, score: best.score }
}

/**
 * The snippet of an entry whose columns (key, body, tags) matched `terms`: from the column whose best
 * window holds the most (the body on a tie), its text from the window's first token to its last,
 * matched tokens in [brackets], `…` where the column goes on. An empty string when nothing matches.
 */
export const snippet = (columns: ReadonlyArray<string>, terms: ReadonlyArray<SnippetTerm>): string => {
  let chosen: { text: string; tokens: Array<Token>; start: number; score: number } | undefined
  // The body first, so that it wins a tie.
  for (const index of [1, 0, 2]) {
    const text = columns[index] ?? ""
    const tokens = tokenize(text, terms)
    if (tokens.length === 0) continue
    const window = bestWindow(tokens)
    if (window.score > 0 && (!chosen || window.score > chosen.score)) chosen = { text, tokens, ...window }
  }
  if (!chosen) return ""
  const { text, tokens, start } = chosen
  const inside = tokens.slice(start, start + SNIPPET_TOKENS)
  let out = start > 0 ? "…" : ""
  let at = inside[0]!.start
  for (const t of inside) {
    out += text.slice(at, t.start) + (t.term >= 0 ? `[${text.slice(t.start, t.end)}]` : text.slice(t.start, t.end))
    at = t.end
  }
  const end = start + SNIPPET_TOKENS < tokens.length
  return out + (end ? "…" : text.slice(at))
}
