// The append's WebAssembly sha256 must give exactly node:crypto's digest for any text, or the chain
// it writes would not verify anywhere else. Lengths cross both of its limits: the one-write path
// (5,461 UTF-16 units) and the 16 KiB buffer the long path feeds in chunks.
import { fc } from "@fast-check/vitest"
import { createHash } from "node:crypto"
import { describe, expect, it } from "vitest"
import { wasmSha256Hex, wasmSha256HexOf4 } from "../../src/workspace/sha256-wasm.ts"

const nodeSha256Hex = (text: string) => createHash("sha256").update(text, "utf8").digest("hex")

describe("wasmSha256Hex", () => {
  it("gives the FIPS 180-2 test vectors", () => {
    expect(wasmSha256Hex("")).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    expect(wasmSha256Hex("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    expect(wasmSha256Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")).toBe(
      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
    )
    expect(wasmSha256Hex("a".repeat(1_000_000))).toBe("cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
  })

  it("equals node:crypto on any text, short or long, in any script", () => {
    const text = fc.oneof(
      fc.string({ unit: "binary", maxLength: 300 }),
      fc.string({ unit: "grapheme", minLength: 1_800, maxLength: 2_200 }),
      fc.string({ unit: "binary", minLength: 5_400, maxLength: 5_500 }),
      fc.string({ unit: "grapheme-ascii", minLength: 16_300, maxLength: 33_000 })
    )
    fc.assert(
      fc.property(text, (t) => {
        expect(wasmSha256Hex(t)).toBe(nodeSha256Hex(t))
      }),
      { numRuns: 300 }
    )
  })

  it("encodes lone surrogates as U+FFFD, as node:crypto does", () => {
    for (const t of ["\ud800", "a\udc00b", "\ud83d", "x".repeat(6_000) + "\udfff"]) expect(wasmSha256Hex(t)).toBe(nodeSha256Hex(t))
  })

  it("keeps no state between calls: a long text between two short ones changes neither", () => {
    const before = wasmSha256Hex("envelope")
    wasmSha256Hex("é".repeat(20_000))
    expect(wasmSha256Hex("envelope")).toBe(before)
  })

  it("hashes four pieces as their joined text, across the one-write limit and with pairs split between pieces", () => {
    const piece = fc.oneof(fc.string({ unit: "binary", maxLength: 200 }), fc.string({ unit: "grapheme", minLength: 1_300, maxLength: 1_500 }))
    fc.assert(
      fc.property(piece, piece, piece, piece, (a, b, c, d) => {
        expect(wasmSha256HexOf4(a, b, c, d)).toBe(wasmSha256Hex(a + b + c + d))
      }),
      { numRuns: 300 }
    )
    // A pair split at each boundary is one character joined, two U+FFFD apart.
    const [high, low] = ["\ud83d", "\ude00"]
    expect(wasmSha256HexOf4(`x${high}`, `${low}y`, "z", "w")).toBe(wasmSha256Hex(`x${high}${low}yzw`))
    expect(wasmSha256HexOf4("x", `y${high}`, `${low}z`, "w")).toBe(wasmSha256Hex(`xy${high}${low}zw`))
    expect(wasmSha256HexOf4("x", "y", `z${high}`, `${low}w`)).toBe(nodeSha256Hex(`xyz${high}${low}w`))
  })
})
