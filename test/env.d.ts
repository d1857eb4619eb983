// Types the `env` that tests import from cloudflare:workers as the Worker's own bindings, plus the
// test-only bindings vitest.config.ts adds.
type BerthEnv = import("../src/env.ts").Env
declare namespace Cloudflare {
  interface Env extends BerthEnv {
    /** The D1 migrations, read by vitest.config.ts and applied by test/apply-migrations.ts. */
    readonly TEST_MIGRATIONS: Array<import("cloudflare:test").D1Migration>
    /** The public half of the test signing key (base64url raw Ed25519). */
    readonly TEST_AUDIT_PUBLIC_KEY: string
  }
}
