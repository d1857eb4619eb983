// Synchronous sha256 that runs in both runtimes: the Worker and the CLI in Node (the chain
// verifier, projections/archive/verify.ts, runs in both). node:crypto is native in workerd
// (nodejs_compat). Handing it UTF-8 bytes rather than a string halves its cost: the binding's own
// string conversion is slower than TextEncoder's. The Worker's hot paths (the append, tool calls)
// use the faster WebAssembly one, sha256-wasm.ts, which only workerd can import.
import { hash } from "node:crypto"

const utf8 = new TextEncoder()

export const sha256Hex = (text: string): string => hash("sha256", utf8.encode(text), "hex")
