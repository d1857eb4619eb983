// The vendored sha256 module is hash-wasm's, byte for byte, and exports what sha256-wasm.ts calls.
import { readFileSync } from "node:fs"
import { expect, it } from "vitest"
import { hashWasmSha256, VENDORED } from "./hash-wasm-sha256.ts"

it("src/workspace/sha256.wasm is the pinned hash-wasm's sha256 module", () => {
  const vendored = readFileSync(VENDORED)
  expect(vendored.equals(hashWasmSha256()), "regenerate it: node test/node/hash-wasm-sha256.ts --write").toBe(true)
  const exports = WebAssembly.Module.exports(new WebAssembly.Module(vendored)).map((e) => e.name)
  expect(exports).toEqual(expect.arrayContaining(["memory", "Hash_GetBuffer", "Hash_Init", "Hash_Update", "Hash_Final", "Hash_Calculate"]))
  expect(WebAssembly.Module.imports(new WebAssembly.Module(vendored))).toEqual([])
})
