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

export const startDevWorker = async (input: StartInput): Promise<DevWorker> => {
  const env = new unstable_DevEnv()
  // The runtime reports its address when the Worker is loaded, before the ingress forwards anything.
  const loaded = new Promise<string>((resolve) =>
    env.once("reloadComplete", ({ proxyData: { userWorkerUrl: u } }: ReloadComplete) => resolve(`${u.protocol}//${u.hostname}:${u.port}`))
  )
  const worker = await env.startWorker(input)
  try {
    const url = new URL(await worker.url).origin
    return { url, runtimeUrl: await loaded, stop: () => worker.dispose() }
  } catch (error) {
    await worker.dispose()
    throw error
  }
}
