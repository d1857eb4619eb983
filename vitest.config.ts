// Tests run inside workerd through @cloudflare/vitest-plugin: real Durable Object SQLite, KV and
// RPC, configured from wrangler.toml. Only the admin token is test-specific.
import { cloudflareTest } from "@cloudflare/vitest-plugin"
import { defineConfig } from "vitest/config"

export const TEST_ADMIN_TOKEN = "test-admin-token"

export default defineConfig({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: "./wrangler.toml" },
      miniflare: { bindings: { BERTH_ADMIN_TOKEN: TEST_ADMIN_TOKEN } }
    })
  ],
  test: { include: ["test/**/*.test.ts"], testTimeout: 30_000 },
  benchmark: { include: ["bench/**/*.bench.ts"] }
})
