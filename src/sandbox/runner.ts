// Runs one script in an isolate of its own (Worker Loader), as a stateless entrypoint of the plane's
// Worker: the workspace's object calls it through `ctx.exports`, so when the wall limit passes and
// this call returns, the request that carried the script ends and the script is cancelled with it
// (called from the object itself, a script would outlive its run). The isolate has no network
// (`globalOutbound: null`: fetch and connect throw) and no bindings: the only way out is the orbit
// stub handed to this one run.
import { WorkerEntrypoint } from "cloudflare:workers"
import type { Env } from "../env.ts"
import { HOST_MODULE, HOST_SOURCE, SCRIPT_MODULE } from "./host-module.ts"

/** The isolate's own runtime date; flags: AsyncLocalStorage only (per-run console capture). */
const ISOLATE_COMPATIBILITY_DATE = "2026-11-01"
const ISOLATE_FLAGS = ["nodejs_als"]

export interface ScriptJob {
  /** The isolate's id: the code's hash and the workspace, so a warm isolate is never shared across workspaces. */
  readonly isolate: string
  readonly js: string
  readonly input: unknown
  readonly wallMs: number
  readonly cpuMs: number
  readonly logBytes: number
}

export interface ScriptLog {
  readonly level: string
  readonly text: string
}

export type ScriptOutcome =
  | { readonly kind: "done"; readonly json: string; readonly logs: ReadonlyArray<ScriptLog>; readonly logsTruncated: boolean }
  | {
      readonly kind: "threw"
      readonly name: string
      readonly message: string
      readonly tag?: string
      readonly at?: { readonly line: number; readonly column: number }
      readonly logs: ReadonlyArray<ScriptLog>
      readonly logsTruncated: boolean
    }
  | { readonly kind: "timeout" }
  /** The isolate would not start (the module failed to load), or the runtime ended it (CPU limit). */
  | { readonly kind: "failed"; readonly message: string }

/** What the script's entrypoint exposes (host-module.ts). */
interface ScriptHost {
  run(input: unknown, orbit: unknown, logBytes: number): Promise<ScriptOutcome>
}

export class SandboxRunner extends WorkerEntrypoint<Env> {
  async run(job: ScriptJob, orbit: unknown): Promise<ScriptOutcome> {
    const isolate = this.env.LOADER.get(job.isolate, () => ({
      compatibilityDate: ISOLATE_COMPATIBILITY_DATE,
      compatibilityFlags: ISOLATE_FLAGS,
      mainModule: HOST_MODULE,
      modules: { [HOST_MODULE]: HOST_SOURCE, [SCRIPT_MODULE]: job.js },
      env: {},
      globalOutbound: null
    }))
    // CPU: enforced where the runtime offers it (Cloudflare); open-source workerd parses it and enforces nothing.
    const host = isolate.getEntrypoint(undefined, { limits: { cpuMs: job.cpuMs } }) as unknown as ScriptHost
    let timer: ReturnType<typeof setTimeout> | undefined
    const timeout = new Promise<ScriptOutcome>((resolve) => {
      timer = setTimeout(() => resolve({ kind: "timeout" }), job.wallMs)
    })
    try {
      return await Promise.race([host.run(job.input, orbit, job.logBytes), timeout])
    } catch (error) {
      return { kind: "failed", message: error instanceof Error ? error.message : String(error) }
    } finally {
      clearTimeout(timer)
    }
  }
}
