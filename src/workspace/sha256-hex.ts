// Synchronous sha256, because hashing happens inside transactionSync where WebCrypto (async) cannot
// run. node:crypto is native in workerd (nodejs_compat). Handing it UTF-8 bytes rather than a string
// halves the cost on the append path: the binding's own string conversion is slower than
// TextEncoder's (3.5 vs 6.7 µs for a 600-byte envelope; docs/benchmarks.md).
import { hash } from "node:crypto"

const utf8 = new TextEncoder()

export const sha256Hex = (text: string): string => hash("sha256", utf8.encode(text), "hex")
