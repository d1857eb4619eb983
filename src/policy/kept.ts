// What a workspace's policy engine keeps beside the log, in its object's storage, so that an object
// woken in a fresh isolate need not run Cedar's WebAssembly (tens of milliseconds, compiled on first
// use) for what it already knows: each policy set's parse, and Cedar's answers to requests that read
// no argument and no time. Caches, never records: the log's policy texts stay the record, both are
// Cedar's own output for them, and both name the Cedar version that produced them.
import { sha256Hex } from "../workspace/sha256-hex.ts"
import { type AuthorizationAnswer, CEDAR_VERSION, type PolicyJson } from "./cedar.ts"

export interface CompiledPolicy {
  readonly id: string
  readonly text: string
  readonly json: PolicyJson
}

/** One stored set as parsed: its policies in source order, each with its Berth id, text and JSON. */
export type ParsedSet = ReadonlyArray<CompiledPolicy>

/**
 * Parses kept between wakes, by set id and text sha256 (the ids of a set's policies follow from its
 * id). Only the engine's compile writes them, from Cedar's own parse.
 */
export interface ParsedSets {
  get(setId: string, sha256: string): ParsedSet | undefined
  set(setId: string, sha256: string, parsed: ParsedSet): void
  /** Forgets the parses of every set but these (the stored ones): a removed set's parse is not kept. */
  retain(setIds: ReadonlySet<string>): void
}

/**
 * Cedar's answers kept between wakes, under the policies they answer for (`policies`: a digest of
 * every stored set's id and text, and the Cedar version) and the request exactly as Cedar was given it.
 */
export interface KeptAnswers {
  get(policies: string, request: string): AuthorizationAnswer | undefined
  set(policies: string, request: string, answer: AuthorizationAnswer): void
  /** Forgets every answer given under other policies than these. */
  retain(policies: string): void
}

const PARSED_KEY = "policy-parse:"

/**
 * Parses in a Durable Object's synchronous key-value storage, one entry per set id (a new text
 * replaces it, and a removed set's goes when the engine next syncs). An entry names the Cedar version
 * that parsed it, since the JSON form is Cedar's: a plane upgraded to another Cedar parses again.
 */
export const storedParsedSets = (kv: SyncKvStorage): ParsedSets => ({
  get: (setId, sha256) => {
    const entry = kv.get<{ sha256: string; cedar: string; parsed: ParsedSet }>(PARSED_KEY + setId)
    return entry && entry.sha256 === sha256 && entry.cedar === CEDAR_VERSION ? entry.parsed : undefined
  },
  set: (setId, sha256, parsed) => kv.put(PARSED_KEY + setId, { sha256, cedar: CEDAR_VERSION, parsed }),
  retain: (setIds) => {
    for (const [key] of kv.list({ prefix: PARSED_KEY })) if (!setIds.has(key.slice(PARSED_KEY.length))) kv.delete(key)
  }
})

const ANSWER_KEY = "policy-answer:"

/**
 * Answers in a Durable Object's synchronous key-value storage, keyed `policy-answer:<policies>:<request>`
 * (`request` by its sha256, since a storage key is at most 2 KiB). The request is kept in the entry
 * and compared, so an entry can never answer for another request.
 */
export const storedAnswers = (kv: SyncKvStorage): KeptAnswers => ({
  get: (policies, request) => {
    const entry = kv.get<{ request: string; answer: AuthorizationAnswer }>(`${ANSWER_KEY}${policies}:${sha256Hex(request)}`)
    return entry?.request === request ? entry.answer : undefined
  },
  set: (policies, request, answer) => kv.put(`${ANSWER_KEY}${policies}:${sha256Hex(request)}`, { request, answer }),
  retain: (policies) => {
    for (const [key] of kv.list({ prefix: ANSWER_KEY })) if (!key.startsWith(`${ANSWER_KEY}${policies}:`)) kv.delete(key)
  }
})
