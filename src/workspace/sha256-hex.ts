// Synchronous sha256, because hashing happens inside transactionSync where WebCrypto (async) cannot
// run. node:crypto is native in workerd (nodejs_compat); its one-shot hash() skips the Hash object
// that createHash builds per call, which matters on the append path (docs/benchmarks.md).
import { hash } from "node:crypto"

export const sha256Hex = (text: string): string => hash("sha256", text, "hex")
