// `npm run conformance`: the MCP conformance suite's server scenarios (@modelcontextprotocol/conformance)
// against the SDK's conformance fixture installed as plugin `fixture` on a real plane, to see which
// parts of the protocol Berth carries unchanged. Each era runs against four targets: the fixture
// directly, the fixture through the bearer proxy (the control: what the proxy alone changes), the
// per-plugin mount /w/<ws>/mcp/fixture, and the workspace endpoint /w/<ws>/mcp. The runner cannot
// send a header, so the last three go through a loopback proxy that adds the agent's key.
// Counts are the runner's own: checks passed and failed, summed over scenarios. Writes
// bench/results/conformance.json.
//
//   npm run conformance -- --sdk <typescript-sdk checkout or git dir> [--ref <commit>] [--timeout <ms>]
import { spawn } from "node:child_process"
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs"
import { cpus, tmpdir, totalmem } from "node:os"
import { join, resolve } from "node:path"
import { parseArgs } from "node:util"
import { adminRpc, startPlane } from "../../test/node/plane.ts"
import { startBearerProxy } from "./bearer-proxy.ts"
import { readFixture, startConformanceFixture } from "./conformance-fixture.ts"

const { values: args } = parseArgs({
  options: {
    sdk: { type: "string", default: process.env.MCP_TYPESCRIPT_SDK },
    ref: { type: "string", default: "HEAD" },
    timeout: { type: "string", default: "30000" }
  }
})
if (args.sdk === undefined) {
  console.error("--sdk (or MCP_TYPESCRIPT_SDK): a checkout or git directory of modelcontextprotocol/typescript-sdk, for its conformance fixture")
  process.exit(2)
}

const root = resolve(import.meta.dirname, "../..")
const CONFORMANCE_CLI = join(root, "node_modules/@modelcontextprotocol/conformance/dist/index.js")
const packageVersion = (name: string) =>
  (JSON.parse(readFileSync(join(root, "node_modules", name, "package.json"), "utf8")) as { version: string }).version

/** The two eras the suite is run in: the stateless 2026 wire with every scenario, and the stateful 2025 wire's active suite. */
const ERAS = [
  { specVersion: "2026-07-28", suite: "all" },
  { specVersion: "2025-11-25", suite: "active" }
] as const
type Era = (typeof ERAS)[number]
const TARGETS = ["direct", "direct via proxy", "mount", "workspace"] as const
type Target = (typeof TARGETS)[number]

interface FailedCheck {
  readonly id: string
  /** The first spec section the check cites (such as SEP-2322), or the scenario's name if it cites none. */
  readonly spec: string
  readonly message: string
}
interface ScenarioResult {
  readonly scenario: string
  readonly passed: number
  readonly failed: number
  readonly failures: ReadonlyArray<FailedCheck>
}
interface Run {
  readonly target: Target
  readonly specVersion: string
  readonly suite: string
  readonly passed: number
  readonly failed: number
  readonly exitCode: number | null
  readonly scenarios: ReadonlyArray<ScenarioResult>
}

const SUMMARY_LINE = /^[✓✗] (\S+): (\d+) passed, (\d+) failed/
const RESULT_DIRECTORY = /^server-(.+)-\d{4}-\d{2}-\d{2}T[\d-]+Z$/
const FAILED_TO_RUN = /^Failed to run scenario (\S+): (.*)$/m

/** Runs one era of the suite against `url`; the scenarios as the runner summed them, each with its failed checks. */
const runSuite = async (target: Target, era: Era, url: string): Promise<Run> => {
  const output = mkdtempSync(join(tmpdir(), "berth-conformance-"))
  const child = spawn(
    process.execPath,
    [CONFORMANCE_CLI, "server", "--url", url, "--spec-version", era.specVersion, "--suite", era.suite, "--timeout", args.timeout!, "-o", output],
    { stdio: ["ignore", "pipe", "pipe"] }
  )
  let stdout = ""
  let stderr = ""
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()))
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()))
  const exitCode = await new Promise<number | null>((resolve) => child.once("exit", resolve))

  // checks.json per scenario that ran to the end; a scenario that threw leaves only a line on stderr.
  const checks = new Map<
    string,
    ReadonlyArray<{ id: string; status: string; errorMessage?: string; description?: string; specReferences?: ReadonlyArray<{ id: string }> }>
  >()
  for (const directory of readdirSync(output)) {
    const scenario = RESULT_DIRECTORY.exec(directory)?.[1]
    const file = join(output, directory, "checks.json")
    if (scenario !== undefined && existsSync(file)) checks.set(scenario, JSON.parse(readFileSync(file, "utf8")))
  }
  const thrown = new Map([...stderr.matchAll(new RegExp(FAILED_TO_RUN, "gm"))].map((m) => [m[1]!, m[2]!]))
  const scenarios = stdout
    .split("\n")
    .flatMap((line) => {
      const m = SUMMARY_LINE.exec(line)
      return m ? [{ scenario: m[1]!, passed: Number(m[2]), failed: Number(m[3]) }] : []
    })
    .map(({ scenario, passed, failed }): ScenarioResult => {
      const failures =
        checks
          .get(scenario)
          ?.flatMap((c) =>
            c.status === "FAILURE" ? [{ id: c.id, spec: c.specReferences?.[0]?.id ?? scenario, message: c.errorMessage ?? c.description ?? "" }] : []
          ) ?? (failed > 0 ? [{ id: scenario, spec: scenario, message: `failed to run: ${thrown.get(scenario) ?? "(no message)"}` }] : [])
      return { scenario, passed, failed, failures }
    })
  if (scenarios.length === 0) throw new Error(`the conformance runner reported no scenario for ${target} ${era.specVersion}:\n${stdout}\n${stderr}`)
  const sum = (field: "passed" | "failed") => scenarios.reduce((total, s) => total + s[field], 0)
  return { target, specVersion: era.specVersion, suite: era.suite, passed: sum("passed"), failed: sum("failed"), exitCode, scenarios }
}

