// `npm run profile:hop`: a CPU profile of Berth's isolate (the Worker and the workspace's Durable
// Object) while agents make full tools/call hops, 32 in flight by default (the load of the hop
// benchmark's throughput phase; --concurrency 1 shows one call at a time; --oauth docks the agent
// with an OAuth access token instead of its key, as bench/node/oauth-hop.bench.ts compares). It
// prints where the isolate's busy time goes, mapped through wrangler's source map to Berth's files
// and the packages under them, and saves the profile for Chrome DevTools.
// The numbers are shares of one run on a shared machine: compare shares, not milliseconds, and
// profile before and after a change in the same sitting. Sampling slows the plane by about a tenth.
//
//   npm run profile:hop [-- --calls 3000] [--interval-us 200] [--concurrency 32] [--oauth] [--everything] [--callers npm:zod]
//
// --wake profiles a wake instead: the runtime is restarted on the plane's kept state and the profile
// covers exactly the first tools/call after it (wake-storage.bench.ts times the same call), so it
// shows what the first call pays once per isolate. Its shares are of that one call.
//
// --everything calls server-everything's echo (a 2025-era upstream that answers in SSE, started as a
// process) instead of the test upstream's, through the same workspace.
//
// --callers <source> (repeatable) adds a table of who spends that source's own time: each sample in
// it is charged to the nearest frame up its stack from another source, such as the SDK function
// that asked zod to parse.
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs"
import { SourceMap } from "node:module"
import { join, resolve } from "node:path"
import { parseArgs } from "node:util"
import WebSocket from "ws"
import { startEverything, startUpstream } from "../../test/global-setup.ts"
import { startPlane } from "../../test/node/plane.ts"
import { dockedPlane, modernClient } from "./docked-plane.ts"
import { concurrent } from "./load.ts"
import { timedCall } from "./timed-call.ts"

const { values: args } = parseArgs({
  options: {
    calls: { type: "string", default: "3000" },
    "interval-us": { type: "string", default: "200" },
    concurrency: { type: "string", default: "32" },
    oauth: { type: "boolean", default: false },
    callers: { type: "string", multiple: true, default: [] },
    wake: { type: "boolean", default: false },
    everything: { type: "boolean", default: false }
  }
})
const CALLS = Number(args.calls)
const INTERVAL_US = Number(args["interval-us"])
const CONCURRENCY = Number(args.concurrency)
if (!Number.isInteger(CONCURRENCY) || CONCURRENCY < 1) {
  console.error(`--concurrency must be a whole number of at least 1, not '${args.concurrency}'`)
  process.exit(2)
}
const WARMUP_CALLS = 1_000
const root = resolve(import.meta.dirname, "../..")

// As in bench/vitest.node.config.ts: production runs no local trace store.
process.env.X_LOCAL_OBSERVABILITY ??= "false"

interface CallFrame {
  readonly functionName: string
  readonly url: string
  readonly lineNumber: number
  readonly columnNumber: number
}
interface ProfileNode {
  readonly id: number
  readonly callFrame: CallFrame
  readonly children?: ReadonlyArray<number>
  /** Samples by line of the bundle (1-based), for the node's own time. */
  readonly positionTicks?: ReadonlyArray<{ readonly line: number; readonly ticks: number }>
}
interface Profile {
  readonly nodes: ReadonlyArray<ProfileNode>
  readonly samples: ReadonlyArray<number>
  readonly timeDeltas: ReadonlyArray<number>
}

/**
 * One DevTools protocol session on the plane's inspector. With `ws` and no compression: Node's own
 * WebSocket offers permessage-deflate, and wrangler's inspector proxy refuses the connection.
 */
const devtools = async (inspectorUrl: string) => {
  const targets = (await (await fetch(`${inspectorUrl}/json/list`)).json()) as Array<{ webSocketDebuggerUrl: string }>
  const socket = new WebSocket(targets[0]!.webSocketDebuggerUrl, { perMessageDeflate: false })
  await new Promise((resolve, reject) => socket.once("open", resolve).once("error", reject))
  let next = 0
  const pending = new Map<number, { resolve: (result: any) => void; reject: (error: Error) => void }>()
  socket.on("message", (data) => {
    const message = JSON.parse(String(data)) as { id?: number; result?: unknown; error?: { message: string } }
    const waiting = message.id === undefined ? undefined : pending.get(message.id)
    if (!waiting) return
    pending.delete(message.id!)
    if (message.error) waiting.reject(new Error(`inspector: ${message.error.message}`))
    else waiting.resolve(message.result)
  })
  return {
    send: <T>(method: string, params: Record<string, unknown> = {}) =>
      new Promise<T>((resolve, reject) => {
        pending.set(++next, { resolve, reject })
        socket.send(JSON.stringify({ id: next, method, params }))
      }),
    close: () => socket.close()
  }
}

