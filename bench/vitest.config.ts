// The benchmark project: the same workerd pool as the `workers` test project (real Durable Object
// SQLite from wrangler.toml), running bench/*.bench.ts, with room for long measurements. The Node-side benchmarks have their own
// config (vitest.node.config.ts): as a second project here, this pool crashed on append.bench.ts.
import { resolve } from "node:path"
import { cloudflareTest } from "@cloudflare/vitest-plugin"
import { defineConfig } from "vitest/config"
import { bundleLikeWrangler } from "./bundle-like-wrangler.ts"
import { ResultsReporter } from "./results-reporter.ts"

const root = resolve(import.meta.dirname, "..")

export default defineConfig({
  root,
  plugins: [
    bundleLikeWrangler([
      resolve(root, "bench/bench-workspace.ts"),
      resolve(root, "bench/append-breakdown.ts"),
      resolve(root, "bench/policy-workload.ts")
    ]),
    cloudflareTest({
      wrangler: { configPath: resolve(root, "wrangler.toml") },
      miniflare: { bindings: { BERTH_ADMIN_TOKEN: "bench-admin-token" } }
    })
  ],
  test: {
    name: "bench",
    include: ["bench/*.bench.ts"],
    // One file at a time: two benchmarks sharing the 2 cores would measure each other.
    fileParallelism: false,
    testTimeout: 300_000,
    hookTimeout: 300_000,
    reporters: ["default", new ResultsReporter(resolve(root, "bench/results"))]
  }
})
