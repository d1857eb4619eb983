// The Worker's bindings, as wrangler.toml declares them.
import type { Workspace } from "./workspace/durable-object.ts"

export interface Env {
  readonly WORKSPACE: DurableObjectNamespace<Workspace>
  readonly DIRECTORY: KVNamespace
  /** Worker secret. Unset means the admin RPC refuses everyone: there is no default token. */
  readonly BERTH_ADMIN_TOKEN?: string
  /** Comma-separated hostnames whose browser pages may call the MCP endpoint (loopback always may). */
  readonly BERTH_ALLOWED_ORIGINS?: string
}
