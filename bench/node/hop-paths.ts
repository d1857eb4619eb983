// The paths bench/node/mcp-hop.bench.ts compares, for each kind of upstream it runs against: Berth (a
// 2026-07-28 agent at the workspace endpoint), the upstream called directly, the relay floor
// (bench/floor-relay) with 0, 1 or 2 rows written per call, the SDK floor in the same object (the peer
// gateway's code, writing 2 rows per call) and the peer gateway (peer-gateway.ts).
// Every path of a kind reaches the same upstream: the test upstream (2026-07-28, JSON answers), or
// server-everything (2025-era sessions, `tools/call` answered as SSE).
import { type ChildProcess, spawn } from "node:child_process"
import { once } from "node:events"
import { mkdtempSync, readdirSync, readFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { createInterface } from "node:readline"
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client"
import { type DevWorker, startDevWorker } from "../../test/node/dev-worker.ts"
import { adminRpc } from "../../test/node/plane.ts"
import type { DockedPlane } from "./docked-plane.ts"
import { modernClient } from "./docked-plane.ts"
import { type Call, echoCall } from "./load.ts"
import { workerdListeningOn } from "./process-cpu.ts"

export type UpstreamKind = "test upstream" | "server-everything"

export interface HopPaths {
  readonly kind: UpstreamKind
  /** The upstream's MCP endpoint, which every path below reaches. */
  readonly upstreamUrl: string
  /** The workspace Berth's path calls. */
  readonly workspace: string
  /** The agent-facing workspace endpoint, and a client of it with the agent's key. */
  readonly endpoint: string
  readonly key: string
  readonly berth: Call
  readonly direct: Call
  /** Through the relay floor writing 0, 1 and 2 rows per call; the last records as Berth does. */
  readonly floor: readonly [Call, Call, Call]
  /** Through the SDK floor (bench/floor-relay/sdk-floor.ts): MCP on both sides in the relay's object, writing 2 rows per call. */
  readonly sdkFloor: Call
  readonly peer: Call
  /** The processes serving the upstream and the peer, for their CPU. */
  readonly pids: { readonly upstream: number | undefined; readonly peer: number | undefined }
  /** The seq of the workspace's last event. */
  readonly head: () => Promise<number>
  readonly close: () => Promise<void>
}

/** What Berth's upstream pool declares to a 2025 upstream (src/mcp/upstream-pool.ts), so server-everything sees the same client. */
const POOL_CAPABILITIES = { sampling: {}, elicitation: { form: {}, url: {} } }

/**
 * fetch with a signal of its own per request, following the transport's. A 2025-era transport hands its
 * one long-lived signal to every POST, and Node's fetch leaves an abort listener on it per request until
 * the request is collected: past 1,500, Node warns on every call.
 */
const ownSignal: typeof fetch = (input, init) => fetch(input, init?.signal ? { ...init, signal: AbortSignal.any([init.signal]) } : init)

/** A 2025-era client with a session, as Berth's pool and a 2025 agent connect to server-everything. */
const sessionClient = async (url: string) => {
  const client = new Client({ name: "berth-bench-agent", version: "1.0.0" }, { versionNegotiation: { mode: "legacy" }, capabilities: POOL_CAPABILITIES })
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { fetch: ownSignal }))
  return client
}

let everythingEchoes = 0
/** server-everything's echo (`name` as this client sees it), which must come back intact. */
const everythingEcho = (client: Client, name: string): Call => async () => {
  const message = `bench ${everythingEchoes++}`
  const result = await client.callTool({ name, arguments: { message } })
  const content = result.content as ReadonlyArray<{ type: string; text?: string }>
  if (result.isError || content[0]?.text !== `Echo: ${message}`) throw new Error(`unexpected echo result: ${JSON.stringify(result)}`)
}

/**
 * The peer gateway in its own process, once it prints the URL it listens on. Without warnings: its
 * 2025-era upstream transport hands one signal to every POST (see `ownSignal`), and Node would print a
 * listener warning on every call past 1,500, which would cost the peer time Berth does not pay.
 */
const startPeer = async (upstreamUrl: string) => {
  const child: ChildProcess = spawn(process.execPath, ["--no-warnings", resolve(import.meta.dirname, "peer-gateway.ts"), upstreamUrl], {
    stdio: ["ignore", "pipe", "inherit"]
  })
  const [line] = (await Promise.race([
    once(createInterface({ input: child.stdout! }), "line"),
    once(child, "exit").then(([code]) => Promise.reject(new Error(`the peer gateway exited (${String(code)}) before it listened`)))
  ])) as [string]
  return {
    url: (JSON.parse(line) as { url: string }).url,
    pid: child.pid,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return
      child.kill("SIGTERM")
      await once(child, "exit")
    }
  }
}

