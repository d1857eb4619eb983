// Two test projects. `workers` runs inside workerd through @cloudflare/vitest-plugin: real Durable
// Object SQLite, KV and RPC, configured from wrangler.toml. `node` runs what lives outside the
// Worker: the berth CLI and independent verifiers, against a real plane started by wrangler.
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin"
import { defineConfig } from "vitest/config"

import { TEST_ADMIN_TOKEN, TEST_AUDIT_PUBLIC_KEY, TEST_AUDIT_SIGNING_KEY, TEST_SESSION_SECRET, TEST_VAULT_KEY } from "./test/keys.ts"

// The D1 schema, applied to each test's database by test/apply-migrations.ts.
const migrations = await readD1Migrations("./projections/d1/migrations")

/** Auxiliary workers a test project runs beside the plane (Miniflare's worker options). */
type AuxiliaryWorkers = NonNullable<NonNullable<Extract<Parameters<typeof cloudflareTest>[0], { miniflare?: unknown }>["miniflare"]>["workers"]>

const WORKERS_AI_TEST = "test/sandbox/orbit-ai-workers-ai.test.ts"

/**
 * The packages the plane and its tests import inside workerd, prebundled by vite's optimizer (which,
 * as vitest configures it, bundles only what is named here). Cedar is not: its WebAssembly is loaded
 * as a module of its own.
 */
const OPTIMIZED_DEPENDENCIES = [
  "effect",
  "@modelcontextprotocol/server",
  "@modelcontextprotocol/client",
  "@cloudflare/workers-oauth-provider",
  "@cfworker/json-schema",
  "oauth4webapi",
  "canonicalize",
  "sucrase",
  "ulid",
  "fast-check"
]

/** A project inside workerd, configured from wrangler.toml plus the tests' secrets and settings. */
function workersProject(
  name: string,
  options: { include?: Array<string>; exclude?: Array<string>; serviceBindings?: Record<string, string>; workers?: AuxiliaryWorkers }
) {
  return {
    plugins: [
      cloudflareTest({
        wrangler: { configPath: "./wrangler.toml" },
        miniflare: {
          bindings: {
            BERTH_ADMIN_TOKEN: TEST_ADMIN_TOKEN,
            BERTH_AUDIT_SIGNING_KEY: TEST_AUDIT_SIGNING_KEY,
            BERTH_SESSION_SECRET: TEST_SESSION_SECRET,
            BERTH_VAULT_KEY: TEST_VAULT_KEY,
            TEST_AUDIT_PUBLIC_KEY,
            // Small segments, so a test of a few dozen events seals several.
            BERTH_ARCHIVE_SEGMENT_EVENTS: "25",
            // A short answer limit, so a test can watch a relayed request the agent never answers expire.
            BERTH_MCP_ANSWER_SECONDS: "3",
            TEST_MIGRATIONS: migrations
          },
          ...(options.serviceBindings ? { serviceBindings: options.serviceBindings } : {}),
          ...(options.workers ? { workers: options.workers } : {})
        }
      })
    ],
    test: {
      name,
      // Off: with it on, a worker's second test file is sent every module of its graph in one
      // WebSocket message (vitest's warm-module snapshot, inlined by the pool), and once the
      // plane's graph passed workerd's message limit ("Message is too large") the file never ran.
      fsModuleCache: false,
      include: options.include ?? ["test/**/*.test.ts"],
      exclude: ["test/node/**", ...(options.exclude ?? [])],
      setupFiles: ["./test/apply-migrations.ts"],
      // Each test file loads the plane's whole graph into a fresh isolate, one module per request to
      // vite, and the pool inlines every dependency. Prebundled, each of these is one module instead
      // of hundreds (Effect alone is 572): the workers project went from 404 s to 290 s here.
      deps: { optimizer: { ssr: { enabled: true, include: OPTIMIZED_DEPENDENCIES } } },
      testTimeout: 30_000
    }
  }
}

export default defineConfig({
  test: {
    testTimeout: 30_000,
    // Two files at a time even on two cores: much of a file's time is waiting on a runtime to start
    // (workerd, wrangler's planes), so this took the suite from about 13 to about 8 minutes here.
    maxWorkers: 2,
    // Real upstream MCP servers on loopback, shared by every project (inject("upstreamUrl") etc.).
    globalSetup: ["./test/global-setup.ts"],
    projects: [
      workersProject("workers", { exclude: [WORKERS_AI_TEST] }),
      // The same runtime with a Workers AI binding (a stand-in model worker), for orbit.ai's first
      // source. A project of its own, because every other test runs a deployment without one.
      workersProject("workers-ai", {
        include: [WORKERS_AI_TEST],
        serviceBindings: { AI: "workers-ai-stand-in" },
        workers: [{ name: "workers-ai-stand-in", modules: true, scriptPath: "./test/stand-ins/workers-ai.js", compatibilityDate: "2026-11-01" }]
      }),
      {
        // A plane takes seconds to start, more on a busy two-core machine than vitest's 10 s hook default.
        test: { name: "node", include: ["test/node/**/*.test.ts"], environment: "node", testTimeout: 60_000, hookTimeout: 120_000 }
      }
    ]
  }
})
