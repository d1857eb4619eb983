// sha256 for the Worker's hot paths: the chain hashes every appended event inside transactionSync,
// and every tool call hashes the agent's key, its arguments and its result. It must be synchronous
// (WebCrypto is not), and workerd's node:crypto `hash()` builds a Node `Transform` stream per call:
// about 3.5–6.5 µs for a 600-byte envelope, most of it not hashing, plus the garbage it leaves.
// This is hash-wasm's sha256 (MIT, https://github.com/Daninet/hash-wasm, src/sha256.c), taken byte
// for byte from the pinned package: workerd compiles WebAssembly only when it is imported as a
// module, and hash-wasm ships it as base64 inside its JS. Regenerate it with
// `node test/node/hash-wasm-sha256.ts --write`; test/node/hash-wasm-sha256.test.ts holds it equal to
// the package's. One instance serves the isolate; each call writes its input into the module's
// buffer and reads the digest back, with nothing allocated but the hex string. Code that also runs
// in Node (the CLI's verifier) uses sha256-hex.ts.
/// <reference path="../policy/wasm.d.ts" />
import type { Sha256Hex, Sha256HexOf4 } from "./chain.ts"
import module from "./sha256.wasm?module"

/** hash-wasm's exports (src/sha256.c). The input and the digest share one 16 KiB buffer. */
interface Sha256Exports {
  readonly memory: WebAssembly.Memory
  Hash_GetBuffer(): number
  Hash_Init(bits: 256): void
  Hash_Update(length: number): void
  Hash_Final(): void
  /** Init, Update(length) and Final in one call. */
  Hash_Calculate(length: number, bits: 256): void
}

const BUFFER_BYTES = 16 * 1024
/** A UTF-16 code unit is at most 3 bytes of UTF-8, so a string this long always fits the buffer. */
const FITS_IN_ONE_WRITE = Math.floor(BUFFER_BYTES / 3)

const wasm = new WebAssembly.Instance(module).exports as unknown as Sha256Exports
const buffer = new Uint8Array(wasm.memory.buffer, wasm.Hash_GetBuffer(), BUFFER_BYTES)
const utf8 = new TextEncoder()
const HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, "0"))

const digestHex = (): string => {
  let hex = ""
  for (let i = 0; i < 32; i++) hex += HEX[buffer[i]!]
  return hex
}

/** sha256 of the UTF-8 of `text`, as lowercase hex: the same value as src/workspace/sha256-hex.ts. */
export const wasmSha256Hex: Sha256Hex = (text) => {
  if (text.length <= FITS_IN_ONE_WRITE) {
    wasm.Hash_Calculate(utf8.encodeInto(text, buffer).written, 256)
    return digestHex()
  }
  const bytes = utf8.encode(text)
  wasm.Hash_Init(256)
  for (let at = 0; at < bytes.length; at += BUFFER_BYTES) {
    const chunk = bytes.subarray(at, at + BUFFER_BYTES)
    buffer.set(chunk)
    wasm.Hash_Update(chunk.length)
  }
  wasm.Hash_Final()
  return digestHex()
}

/** Whether a text ends in the first half of a surrogate pair, which the next text may complete. */
const endsInHighSurrogate = (text: string) => {
  const last = text.charCodeAt(text.length - 1)
  return last >= 0xd800 && last <= 0xdbff
}

/**
 * sha256 hex of the UTF-8 of `a + b + c + d`, written piece by piece into the module's buffer: the
 * append hashes each envelope's text this way (prevHash, the part shared by one append, `data`, the
 * rest), so the joined text is never built and flattened. The same value as `wasmSha256Hex` of the
 * joined text, also when a surrogate pair spans two pieces (then they are joined first).
 */
export const wasmSha256HexOf4: Sha256HexOf4 = (a, b, c, d) => {
  if (a.length + b.length + c.length + d.length > FITS_IN_ONE_WRITE || endsInHighSurrogate(a) || endsInHighSurrogate(b) || endsInHighSurrogate(c)) {
    return wasmSha256Hex(a + b + c + d)
  }
  let at = utf8.encodeInto(a, buffer).written
  at += utf8.encodeInto(b, buffer.subarray(at)).written
  at += utf8.encodeInto(c, buffer.subarray(at)).written
  at += utf8.encodeInto(d, buffer.subarray(at)).written
  wasm.Hash_Calculate(at, 256)
  return digestHex()
}
