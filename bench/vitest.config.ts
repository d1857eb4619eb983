// The benchmark projects, run one after the other. `bench`: the same workerd pool as the `workers`
// test project (real Durable Object SQLite from wrangler.toml), running bench/*.bench.ts with room
// for long measurements. `bench-node`: bench/node/*.bench.ts in Node, against a real plane and the
// real test upstream on loopback (test/global-setup.ts starts the upstream, as it does for tests).
import { resolve } from "node:path"
import { cloudflareTest } from "@cloudflare/vitest-plugin"
import { defineConfig } from "vitest/config"
import { bundleLikeWrangler } from "./bundle-like-wrangler.ts"
import { ResultsReporter } from "./results-reporter.ts"

const root = resolve(import.meta.dirname, "..")

export default defineConfig({
  root,
  test: {
    reporters: ["default", new ResultsReporter(resolve(root, "bench/results"))],
    projects: [
      {
        root,
        plugins: [
          bundleLikeWrangler([resolve(root, "bench/bench-workspace.ts"), resolve(root, "bench/append-breakdown.ts")]),
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
          sequence: { groupOrder: 1 }
        }
      },
      {
        root,
        test: {
          name: "bench-node",
          include: ["bench/node/*.bench.ts"],
          environment: "node",
          globalSetup: [resolve(root, "test/global-setup.ts")],
          fileParallelism: false,
          testTimeout: 300_000,
          hookTimeout: 300_000,
          // After the workerd benchmarks, so the two never share the cores.
          sequence: { groupOrder: 2 }
        }
      }
    ]
  }
})
