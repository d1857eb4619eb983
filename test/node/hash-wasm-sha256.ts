// Where src/workspace/sha256.wasm comes from: hash-wasm's sha256 module, which the package ships as
// base64 inside its JS (workerd will not compile WebAssembly from bytes at run time, so the Worker
// imports the module file instead). Run `node test/node/hash-wasm-sha256.ts --write` after bumping
// the pinned hash-wasm devDependency; hash-wasm-sha256.test.ts holds the file equal to the package's.
import { readFileSync, writeFileSync } from "node:fs"
import { createRequire } from "node:module"
import { resolve } from "node:path"

export const VENDORED = resolve(import.meta.dirname, "../../src/workspace/sha256.wasm")

/** The sha256 module's bytes, decoded from the installed hash-wasm's `dist/sha256.umd.min.js`. */
export const hashWasmSha256 = (): Buffer => {
  const bundle = createRequire(import.meta.url).resolve("hash-wasm/dist/sha256.umd.min.js")
  const match = readFileSync(bundle, "utf8").match(/\{name:"sha256",data:"([A-Za-z0-9+/=]+)"/)
  if (!match) throw new Error(`${bundle} has no embedded sha256 module; did hash-wasm change its bundle format?`)
  return Buffer.from(match[1]!, "base64")
}

if (process.argv[2] === "--write") {
  writeFileSync(VENDORED, hashWasmSha256())
  console.log(`wrote ${VENDORED}`)
}
