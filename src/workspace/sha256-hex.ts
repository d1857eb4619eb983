// Synchronous sha256, because hashing happens inside transactionSync where WebCrypto (async) cannot
// run. node:crypto's createHash is native in workerd (nodejs_compat) and about twice as fast as a
// JavaScript implementation on the append path (docs/benchmarks.md).
import { createHash } from "node:crypto"

export const sha256Hex = (text: string): string => createHash("sha256").update(text).digest("hex")
