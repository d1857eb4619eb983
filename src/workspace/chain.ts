// The hash chain: hash = sha256_hex(prevHash + "\n" + JCS(envelope without hash)), JCS per RFC 8785.
import canonicalize from "canonicalize"
import type { Envelope } from "../../events/index.ts"
import { sha256Hex } from "./sha256-hex.ts"

export type UnhashedEnvelope = Omit<Envelope, "hash">

/** sha256 of a text's UTF-8, as lowercase hex. node:crypto by default, which runs everywhere; the
 * Workspace object passes the faster WebAssembly one (sha256-wasm.ts), which only workerd can import. */
export type Sha256Hex = (text: string) => string

/** The JCS of an envelope's `actor` and `data`, computed once and reused (the append stores them too). */
export interface CanonicalParts {
  readonly actor: string
  readonly data: string
}

/*
 * JCS (RFC 8785) of an envelope is `jcsEnvelopeHead + JCS(data) + jcsEnvelopeTail`. Its top-level keys
 * are fixed, so they are written in JCS order (UTF-16 code-unit order) and only `actor` and `data` go
 * through the canonicalizer; a property test holds the three byte-equal to canonicalize(envelope).
 */

/** The JCS of an envelope up to its `data`: the same for every event of one append. */
export const jcsEnvelopeHead = (at: string, actor: string, causationId: string | null, correlationId: string): string =>
  `{"actor":${actor},"at":${JSON.stringify(at)},"causationId":${JSON.stringify(causationId)},"correlationId":${JSON.stringify(correlationId)},"data":`

/** The JCS of an envelope after its `data`. */
export const jcsEnvelopeTail = (e: Pick<UnhashedEnvelope, "id" | "prevHash" | "seq" | "type" | "v">): string =>
  `,"id":${JSON.stringify(e.id)},"prevHash":${JSON.stringify(e.prevHash)},"seq":${JSON.stringify(e.seq)},"type":${JSON.stringify(e.type)},"v":${JSON.stringify(e.v)}}`

/** sha256 hex of the UTF-8 of four texts joined; sha256-wasm.ts writes them into its buffer one by one. */
export type Sha256HexOf4 = (a: string, b: string, c: string, d: string) => string

/** What every envelope of one append hashes between its prevHash and its data: the newline, then the JCS up to `data`. */
export const sharedHashedText = (at: string, actor: string, causationId: string | null, correlationId: string): string =>
  "\n" + jcsEnvelopeHead(at, actor, causationId, correlationId)

/**
 * An envelope's hash as the append computes it, the same value as `hashEnvelope`: its text in four
 * pieces, the middle two (`shared`, from `sharedHashedText`, and the canonical `data`) already built.
 */
export const sealHash = (envelope: Pick<UnhashedEnvelope, "id" | "prevHash" | "seq" | "type" | "v">, shared: string, data: string, sha256: Sha256HexOf4): string =>
  sha256(envelope.prevHash, shared, data, jcsEnvelopeTail(envelope))

/** An envelope's hash from the envelope alone (the verifier's path): `sealHash` with its pieces joined. */
export const hashEnvelope = (
  envelope: UnhashedEnvelope,
  parts: CanonicalParts = { actor: canonicalize(envelope.actor)!, data: canonicalize(envelope.data)! },
  sha256: Sha256Hex = sha256Hex
): string =>
  sealHash(envelope, sharedHashedText(envelope.at, parts.actor, envelope.causationId, envelope.correlationId), parts.data, (a, b, c, d) => sha256(a + b + c + d))

export type ChainCheck =
  | { readonly ok: true; readonly count: number; readonly headSeq: number; readonly headHash: string }
  | { readonly ok: false; readonly count: number; readonly firstBadSeq: number; readonly reason: string }

/** Walks envelopes in order and reports the first one that breaks the chain, or the head. */
export const verifyChain = (
  envelopes: Iterable<Envelope>,
  genesis: { seq: number; hash: string },
  sha256: Sha256Hex = sha256Hex
): ChainCheck => {
  let expectedSeq = genesis.seq + 1
  let prevHash = genesis.hash
  let prevAt = ""
  let count = 0
  for (const e of envelopes) {
    const bad = (reason: string): ChainCheck => ({ ok: false, count, firstBadSeq: expectedSeq, reason })
    if (e.seq !== expectedSeq) return bad(`expected seq ${expectedSeq}, found ${e.seq}`)
    if (e.prevHash !== prevHash) return bad(`prevHash does not match the hash of seq ${expectedSeq - 1}`)
    if (!(e.at >= prevAt)) return bad(`at ${JSON.stringify(e.at)} is before the previous event's ${prevAt}`)
    const { hash, ...unhashed } = e
    if (hashEnvelope(unhashed, undefined, sha256) !== hash) return bad("hash does not match the envelope's contents")
    prevHash = hash
    prevAt = e.at
    expectedSeq++
    count++
  }
  return { ok: true, count, headSeq: expectedSeq - 1, headHash: prevHash }
}