/** The source map of the bundle wrangler is serving Berth from (it names src/worker.ts). */
const berthSourceMap = (): SourceMap => {
  const tmp = join(root, ".wrangler/tmp")
  const maps = readdirSync(tmp)
    .map((dir) => join(tmp, dir, "worker.js.map"))
    .filter((file) => statSync(file, { throwIfNoEntry: false }) !== undefined)
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)
  for (const file of maps) {
    const payload = JSON.parse(readFileSync(file, "utf8")) as { sources: ReadonlyArray<string> }
    if (payload.sources.some((s) => s.endsWith("src/worker.ts") && !s.includes("upstream"))) return new SourceMap(payload as never)
  }
  throw new Error(`no bundle of Berth's Worker under ${tmp}`)
}

/** Where a frame's code comes from: Berth's file, `npm:<package>`, or the runtime's own name for it. */
const origin = (frame: CallFrame, map: SourceMap): string => {
  // The runtime's built-ins name themselves (d1-api, fetch, exec); WebAssembly is Cedar's or sha256's.
  if (frame.url !== "worker.js") return frame.url || frame.functionName || "(native)"
  const source = map.findEntry(frame.lineNumber, frame.columnNumber)
  const file = source && "originalSource" in source ? source.originalSource : "worker.js"
  const npm = file.match(/.*node_modules\/((?:@[^/]+\/)?[^/]+)/)
  return npm ? `npm:${npm[1]}` : file.replace(/^.*?(?=(src|events|projections)\/)/, "")
}

const summarize = (profile: Profile, map: SourceMap, calls: number): string => {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const parent = new Map<number, number>()
  for (const n of profile.nodes) for (const child of n.children ?? []) parent.set(child, n.id)
  const where = new Map<number, string>()
  const originOf = (n: ProfileNode) => where.get(n.id) ?? (where.set(n.id, origin(n.callFrame, map)), where.get(n.id)!)
  const bySource = new Map<string, number>()
  const byFunction = new Map<string, number>()
  const inclusive = new Map<string, number>()
  const add = (m: Map<string, number>, key: string, us: number) => m.set(key, (m.get(key) ?? 0) + us)
  let busy = 0
  profile.samples.forEach((id, i) => {
    const node = byId.get(id)!
    if (node.callFrame.functionName === "(idle)") return
    const us = profile.timeDeltas[i] ?? 0
    busy += us
    const source = originOf(node)
    add(bySource, source, us)
    add(byFunction, `${node.callFrame.functionName || "(anonymous)"}  ${source}`, us)
    // Time under each of Berth's own functions, counted once per sample however deep the recursion.
    const seen = new Set<string>()
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at)!
      const file = originOf(frame)
      if (!/^(src|events|projections)\//.test(file)) continue
      const key = `${frame.callFrame.functionName || "(anonymous)"}  ${file}`
      if (!seen.has(key)) add(inclusive, key, us)
      seen.add(key)
    }
  })
  // Berth's hottest lines: each node's own time, split by its line ticks (the CPU profile's sampling
  // counts ticks per line; a tick stands for the node's mean sample interval).
  const byLine = new Map<string, number>()
  const selfUs = new Map<number, number>()
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)))
  for (const node of profile.nodes) {
    const ticks = node.positionTicks ?? []
    const total = ticks.reduce((sum, t) => sum + t.ticks, 0)
    if (node.callFrame.url !== "worker.js" || total === 0) continue
    for (const { line, ticks: n } of ticks) {
      // The last mapping at or before a far column is on this bundle line (column 0 would give the
      // line before: code is indented); esbuild keeps one source line per bundle line.
      const source = map.findEntry(line - 1, 10_000)
      if (!source || !("originalSource" in source) || /node_modules/.test(source.originalSource)) continue
      const file = source.originalSource.replace(/^.*?(?=(src|events|projections)\/)/, "")
      add(byLine, `${file}:${source.originalLine + 1}  ${node.callFrame.functionName || "(anonymous)"}`, ((selfUs.get(node.id) ?? 0) * n) / total)
    }
  }
  // For each --callers source: its own time, charged to the nearest frame from elsewhere.
  const callers = new Map<string, Map<string, number>>(args.callers.map((c) => [c, new Map()]))
  profile.samples.forEach((id, i) => {
    const callee = byId.get(id)!
    const m = callers.get(originOf(callee))
    if (!m) return
    let at: number | undefined = id
    while (at !== undefined && originOf(byId.get(at)!) === originOf(callee)) at = parent.get(at)
    const frame = at === undefined ? undefined : byId.get(at)!
    add(m, frame ? `${frame.callFrame.functionName || "(anonymous)"}  ${originOf(frame)}` : "(root)", profile.timeDeltas[i] ?? 0)
  })
  const top = (title: string, m: Map<string, number>, count: number) =>
    [
      `${title}`,
      ...[...m]
        .sort((a, b) => b[1] - a[1])
        .slice(0, count)
        .map(([key, us]) => `${((100 * us) / busy).toFixed(1).padStart(6)}%  ${(us / 1000 / calls).toFixed(3)} ms/call  ${key}`)
    ].join("\n")
  return [
    `busy ${(busy / 1000).toFixed(0)} ms over ${calls} calls: ${(busy / 1000 / calls).toFixed(2)} ms of the isolate per call`,
    "",
    top("Own time by source (Berth's files, npm packages, the runtime's built-ins):", bySource, 25),
    "",
    top("Own time by function:", byFunction, 30),
    "",
    top("Time under Berth's functions (synchronous stacks only: an await ends the stack):", inclusive, 30),
    "",
    top("Own time by line of Berth's files (a line that calls into the runtime carries that call):", byLine, 25),
    ...[...callers].flatMap(([source, m]) => ["", top(`Own time of ${source}, by its nearest caller from elsewhere:`, m, 15)])
  ].join("\n")
}