/** Scenarios with a failed check at `target` whose every check passed directly, per era. */
const failingOnlyAt = (runs: ReadonlyArray<Run>, target: Target) =>
  ERAS.map((era) => {
    const at = (t: Target) => runs.find((r) => r.target === t && r.specVersion === era.specVersion)!
    const direct = new Map(at("direct").scenarios.map((s) => [s.scenario, s]))
    const scenarios = at(target).scenarios.filter((s) => s.failed > 0 && direct.get(s.scenario)?.failed === 0)
    return { specVersion: era.specVersion, suite: era.suite, scenarios }
  })

const fixture = readFixture(args.sdk, args.ref!)
const stops: Array<() => Promise<void>> = []
const runs: Array<Run> = []
try {
  const upstream = await startConformanceFixture(fixture.text)
  stops.push(upstream.stop)
  const plane = await startPlane()
  stops.push(plane.stop)
  const workspace = "conformance"
  await adminRpc(plane, { _tag: "CreateWorkspace", workspace })
  const { key } = (await adminRpc(plane, { _tag: "RegisterAgent", workspace, agent: "conformance" })) as { key: string }
  await adminRpc(plane, { _tag: "InstallPlugin", workspace, plugin: "fixture", url: upstream.url, transport: "streamable-http", auth: "none" })
  const toPlane = await startBearerProxy(plane.url, key)
  const toFixture = await startBearerProxy(upstream.url, key)
  stops.push(toPlane.stop, toFixture.stop)
  const urls: Record<Target, string> = {
    direct: upstream.url,
    "direct via proxy": `${toFixture.url}${new URL(upstream.url).pathname}`,
    mount: `${toPlane.url}/w/${workspace}/mcp/fixture`,
    workspace: `${toPlane.url}/w/${workspace}/mcp`
  }
  for (const era of ERAS) {
    for (const target of TARGETS) {
      const t0 = performance.now()
      const run = await runSuite(target, era, urls[target])
      runs.push(run)
      const seconds = ((performance.now() - t0) / 1000).toFixed(0)
      console.log(`${era.specVersion} ${era.suite} ${target}: ${run.passed} passed, ${run.failed} failed (${seconds} s)`)
    }
  }
} finally {
  for (const stop of stops.reverse()) await stop()
}

const table = [
  ["target", ...ERAS.map((e) => `${e.specVersion} ${e.suite}`)],
  ...TARGETS.map((target) => [
    target,
    ...ERAS.map((era) => {
      const run = runs.find((r) => r.target === target && r.specVersion === era.specVersion)!
      return `${run.passed} passed / ${run.failed} failed`
    })
  ])
]
const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => row[i]!.length)))
console.log(`\n${table.map((row) => row.map((cell, i) => cell.padEnd(widths[i]!)).join("  ")).join("\n")}`)

const throughMount = failingOnlyAt(runs, "mount")
for (const era of throughMount) {
  console.log(`\nFailing through the mount, passing directly (${era.specVersion} ${era.suite}): ${era.scenarios.length}`)
  // Grouped by the spec section the first failed check cites: the kind of failure, as the runner files it.
  const kinds = Map.groupBy(era.scenarios, (s) => s.failures[0]?.spec ?? "(no failed check recorded)")
  for (const [kind, scenarios] of kinds) {
    console.log(`  ${kind}`)
    for (const s of scenarios) {
      console.log(`    ${s.scenario}`)
      for (const f of s.failures) console.log(`      ${f.id}: ${f.message.slice(0, 200)}`)
    }
  }
}

const cores = cpus()
const results = {
  measuredAt: new Date().toISOString(),
  machine: {
    cores: cores.length,
    cpu: cores[0]?.model ?? "unknown",
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform}-${process.arch}`
  },
  name: "conformance",
  setup: {
    conformance: packageVersion("@modelcontextprotocol/conformance"),
    server: packageVersion("@modelcontextprotocol/server"),
    fixture: { repository: "modelcontextprotocol/typescript-sdk", path: fixture.path, commit: fixture.commit },
    eras: ERAS,
    targets: { direct: "the fixture", "direct via proxy": "the fixture through the bearer proxy", mount: "/w/<ws>/mcp/fixture", workspace: "/w/<ws>/mcp" },
    scenarioTimeoutMs: Number(args.timeout)
  },
  runs,
  failingThroughMountOnly: throughMount,
  failingThroughWorkspaceOnly: failingOnlyAt(runs, "workspace")
}
mkdirSync(join(root, "bench/results"), { recursive: true })
writeFileSync(join(root, "bench/results/conformance.json"), JSON.stringify(results, null, 2) + "\n")
console.log("\nwrote bench/results/conformance.json")
