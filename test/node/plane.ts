// Starts a real Berth plane (wrangler's local runtime: workerd, Durable Objects, D1, R2, KV) on a
// free port for tests that live outside the Worker, such as the CLI. State goes to a temp directory
// whose D1 has the migrations applied, by `wrangler d1 migrations apply` as `npm start` does.
import { execFileSync } from "node:child_process"
import { createHash } from "node:crypto"
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { run } from "../../src/cli/main.ts"
import { TEST_AUDIT_SIGNING_KEY, TEST_SESSION_SECRET, TEST_VAULT_KEY } from "../keys.ts"
import { startDevWorker } from "./dev-worker.ts"

export const PLANE_ADMIN_TOKEN = "node-test-admin-token"
export { TEST_AUDIT_PUBLIC_KEY as PLANE_AUDIT_PUBLIC_KEY } from "../keys.ts"

/** Plane settings for a test: archive segment size and seal delay (as the Worker's vars). */
export interface PlaneOptions {
  readonly segmentEvents?: number
  readonly sealSeconds?: number
  /** Open the runtime's DevTools inspector (bench/node/profile-hop.ts profiles the plane through it). */
  readonly inspector?: boolean
  /** Serve on this loopback port, known in advance (an OpenID provider must know the plane's callback URL). Default: any free port. */
  readonly port?: number
  /** Sign members in with this OpenID provider (BERTH_OIDC_ISSUER, BERTH_OIDC_CLIENT_ID, BERTH_OIDC_CLIENT_SECRET). */
  readonly oidc?: { readonly issuer: string; readonly clientId: string; readonly clientSecret: string }
  /**
   * Answers some of the Worker's outbound requests (the rest go out as usual): for hosts that cannot
   * exist here, such as a client's https metadata document on the public internet. Returns undefined
   * to let a request through.
   */
  readonly outbound?: (request: Request) => Promise<Response | undefined> | Response | undefined
  /**
   * Keep the plane's state (Durable Objects, D1, R2, KV) in this directory rather than a new temp one:
   * pass a stopped plane's `persist` to start it again on the same state. Default: a new temp directory,
   * its D1 already migrated.
   */
  readonly persistTo?: string
}

/** Sends a request the Worker made on to where it was going (Miniflare's Request is not Node's). */
const passThrough = async (request: Request): Promise<Response> => {
  const body = request.method === "GET" || request.method === "HEAD" ? undefined : await request.arrayBuffer()
  return fetch(request.url, { method: request.method, headers: request.headers, body, redirect: "manual" })
}

const MIGRATIONS = "projections/d1/migrations"

/** Applies the D1 migrations to the state in `persist`, as `npm start` does (only those not applied yet). */
const migrate = (persist: string) =>
  execFileSync("npx", ["wrangler", "d1", "migrations", "apply", "berth", "--local", "--persist-to", persist], {
    env: { ...process.env, CI: "1" },
    stdio: "ignore"
  })

/**
 * A new state with the migrations applied, shared by every plane of a run: `wrangler d1 migrations
 * apply` costs seconds of CPU each time, so it runs once per set of migrations (and wrangler.toml,
 * which names the database, and wrangler's version, which lays out the state) into a directory each
 * plane then copies. Concurrent test files may both build it; the first rename wins and the other's
 * copy is dropped.
 */
const migratedState = () => {
  const hash = createHash("sha256").update(readFileSync("wrangler.toml")).update(readFileSync("node_modules/wrangler/package.json"))
  for (const file of readdirSync(MIGRATIONS).sort()) hash.update(file).update(readFileSync(join(MIGRATIONS, file)))
  const template = join(tmpdir(), `berth-plane-migrated-${hash.digest("hex").slice(0, 16)}`)
  if (!existsSync(template)) {
    const building = mkdtempSync(join(tmpdir(), "berth-plane-migrating-"))
    try {
      migrate(building)
      renameSync(building, template)
    } catch (error) {
      rmSync(building, { recursive: true, force: true })
      if (!existsSync(template)) throw error
    }
  }
  const persist = mkdtempSync(join(tmpdir(), "berth-plane-"))
  cpSync(template, persist, { recursive: true })
  return persist
}

export const startPlane = async (options: PlaneOptions = {}) => {
  const persist = options.persistTo ?? migratedState()
  // A state a plane ran on before gets only the migrations not applied yet (none, unless they changed since).
  if (options.persistTo !== undefined) migrate(persist)
  const plain = (value: string) => ({ type: "plain_text" as const, value })
  const worker = await startDevWorker({
    config: "wrangler.toml",
    bindings: {
      BERTH_ADMIN_TOKEN: plain(PLANE_ADMIN_TOKEN),
      BERTH_AUDIT_SIGNING_KEY: plain(TEST_AUDIT_SIGNING_KEY),
      BERTH_SESSION_SECRET: plain(TEST_SESSION_SECRET),
      BERTH_VAULT_KEY: plain(TEST_VAULT_KEY),
      ...(options.segmentEvents === undefined ? {} : { BERTH_ARCHIVE_SEGMENT_EVENTS: plain(String(options.segmentEvents)) }),
      ...(options.sealSeconds === undefined ? {} : { BERTH_ARCHIVE_SEAL_SECONDS: plain(String(options.sealSeconds)) }),
      ...(options.oidc === undefined
        ? {}
        : {
            BERTH_OIDC_ISSUER: plain(options.oidc.issuer),
            BERTH_OIDC_CLIENT_ID: plain(options.oidc.clientId),
            BERTH_OIDC_CLIENT_SECRET: plain(options.oidc.clientSecret)
          })
    },
    dev: {
      server: { hostname: "127.0.0.1", port: options.port ?? 0 },
      inspector: options.inspector ? { port: 0 } : false,
      persist,
      logLevel: "error",
      // A test's plane runs the code it started with: an edit elsewhere in the checkout must not
      // rebuild and restart it mid-test.
      watch: false,
      ...(options.outbound === undefined
        ? {}
        : { outboundService: async (request: Request) => (await options.outbound!(request)) ?? passThrough(request) })
    }
  })
  // `url` is wrangler's dev ingress (what `npm start` serves); `runtimeUrl` the runtime's own entry (dev-worker.ts).
  return { url: worker.url, runtimeUrl: worker.runtimeUrl, inspectorUrl: worker.inspectorUrl, token: PLANE_ADMIN_TOKEN, persist, stop: worker.stop }
}

/** POST /admin/rpc to a plane with its admin token; the result, or a thrown error naming the plane's. */
export const adminRpc = async (plane: { readonly url: string; readonly token: string }, body: Record<string, unknown>) => {
  const response = await fetch(`${plane.url}/admin/rpc`, {
    method: "POST",
    headers: { authorization: `Bearer ${plane.token}`, "content-type": "application/json" },
    body: JSON.stringify(body)
  })
  const answer = (await response.json()) as { ok: boolean; result: any; error?: unknown }
  if (!answer.ok) throw new Error(JSON.stringify(answer.error))
  return answer.result
}

/** Runs the `berth` CLI in-process against a plane (read at each call, so a restarted plane is used), capturing its output. */
export const cliFor = (current: () => { readonly url: string; readonly token: string }) => async (argv: ReadonlyArray<string>) => {
  let out = ""
  let err = ""
  const code = await run(argv, {
    env: { BERTH_URL: current().url, BERTH_ADMIN_TOKEN: current().token },
    cwd: mkdtempSync(join(tmpdir(), "berth-cli-cwd-")),
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: (s: string) => (err += s) }
  })
  return { code, out, err }
}
