// Types the `env` that tests import from cloudflare:workers as the Worker's own bindings.
declare namespace Cloudflare {
  interface Env extends import("../src/env.ts").Env {}
}
