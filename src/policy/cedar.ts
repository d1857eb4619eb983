// The only importer of @cedar-policy/cedar-wasm: instantiates its 4 MB of wasm on first use, not at
// Worker startup, and synchronously, so a Durable Object can call it inside `transactionSync`.
/// <reference path="./wasm.d.ts" />
import * as wasmApi from "@cedar-policy/cedar-wasm/web"
// The package's `exports` map does not list the .wasm, so Vite refuses the bare specifier; a path
// relative to node_modules resolves under both wrangler and the vitest plugin (docs/notes/cedar.md).
import wasm from "../../node_modules/@cedar-policy/cedar-wasm/web/cedar_wasm_bg.wasm?module"
// Its package's version, read without instantiating the wasm (test/policy/kept.test.ts checks it is
// the Cedar version the wasm itself reports).
import cedarPackage from "../../node_modules/@cedar-policy/cedar-wasm/web/package.json" with { type: "json" }

export type * from "@cedar-policy/cedar-wasm/web"

let initialized = false

/** The Cedar version this isolate runs (what names every parse and answer the engine keeps), known before Cedar is instantiated. */
export const CEDAR_VERSION: string = cedarPackage.version

/** The Cedar API, initialized. The instance is module state: one per isolate, shared by its Durable Objects. */
export const cedar = (): typeof wasmApi => {
  if (!initialized) {
    wasmApi.initSync({ module: wasm })
    initialized = true
  }
  return wasmApi
}

/** An unknown value for partial evaluation (e.g. the arguments of a call that has not been made). */
export const unknownValue = (name: string): wasmApi.CedarValueJson => ({ __extn: { fn: "unknown", arg: name } })

/** A Cedar `datetime` from an ISO 8601 string. */
export const datetimeValue = (iso: string): wasmApi.CedarValueJson => ({ __extn: { fn: "datetime", arg: iso } })
