// The soak's control for memory: the same kind of load on the hop benchmark's floor relay
// (bench/floor-relay, a Durable Object that relays each request to the upstream byte for byte, with
// no Berth code), to learn how much RSS the local runtime itself gains per relayed request. On
// wrangler's workerd that is not zero, so the plane's growth per call is judged against it.
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client"
import { startDevWorker } from "../../test/node/dev-worker.ts"
import { workerdListeningOn } from "./process-cpu.ts"
import { type Rss, rssOf } from "./process-rss.ts"

export interface RelayGrowth {
  readonly requests: number
  /** The relay's RSS after its warm-up (the first third of the time) and at the end. */
  readonly warm: Rss | undefined
  readonly end: Rss | undefined
  /** Anonymous RSS gained per request after warm-up, in bytes. */
  readonly anonPerRequest: number | undefined
}

/** `lanes` clients call the upstream's echo through the relay, one call at a time each, for `seconds`. */
export const relayGrowth = async (upstreamRuntimeUrl: string, options: { readonly seconds: number; readonly lanes: number }): Promise<RelayGrowth> => {
  const relay = await startDevWorker({
    config: "bench/floor-relay/wrangler.toml",
    dev: { server: { hostname: "127.0.0.1", port: 0 }, inspector: false, persist: false, logLevel: "error", watch: false }
  })
  try {
    const pid = workerdListeningOn(Number(new URL(relay.runtimeUrl).port))
    // `writes=2`: two SQLite rows per call, as Berth records RunStarted and FinishRun.
    const url = new URL(`${relay.runtimeUrl}/mcp?to=${encodeURIComponent(`${upstreamRuntimeUrl}/ns/relay-control/mcp`)}&writes=2`)
    const clients = await Promise.all(
      Array.from({ length: options.lanes }, async () => {
        const client = new Client({ name: "soak-relay-control", version: "1.0.0" }, { versionNegotiation: { mode: { pin: "2026-07-28" } } })
        await client.connect(new StreamableHTTPClientTransport(url))
        return client
      })
    )
    let requests = 0
    let warm: { requests: number; rss: Rss | undefined } | undefined
    const t0 = performance.now()
    const warmAt = t0 + (options.seconds * 1000) / 3
    const end = t0 + options.seconds * 1000
    await Promise.all(
      clients.map(async (client, lane) => {
        for (let n = 0; performance.now() < end; n++) {
          if (warm === undefined && performance.now() >= warmAt) warm = { requests, rss: rssOf(pid) }
          requests++
          const text = `control ${lane} ${n}`
          const result = await client.callTool({ name: "echo", arguments: { text } })
          const said = (result.content as ReadonlyArray<{ text?: string }>)[0]?.text
          if (said !== `echo: ${text}`) throw new Error(`the relay answered ${JSON.stringify(result)}`)
        }
      })
    )
    const last = rssOf(pid)
    await Promise.all(clients.map((c) => c.close().catch(() => undefined)))
    const anonPerRequest =
      warm?.rss && last && requests > warm.requests ? (last.anonBytes - warm.rss.anonBytes) / (requests - warm.requests) : undefined
    return { requests, warm: warm?.rss, end: last, anonPerRequest }
  } finally {
    await relay.stop()
  }
}