/** Starts the V8 profiler of the runtime at `inspectorUrl`; the function returned stops it and gives the profile. */
const startProfiling = async (inspectorUrl: string): Promise<() => Promise<Profile>> => {
  const inspector = await devtools(inspectorUrl)
  await inspector.send("Profiler.enable")
  await inspector.send("Profiler.setSamplingInterval", { interval: INTERVAL_US })
  await inspector.send("Profiler.start")
  return async () => {
    const { profile } = await inspector.send<{ profile: Profile }>("Profiler.stop")
    inspector.close()
    return profile
  }
}

/** Writes a profile under .wrangler/profiles/ for Chrome DevTools. */
const save = (kind: "hop" | "wake", profile: Profile) => {
  const out = join(root, ".wrangler/profiles")
  mkdirSync(out, { recursive: true })
  const file = join(out, `${kind}-${new Date().toISOString().replace(/[:.]/g, "-")}.cpuprofile`)
  writeFileSync(file, JSON.stringify(profile))
  console.log(`\nprofile: ${file} (open it in Chrome DevTools, Performance panel)`)
}

/** --wake: restart the runtime on the kept state and profile the first call only. */
const profileWake = async (docked: Awaited<ReturnType<typeof dockedPlane>>) => {
  for (let n = 1; n <= 20; n++) await timedCall(docked.endpoint, docked.key, n)
  await docked.stop()
  const plane = await startPlane({ persistTo: docked.plane.persist, inspector: true })
  try {
    if ((await fetch(`${plane.runtimeUrl}/healthz`)).status !== 200) throw new Error("the restarted plane does not answer /healthz")
    // wrangler's own work after a start is done before anything is sampled.
    await new Promise((resolve) => setTimeout(resolve, 2_000))
    const endpoint = `${plane.runtimeUrl}/w/${docked.workspace}/mcp`
    const stop = await startProfiling(plane.inspectorUrl!)
    const first = await timedCall(endpoint, docked.key, 100)
    const profile = await stop()
    const warm: Array<number> = []
    for (let n = 101; n <= 120; n++) warm.push(await timedCall(endpoint, docked.key, n))
    warm.sort((a, b) => a - b)
    console.log(`first call after a restart: ${first.toFixed(1)} ms (sampled every ${INTERVAL_US} µs); warm p50 ${warm[10]!.toFixed(1)} ms, unsampled\n`)
    console.log(summarize(profile, berthSourceMap(), 1))
    return profile
  } finally {
    await plane.stop()
  }
}

const upstream = await startUpstream()
const everything = args.everything ? await startEverything() : undefined
const docked = await dockedPlane(new URL(upstream.runtimeUrl).origin, { inspector: true }).catch(async (error) => {
  await Promise.all([upstream.stop(), everything?.stop()])
  throw error
})
try {
  if (everything) await docked.installPlugin("every", everything.url)
  if (args.wake) {
    save("wake", await profileWake(docked))
  } else {
    const bearer = args.oauth ? (await docked.oauthAgent("Profiled Agent")).accessToken : docked.key
    const agent = await modernClient(docked.endpoint, { authorization: `Bearer ${bearer}` })
    const [tool, callArguments] = everything ? ["every__echo", { message: "profile" }] : ["up__echo", { text: "profile" }]
    const call = async () => {
      const result = await agent.callTool({ name: tool, arguments: callArguments })
      if (result.isError) throw new Error(`${tool} failed: ${JSON.stringify(result.content)}`)
    }
    console.log(`warming up: ${WARMUP_CALLS} calls at ${CONCURRENCY} in flight`)
    await concurrent(call, WARMUP_CALLS, CONCURRENCY, performance.now() + 120_000)
    const stop = await startProfiling(docked.plane.inspectorUrl!)
    console.log(`profiling: ${CALLS} calls of ${tool} at ${CONCURRENCY} in flight with ${args.oauth ? "an OAuth token" : "an agent key"}, sampled every ${INTERVAL_US} µs`)
    const run = await concurrent(call, CALLS, CONCURRENCY, performance.now() + 300_000)
    const profile = await stop()
    await agent.close()
    const cut = run.cutShort ? " (cut short by its 300 s limit)" : ""
    console.log(`${run.calls} calls in ${(run.ms / 1000).toFixed(1)} s${cut}: ${((run.calls / run.ms) * 1000).toFixed(0)} calls/s while sampled\n`)
    console.log(summarize(profile, berthSourceMap(), run.calls))
    save("hop", profile)
  }
} finally {
  await docked.stop()
  await Promise.all([upstream.stop(), everything?.stop()])
}
