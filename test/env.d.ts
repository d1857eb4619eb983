// Types the `env` that tests import from cloudflare:workers as the Worker's own bindings.
type BerthEnv = import("../src/env.ts").Env
declare namespace Cloudflare {
  interface Env extends BerthEnv {}
}
