// Starts a Worker the way `wrangler dev` does (wrangler's DevEnv: a workerd runtime on loopback) and
// returns both of its addresses:
// - `url`, wrangler's dev ingress, what `npm start` serves: a second workerd whose ProxyWorker (one
//   Durable Object that holds requests during reloads) forwards each request over loopback HTTP;
// - `runtimeUrl`, the runtime's own entry, where the Worker itself is served, with no dev proxy in front
//   (nor the headers it adds: the Worker sees the runtime's own host).
// Tests use `url`; the benchmarks use `runtimeUrl`, so the dev proxy's hop is not counted as Berth's.
import { once } from "node:events"
import { unstable_DevEnv } from "wrangler"

type StartInput = Parameters<unstable_DevEnv["startWorker"]>[0]

export interface DevWorker {
  readonly url: string
  readonly runtimeUrl: string
  /** wrangler's inspector proxy, which speaks DevTools to the Worker's isolate (`/json/list`), when `dev.inspector` asked for one. */
  readonly inspectorUrl: string | undefined
  readonly stop: () => Promise<void>
}

interface ReloadComplete {
  readonly proxyData: { readonly userWorkerUrl: { readonly protocol: string; readonly hostname: string; readonly port: string } }
}

const LOAD_TIMEOUT_MS = 60_000

export const startDevWorker = async (input: StartInput): Promise<DevWorker> => {
  const env = new unstable_DevEnv()
  // Listening before the start: the runtime reports its address once the Worker is loaded.
  const loaded = (once(env, "reloadComplete", { signal: AbortSignal.timeout(LOAD_TIMEOUT_MS) }) as Promise<[ReloadComplete]>).catch(
    (error: unknown) => {
      const why = error instanceof Error && error.name === "AbortError" ? ` within ${LOAD_TIMEOUT_MS / 1000} s` : `: ${String(error)}`
      throw new Error(`${input.config ?? "the Worker"} did not load${why}`, { cause: error })
    }
  )
  loaded.catch(() => undefined) // awaited below; a start that fails first must not leave it unhandled
  const worker = await env.startWorker(input)
  try {
    const [url, [{ proxyData: { userWorkerUrl: u } }]] = await Promise.all([worker.url, loaded])
    const inspector = input.dev?.inspector ? await worker.inspectorUrl : undefined
    return {
      url: new URL(url).origin,
      runtimeUrl: `${u.protocol}//${u.hostname}:${u.port}`,
      inspectorUrl: inspector?.origin,
      stop: () => worker.dispose()
    }
  } catch (error) {
    await worker.dispose()
    throw error
  }
}
