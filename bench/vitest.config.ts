// The benchmark project: the same workerd pool as the `workers` test project (real Durable Object
// SQLite from wrangler.toml), running bench/*.bench.ts, with room for long measurements. The Node-side benchmarks have their own
// config (vitest.node.config.ts): as a second project here, this pool crashed on append.bench.ts.
import { resolve } from "node:path"
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin"
import { TEST_AUDIT_SIGNING_KEY } from "../test/keys.ts"
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
      resolve(root, "bench/policy-workload.ts"),
      resolve(root, "bench/directory-gate-workload.ts")
    ]),
    cloudflareTest({
      wrangler: { configPath: resolve(root, "wrangler.toml") },
      miniflare: {
        bindings: {
          BERTH_ADMIN_TOKEN: "bench-admin-token",
          BERTH_AUDIT_SIGNING_KEY: TEST_AUDIT_SIGNING_KEY,
          // The fan-out lag benchmark applies them to its D1 (bench/fanout-lag.bench.ts).
          BENCH_MIGRATIONS: await readD1Migrations(resolve(root, "projections/d1/migrations"))
        }
      }
    })
  ],
  test: {
    name: "bench",
    include: ["bench/*.bench.ts"],
    // One file at a time: two benchmarks sharing the 2 cores would measure each other.
    fileParallelism: false,
    // The bundles above depend on every module they pull in, but a cached transform is keyed by
    // the entry file alone; a stale bundle once ran an old EventLog. Always bundle afresh.
    fsModuleCache: false,
    testTimeout: 300_000,
    hookTimeout: 300_000,
    reporters: ["default", new ResultsReporter(resolve(root, "bench/results"))]
  }
})
