// Applies the D1 read-model migrations (projections/d1/migrations) before each test file, the same
// files `npm start` and production apply with `wrangler d1 migrations apply`.
import { applyD1Migrations } from "cloudflare:test"
import { env } from "cloudflare:workers"

await applyD1Migrations(env.READ_MODELS, env.TEST_MIGRATIONS)
