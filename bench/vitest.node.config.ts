// The Node-side benchmarks (bench/node/*.bench.ts): a real plane and the real test upstream on
// loopback, the upstream started by test/global-setup.ts as it is for tests. Run after the workerd
// benchmarks by `npm run bench`, so the two never share the cores.
import { resolve } from "node:path"
import { defineConfig } from "vitest/config"
import { ResultsReporter } from "./results-reporter.ts"

const root = resolve(import.meta.dirname, "..")

// wrangler's local observability streams a trace of every request into a local trace store (a
// SQLite-backed object in the same runtime) for its dev explorer. Production does not run it, and it
// costs every request, so the planes measured here run without it (docs/benchmarks.md).
process.env.X_LOCAL_OBSERVABILITY ??= "false"

export default defineConfig({
  root,
  test: {
    name: "bench-node",
    include: ["bench/node/*.bench.ts"],
    environment: "node",
    globalSetup: [resolve(root, "test/global-setup.ts")],
    fileParallelism: false,
    testTimeout: 300_000,
    hookTimeout: 300_000,
    reporters: ["default", new ResultsReporter(resolve(root, "bench/results"))]
  }
})
