// A Vite plugin for the bench: serves the listed modules as one esbuild bundle each, the way
// wrangler bundles the deployed Worker. The vitest pool otherwise runs every module through Vite's
// module runner, where each call across a module boundary goes through a namespace getter; in hot
// loops (sha256's rounds call helpers from another module) that made hashing ~7x slower than in
// `wrangler dev`. Bundled, the code runs as it does in production.
import { build } from "esbuild"
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
      sourcemap: "inline"
    })
    return result.outputFiles[0]!.text
  }
})
