// Two test projects. `workers` runs inside workerd through @cloudflare/vitest-plugin: real Durable
// Object SQLite, KV and RPC, configured from wrangler.toml. `node` runs what lives outside the
// Worker: the berth CLI and independent verifiers, against a real plane started by wrangler.
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin"
import { defineConfig } from "vitest/config"

export const TEST_ADMIN_TOKEN = "test-admin-token"
/** A throwaway Ed25519 key (base64 PKCS#8) that signs archive manifests in tests, and its public half. */
export const TEST_AUDIT_SIGNING_KEY = "MC4CAQAwBQYDK2VwBCIEIPsiYyBkOdj10UXNyruYKG247OsFgoqDCUFGCkiR9qJy"
export const TEST_AUDIT_PUBLIC_KEY = "zFlzsxKFOn4tjIUnTZcZc-8L3xxP5W_MfStTy0u0DJk"

// The D1 schema, applied to each test's database by test/apply-migrations.ts.
const migrations = await readD1Migrations("./projections/d1/migrations")

export default defineConfig({
  test: {
    testTimeout: 30_000,
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
                TEST_AUDIT_PUBLIC_KEY,
                TEST_MIGRATIONS: migrations
              }
            }
          })
        ],
        test: {
          name: "workers",
          include: ["test/**/*.test.ts"],
          exclude: ["test/node/**"],
          setupFiles: ["./test/apply-migrations.ts"],
          testTimeout: 30_000
        }
      },
      {
        test: { name: "node", include: ["test/node/**/*.test.ts"], environment: "node", testTimeout: 60_000 }
      }
    ]
  }
})
