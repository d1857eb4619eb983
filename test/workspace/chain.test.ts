// The chain's JCS fast path must be byte-equal to a general RFC 8785 canonicalizer for any envelope,
// or exports would stop verifying with third-party tools.
import { fc } from "@fast-check/vitest"
import canonicalize from "canonicalize"
import { expect, it } from "vitest"
import { hashEnvelope, jcsEnvelopeHead, jcsEnvelopeTail, sealHash, sharedHashedText } from "../../src/workspace/chain.ts"
import { sha256Hex } from "../../src/workspace/sha256-hex.ts"
import { wasmSha256Hex, wasmSha256HexOf4 } from "../../src/workspace/sha256-wasm.ts"

const envelope = fc.record({
  seq: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
  id: fc.string(),
  type: fc.string(),
  v: fc.integer({ min: 1, max: 1000 }),
  at: fc.string(),
  actor: fc.record({ type: fc.constantFrom("admin", "member", "agent", "system"), id: fc.string({ unit: "binary" }) }),
  correlationId: fc.string({ unit: "binary" }),
  causationId: fc.option(fc.string(), { nil: null }),
  data: fc.jsonValue(),
  prevHash: fc.stringMatching(/^[0-9a-f]{64}$/)
})

it("head + canonical data + tail equals canonicalize(envelope) byte for byte", () => {
  fc.assert(
    fc.property(envelope, (e) => {
      expect(jcsEnvelopeHead(e.at, canonicalize(e.actor)!, e.causationId, e.correlationId) + canonicalize(e.data)! + jcsEnvelopeTail(e as never)).toBe(canonicalize(e))
    }),
    { numRuns: 500 }
  )
})

it("the append's WebAssembly hasher gives every envelope the hash node:crypto gives it", () => {
  fc.assert(
    fc.property(envelope, (e) => {
      expect(hashEnvelope(e as never, undefined, wasmSha256Hex)).toBe(hashEnvelope(e as never))
    }),
    { numRuns: 300 }
  )
})

it("the append's hash in four pieces (sealHash) equals hashEnvelope for every envelope", () => {
  fc.assert(
    fc.property(envelope, (e) => {
      const shared = sharedHashedText(e.at, canonicalize(e.actor)!, e.causationId, e.correlationId)
      expect(sealHash(e as never, shared, canonicalize(e.data)!, wasmSha256HexOf4)).toBe(hashEnvelope(e as never))
      // DESIGN's definition, with a general canonicalizer: hash = sha256_hex(prevHash + "\n" + JCS(envelope without hash)).
      expect(hashEnvelope(e as never)).toBe(sha256Hex(e.prevHash + "\n" + canonicalize(e)))
    }),
    { numRuns: 300 }
  )
})
