// Two test projects. `workers` runs inside workerd through @cloudflare/vitest-plugin: real Durable
// Object SQLite, KV and RPC, configured from wrangler.toml. `node` runs what lives outside the
// Worker: the berth CLI and independent verifiers, against a real plane started by wrangler.
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin"
import { defineConfig } from "vitest/config"

import { TEST_ADMIN_TOKEN, TEST_AUDIT_PUBLIC_KEY, TEST_AUDIT_SIGNING_KEY, TEST_SESSION_SECRET, TEST_VAULT_KEY } from "./test/keys.ts"

// The D1 schema, applied to each test's database by test/apply-migrations.ts.
const migrations = await readD1Migrations("./projections/d1/migrations")

export default defineConfig({
  test: {
    testTimeout: 30_000,
    // Two files at a time even on two cores: much of a file's time is waiting on a runtime to start
    // (workerd, wrangler's planes), so this took the suite from about 13 to about 8 minutes here.
    maxWorkers: 2,
    // Real upstream MCP servers on loopback, shared by both projects (inject("upstreamUrl") etc.).
    globalSetup: ["./test/global-setup.ts"],
    projects: [
      {
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
              }
            }
          })
        ],
        test: {
          name: "workers",
          // Off: with it on, a worker's second test file is sent every module of its graph in one
          // WebSocket message (vitest's warm-module snapshot, inlined by the pool), and once the
          // plane's graph passed workerd's message limit ("Message is too large") the file never ran.
          fsModuleCache: false,
          include: ["test/**/*.test.ts"],
          exclude: ["test/node/**"],
          setupFiles: ["./test/apply-migrations.ts"],
          testTimeout: 30_000
        }
      },
      {
        // A plane takes seconds to start, more on a busy two-core machine than vitest's 10 s hook default.
        test: { name: "node", include: ["test/node/**/*.test.ts"], environment: "node", testTimeout: 60_000, hookTimeout: 120_000 }
      }
    ]
  }
})
