// Two test projects. `workers` runs inside workerd through @cloudflare/vitest-plugin: real Durable
// Object SQLite, KV and RPC, configured from wrangler.toml. `node` runs what lives outside the
// Worker: the berth CLI and independent verifiers, against a real plane started by wrangler.
import { cloudflareTest } from "@cloudflare/vitest-plugin"
import { defineConfig } from "vitest/config"

export const TEST_ADMIN_TOKEN = "test-admin-token"

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
            miniflare: { bindings: { BERTH_ADMIN_TOKEN: TEST_ADMIN_TOKEN } }
          })
        ],
        test: { name: "workers", include: ["test/**/*.test.ts"], exclude: ["test/node/**"], testTimeout: 30_000 }
      },
      {
        test: { name: "node", include: ["test/node/**/*.test.ts"], environment: "node", testTimeout: 60_000 }
      }
    ]
  }
})
