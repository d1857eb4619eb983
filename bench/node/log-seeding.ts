// Fills a workspace's log to a given length through the plane's real command path, for benchmarks
// that need a long log (wake-storage.bench.ts). Two recipes:
// - code runs (the fast one): each submitted script calls `up__echo` many times with arguments the
//   tool's pinned schema refuses, so every call is a tool-call run recorded whole by the workspace
//   (RunStarted, its spans, RunFinished) plus one span of the code run, with no upstream round trip;
// - tool calls over MCP: allowed `up__echo` calls from an agent, the log of a workspace of plain calls.
import { Client } from "@modelcontextprotocol/client"
import { adminRpc } from "../../test/node/plane.ts"
import { modernClient } from "./docked-plane.ts"

/** A running plane, addressed at its runtime's own entry. */
export interface PlaneAddress {
  readonly runtimeUrl: string
  readonly token: string
}

export const rpcAt = (plane: PlaneAddress) => (body: Record<string, unknown>) => adminRpc({ url: plane.runtimeUrl, token: plane.token }, body)

/** Tool calls per code run: a run takes seconds, well inside its wall limit (CODE_LIMITS). */
const CALLS_PER_CODE_RUN = 2_000
/** Code runs in flight at once, and agents' calls in flight for the MCP recipe. */
const CODE_RUNS_IN_FLIGHT = 2
const TOOL_CALLS_IN_FLIGHT = 16
const CODE_LIMITS = { wallMs: 300_000, cpuMs: 300_000, resultBytes: 1024, primitiveCalls: CALLS_PER_CODE_RUN }

const SEED_SCRIPT = `export default async function (input, orbit) {
  let refused = 0
  for (let i = 0; i < input.calls; i++) {
    try { await orbit.tools.call("up__echo", { seed: i }) } catch { refused++ }
  }
  return refused
}`

/**
 * Creates `workspace` ready to seed: agent `bot` (its key returned), the test upstream's namespace
 * for it installed as plugin `up`, code runs permitted, and room for CALLS_PER_CODE_RUN calls per run.
 */
export const createSeedableWorkspace = async (plane: PlaneAddress, workspace: string, upstreamOrigin: string): Promise<string> => {
  const rpc = rpcAt(plane)
  await rpc({ _tag: "CreateWorkspace", workspace })
  const { key } = (await rpc({ _tag: "RegisterAgent", workspace, agent: "bot" })) as { key: string }
  await installUpstream(plane, workspace, upstreamOrigin)
  await rpc({ _tag: "SetPolicy", workspace, policy: "code", text: 'permit(principal, action == Action::"run_code", resource);' })
  await rpc({ _tag: "SetCodeLimits", workspace, ...CODE_LIMITS })
  return key
}

/**
 * The plugin `up`: this workspace's namespace on the test upstream (its call counter its own). Tried
 * three times: in a shared checkout, wrangler restarts the upstream's runtime when someone edits a file it bundles.
 */
export const installUpstream = async (plane: PlaneAddress, workspace: string, upstreamOrigin: string) => {
  const install = {
    _tag: "InstallPlugin",
    workspace,
    plugin: "up",
    url: new URL(`/ns/${workspace}/mcp`, upstreamOrigin).href,
    transport: "streamable-http",
    auth: "none"
  }
  for (let attempt = 1; ; attempt++) {
    try {
      return await rpcAt(plane)(install)
    } catch (error) {
      if (attempt === 3 || !String(error).includes("PluginUnreachable")) throw error
      console.log(`installing ${workspace}'s plugin, attempt ${attempt}: ${String(error)}`)
      await new Promise((resolve) => setTimeout(resolve, 2_000))
    }
  }
}

/** The seq of the workspace's last event. */
export const headOf = async (plane: PlaneAddress, workspace: string): Promise<number> =>
  ((await rpcAt(plane)({ _tag: "ListEvents", workspace, limit: 1 })) as { head: number }).head

type Progress = (head: number) => void

/** Appends by code runs (see the header) until the log holds at least `events`; returns the head. */
export const seedByCodeRuns = async (plane: PlaneAddress, workspace: string, events: number, progress: Progress = () => {}): Promise<number> => {
  const rpc = rpcAt(plane)
  let head = await headOf(plane, workspace)
  while (head < events) {
    // About 6 events per call (the call's run and the code run's span); the last round asks for no more than is missing.
    const calls = Math.max(1, Math.min(CALLS_PER_CODE_RUN, Math.ceil((events - head) / 6 / CODE_RUNS_IN_FLIGHT)))
    const runs = await Promise.all(
      Array.from({ length: CODE_RUNS_IN_FLIGHT }, () => rpc({ _tag: "RunCode", workspace, agent: "bot", code: SEED_SCRIPT, input: { calls } }))
    )
    for (const run of runs as Array<{ status: string; result?: unknown; error?: unknown }>)
      if (run.status !== "ok" || run.result !== calls) throw new Error(`a seeding code run ended ${run.status}: ${JSON.stringify(run.error ?? run.result)}`)
    head = await headOf(plane, workspace)
    progress(head)
  }
  return head
}

/** Appends by allowed `tools/call up__echo` over MCP until the log holds at least `events`; returns the head. */
export const seedByToolCalls = async (plane: PlaneAddress, workspace: string, key: string, events: number): Promise<number> => {
  const client: Client = await modernClient(`${plane.runtimeUrl}/w/${workspace}/mcp`, { authorization: `Bearer ${key}` })
  try {
    let head = await headOf(plane, workspace)
    while (head < events) {
      // About 6 events per allowed call: RunStarted, its spans, RunFinished.
      let left = Math.max(1, Math.ceil((events - head) / 6))
      const lane = async () => {
        while (left-- > 0) {
          const result = await client.callTool({ name: "up__echo", arguments: { text: `seed ${left}` } })
          if (result.isError) throw new Error(`a seeding call failed: ${JSON.stringify(result)}`)
        }
      }
      await Promise.all(Array.from({ length: TOOL_CALLS_IN_FLIGHT }, lane))
      head = await headOf(plane, workspace)
    }
    return head
  } finally {
    await client.close()
  }
}

/**
 * Seals the workspace's archive and waits until the D1 read models hold every event too, so that the
 * object has no alarm due when the plane stops (a partial segment would wait for its seal delay, and
 * wake the object the moment it ran out).
 */
export const sealAndSettle = async (plane: PlaneAddress, workspace: string, timeoutMs: number): Promise<void> => {
  await rpcAt(plane)({ _tag: "SealArchive", workspace })
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const { projections } = (await rpcAt(plane)({ _tag: "GetState", workspace })) as {
      projections: { d1: { lag: number; lastError: string | null }; archive: { lag: number; lastError: string | null } }
    }
    if (projections.d1.lag === 0 && projections.archive.lag === 0) return
    if (Date.now() > deadline)
      throw new Error(`${workspace} did not settle within ${timeoutMs / 1000} s: ${JSON.stringify(projections)}`)
    await new Promise((resolve) => setTimeout(resolve, 500))
  }
}
