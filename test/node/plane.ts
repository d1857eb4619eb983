// Starts a real Berth plane (wrangler's local runtime: workerd, Durable Objects, KV) on a free
// port for tests that live outside the Worker, such as the CLI. State goes to a temp directory.
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { unstable_startWorker } from "wrangler"

export const PLANE_ADMIN_TOKEN = "node-test-admin-token"

export const startPlane = async () => {
  const worker = await unstable_startWorker({
    config: "wrangler.toml",
    bindings: { BERTH_ADMIN_TOKEN: { type: "plain_text", value: PLANE_ADMIN_TOKEN } },
    dev: {
      server: { hostname: "127.0.0.1", port: 0 },
      inspector: false,
      persist: mkdtempSync(join(tmpdir(), "berth-plane-")),
      logLevel: "error"
    }
  })
  const url = (await worker.url).toString().replace(/\/$/, "")
  return { url, token: PLANE_ADMIN_TOKEN, stop: () => worker.dispose() }
}
