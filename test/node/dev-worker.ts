// Starts a Worker the way `wrangler dev` does (wrangler's DevEnv: a workerd runtime on loopback) and
// returns both of its addresses:
// - `url`, wrangler's dev ingress, what `npm start` serves: a second workerd whose ProxyWorker (one
//   Durable Object that holds requests during reloads) forwards each request over loopback HTTP;
// - `runtimeUrl`, the runtime's own entry, where the Worker itself is served, as production serves it.
// Tests use `url`; the benchmarks use `runtimeUrl`, so the dev proxy's hop is not counted as Berth's.
import { unstable_DevEnv } from "wrangler"

type StartInput = Parameters<unstable_DevEnv["startWorker"]>[0]

export interface DevWorker {
  readonly url: string
  readonly runtimeUrl: string
  readonly stop: () => Promise<void>
}

interface ReloadComplete {
  readonly proxyData: { readonly userWorkerUrl: { readonly protocol: string; readonly hostname: string; readonly port: string } }
}

const LOAD_TIMEOUT_MS = 60_000

export const startDevWorker = async (input: StartInput): Promise<DevWorker> => {
  const env = new unstable_DevEnv()
  // The runtime reports its address when the Worker is loaded, before the ingress forwards anything.
  let timer: ReturnType<typeof setTimeout> | undefined
  const loaded = new Promise<string>((resolve, reject) => {
    env.once("reloadComplete", ({ proxyData: { userWorkerUrl: u } }: ReloadComplete) => resolve(`${u.protocol}//${u.hostname}:${u.port}`))
    timer = setTimeout(() => reject(new Error(`${input.config ?? "the Worker"} did not load within ${LOAD_TIMEOUT_MS / 1000} s`)), LOAD_TIMEOUT_MS)
  })
  // Awaited below; if the start itself fails, neither the timer nor the rejection may outlive it.
  loaded.catch(() => undefined)
  const worker = await env.startWorker(input).catch((error: unknown) => {
    clearTimeout(timer)
    throw error
  })
  try {
    const url = new URL(await worker.url).origin
    return { url, runtimeUrl: await loaded, stop: () => worker.dispose() }
  } catch (error) {
    await worker.dispose()
    throw error
  } finally {
    clearTimeout(timer)
  }
}
