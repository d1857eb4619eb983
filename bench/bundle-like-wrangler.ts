// A Vite plugin for the bench: serves the listed modules as one esbuild bundle each, the way
// wrangler bundles the deployed Worker. The vitest pool otherwise runs every module through Vite's
// module runner, where each call across a module boundary goes through a namespace getter; in hot
// loops (sha256's rounds call helpers from another module) that made hashing ~7x slower than in
// `wrangler dev`. Bundled, the code runs as it does in production.
import { dirname, resolve } from "node:path"
import { build, type Plugin as EsbuildPlugin } from "esbuild"
import type { Plugin } from "vite"

export const bundleLikeWrangler = (modules: ReadonlyArray<string>): Plugin => ({
  name: "berth-bench:bundle-like-wrangler",
  enforce: "pre",
  async load(id) {
    if (!modules.includes(id)) return undefined
    const result = await build({
      entryPoints: [id],
      bundle: true,
      write: false,
      format: "esm",
      target: "es2024",
      platform: "neutral",
      // wrangler's resolution for Workers.
      conditions: ["workerd", "worker", "browser"],
      mainFields: ["browser", "module", "main"],
      external: ["cloudflare:*", "node:*"],
      plugins: [wasmModulesStayImports],
      // The map is handed to Vite beside the code: inlined, the policy bench's bundle failed in the
      // pool with a JSON parse error at the end of its own map.
      sourcemap: "external",
      outfile: `${id}.bundle.js`
    })
    const file = (suffix: string) => result.outputFiles.find((f) => f.path.endsWith(suffix))!.text
    return { code: file(".bundle.js"), map: file(".bundle.js.map") }
  }
})

/**
 * A `.wasm?module` import (Cedar's, src/policy/cedar.ts) is left for the pool to compile into a
 * WebAssembly.Module, as wrangler does; made absolute, since the bundle is served from another folder.
 */
const wasmModulesStayImports: EsbuildPlugin = {
  name: "berth-bench:wasm-module",
  setup(esbuild) {
    esbuild.onResolve({ filter: /\.wasm\?module$/ }, (args) => ({ path: resolve(dirname(args.importer), args.path), external: true }))
  }
}