/** The server-everything process serving `url` (test/global-setup.ts starts it with PORT in a minimal env). */
const everythingPid = (url: string): number | undefined => {
  const port = `PORT=${new URL(url).port}`
  for (const pid of readdirSync("/proc").filter((name) => /^\d+$/.test(name))) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8")
      if (cmdline.includes("server-everything") && readFileSync(`/proc/${pid}/environ`, "utf8").split("\0").includes(port)) return Number(pid)
    } catch {
      // not ours to read, or gone
    }
  }
  return undefined
}

/** The relay floor's runtime (bench/floor-relay), one for both kinds: its object relays to whatever `?to=` names. */
export const startRelay = (): Promise<DevWorker> =>
  startDevWorker({
    config: resolve(import.meta.dirname, "../floor-relay/wrangler.toml"),
    dev: {
      server: { hostname: "127.0.0.1", port: 0 },
      inspector: false,
      persist: mkdtempSync(join(tmpdir(), "berth-floor-")),
      logLevel: "error",
      watch: false
    }
  })

const relayed = (relay: DevWorker, upstreamUrl: string, writes: number, path = "/") =>
  `${relay.runtimeUrl}${path}?to=${encodeURIComponent(upstreamUrl)}&writes=${writes}`
/** The SDK floor, recording as Berth does: a row before the call leaves and one before answering. */
const sdkFloorUrl = (relay: DevWorker, upstreamUrl: string) => relayed(relay, upstreamUrl, 2, "/sdk")

/** The test upstream's paths: the docked plane's workspace, whose plugin `up` is the test upstream. */
export const testUpstreamPaths = async (docked: DockedPlane, relay: DevWorker): Promise<HopPaths> => {
  const url = docked.upstreamUrl
  const berth = await modernClient(docked.endpoint, { authorization: `Bearer ${docked.key}` })
  const direct = await modernClient(url)
  const floors = [await modernClient(relayed(relay, url, 0)), await modernClient(relayed(relay, url, 1)), await modernClient(relayed(relay, url, 2))] as const
  const sdkFloor = await modernClient(sdkFloorUrl(relay, url))
  const peer = await startPeer(url)
  const peerClient = await modernClient(peer.url)
  return {
    kind: "test upstream",
    upstreamUrl: url,
    workspace: docked.workspace,
    endpoint: docked.endpoint,
    key: docked.key,
    berth: echoCall(berth, "up__echo"),
    direct: echoCall(direct, "echo"),
    floor: [echoCall(floors[0], "echo"), echoCall(floors[1], "echo"), echoCall(floors[2], "echo")],
    sdkFloor: echoCall(sdkFloor, "echo"),
    peer: echoCall(peerClient, "echo"),
    pids: { upstream: workerdListeningOn(Number(new URL(url).port)), peer: peer.pid },
    head: docked.head,
    close: async () => {
      await Promise.allSettled([berth, direct, ...floors, sdkFloor, peerClient].map((c) => c.close()))
      await peer.stop()
    }
  }
}

/** server-everything's paths: a workspace of its own on the same plane, with server-everything as plugin `every`. */
export const everythingPaths = async (docked: DockedPlane, relay: DevWorker, url: string): Promise<HopPaths> => {
  const plane = { url: docked.plane.runtimeUrl, token: docked.plane.token }
  const workspace = `${docked.workspace}-every`
  await adminRpc(plane, { _tag: "CreateWorkspace", workspace })
  const { key } = (await adminRpc(plane, { _tag: "RegisterAgent", workspace, agent: "bot" })) as { key: string }
  await adminRpc(plane, { _tag: "InstallPlugin", workspace, plugin: "every", url, transport: "streamable-http", auth: "none" })
  const endpoint = `${docked.plane.runtimeUrl}/w/${workspace}/mcp`
  const berth = await modernClient(endpoint, { authorization: `Bearer ${key}` })
  const direct = await sessionClient(url)
  const floors = [await sessionClient(relayed(relay, url, 0)), await sessionClient(relayed(relay, url, 1)), await sessionClient(relayed(relay, url, 2))] as const
  // A 2026-07-28 agent, as at Berth and the peer: the SDK floor's own client speaks 2025 to server-everything.
  const sdkFloor = await modernClient(sdkFloorUrl(relay, url))
  const peer = await startPeer(url)
  const peerClient = await modernClient(peer.url)
  return {
    kind: "server-everything",
    upstreamUrl: url,
    workspace,
    endpoint,
    key,
    berth: everythingEcho(berth, "every__echo"),
    direct: everythingEcho(direct, "echo"),
    floor: [everythingEcho(floors[0], "echo"), everythingEcho(floors[1], "echo"), everythingEcho(floors[2], "echo")],
    sdkFloor: everythingEcho(sdkFloor, "echo"),
    peer: everythingEcho(peerClient, "echo"),
    pids: { upstream: everythingPid(url), peer: peer.pid },
    head: async () => ((await adminRpc(plane, { _tag: "ListEvents", workspace, limit: 1 })) as { head: number }).head,
    close: async () => {
      await Promise.allSettled([berth, direct, ...floors, sdkFloor, peerClient].map((c) => c.close()))
      await peer.stop()
    }
  }
}
