// A real Berth plane (wrangler's local workerd, test/node/plane.ts) with one workspace, agent `bot`,
// an admin member who can approve OAuth agents, and the test upstream installed as plugin `up`, set up
// through the admin RPC over HTTP the way an operator would; plus MCP clients for the hosted endpoint
// and for the upstream directly.
// Everything is addressed at the runtimes' own entries, past wrangler's dev proxy (test/node/dev-worker.ts):
// the plane as agents reach it, and the upstream as the plane and the direct client reach it.
import { randomUUID } from "node:crypto"
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client"
import { type PlaneOptions, startPlane } from "../../test/node/plane.ts"
import { dockWithOAuth } from "./oauth-token.ts"
import { workerdListeningOn } from "./process-cpu.ts"

/** Signs in locally to approve OAuth agents (the bench plane is on loopback, where local sign-in works). */
const ADMIN_MEMBER = "bench-admin@berth.test"

const adminRpc = async (plane: { runtimeUrl: string; token: string }, body: Record<string, unknown>) => {
  const response = await fetch(`${plane.runtimeUrl}/admin/rpc`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${plane.token}` },
    body: JSON.stringify(body)
  })
  const answer = (await response.json()) as { ok: boolean; result?: any; error?: unknown }
  if (!answer.ok) throw new Error(`admin ${String(body._tag)}: ${response.status} ${JSON.stringify(answer.error)}`)
  return answer.result
}

/** A v2 client in the 2026-07-28 (stateless) era, as a modern agent connects. */
export const modernClient = async (url: string, headers: Record<string, string> = {}) => {
  const client = new Client({ name: "berth-bench-agent", version: "1.0.0" }, { versionNegotiation: { mode: { pin: "2026-07-28" } } })
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } }))
  return client
}

/** `upstreamRuntimeOrigin`: the test upstream at its runtime's own entry. */
export const dockedPlane = async (upstreamRuntimeOrigin: string, options: PlaneOptions = {}) => {
  // `plane.runtimeUrl` is where everything here goes; `plane.url`, wrangler dev's ingress, only the reference row.
  const plane = await startPlane(options)
  try {
    const workspace = `bench-hop-${randomUUID().slice(0, 8)}`
    // A namespace of its own on the shared test upstream, so its call counter is this run's alone.
    const upstream = new URL(`/ns/${workspace}/`, upstreamRuntimeOrigin)
    await adminRpc(plane, { _tag: "CreateWorkspace", workspace })
    const { key } = (await adminRpc(plane, { _tag: "RegisterAgent", workspace, agent: "bot" })) as { key: string }
    await adminRpc(plane, { _tag: "AddMember", workspace, member: ADMIN_MEMBER, role: "admin" })
    await adminRpc(plane, {
      _tag: "InstallPlugin",
      workspace,
      plugin: "up",
      url: new URL("mcp", upstream).href,
      transport: "streamable-http",
      auth: "none"
    })
    const endpoint = `${plane.runtimeUrl}/w/${workspace}/mcp`
    return {
      plane,
      workspace,
      key,
      endpoint,
      /** A new OAuth agent named after `clientName`, approved by the admin; its token's audience is `endpoint`'s origin. */
      oauthAgent: (clientName: string) => dockWithOAuth(endpoint, ADMIN_MEMBER, clientName),
      upstreamUrl: new URL("mcp", upstream).href,
      /** tools/call requests that reached the upstream in this namespace, by tool. */
      upstreamCalls: async () => (await (await fetch(new URL("calls", upstream))).json()) as Record<string, number>,
      /** Installs another upstream in the workspace, as `plugin`, without auth. */
      installPlugin: (plugin: string, url: string) =>
        adminRpc(plane, { _tag: "InstallPlugin", workspace, plugin, url, transport: "streamable-http", auth: "none" }),
      /** The seq of the workspace's last event. */
      head: async () => ((await adminRpc(plane, { _tag: "ListEvents", workspace, limit: 1 })) as { head: number }).head,
      /** The workspace's recorded runs, newest first (ListRuns: at most 1,000). */
      runs: async (query: { agent?: string; limit?: number } = {}) =>
        ((await adminRpc(plane, { _tag: "ListRuns", workspace, ...query })) as { runs: Array<{ agent: string; tool: string; status: string }> }).runs,
      /**
       * The workerd pids serving the plane's and the upstream's runtimes. wrangler rebuilds and restarts
       * a runtime when a source file it bundles changes (in a shared checkout, someone else's edit), and
       * a measurement must not straddle that.
       */
      runtimePids: () => ({
        plane: workerdListeningOn(Number(new URL(plane.runtimeUrl).port)),
        upstream: workerdListeningOn(Number(upstream.port))
      }),
      stop: () => plane.stop()
    }
  } catch (error) {
    await plane.stop()
    throw error
  }
}

export type DockedPlane = Awaited<ReturnType<typeof dockedPlane>>
