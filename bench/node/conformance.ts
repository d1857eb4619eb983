// `npm run conformance`: the MCP conformance suite's server scenarios against Berth's own fixtures,
// directly and through a real plane, to see which parts of the protocol Berth carries unchanged.
// fixture-v2 (SDK v2, both eras) runs directly, through the bearer proxy alone (the control), at its
// mount /w/<ws>/mcp/fixture-v2 and at the workspace endpoint /w/<ws>/mcp. fixture-v1 (SDK v1, 2025
// only) runs directly and at its mount, where a 2026 client reaches it through Berth. The runner cannot
// send a header, so every target but `direct` goes through a loopback proxy that adds the agent's key.
// Writes bench/results/conformance.json.
//
//   npm run conformance [-- --timeout <ms per scenario>]
import { mkdirSync, readFileSync, writeFileSync } from "node:fs"
import { cpus, totalmem } from "node:os"
import { join, resolve } from "node:path"
import { parseArgs } from "node:util"
import { adminRpc, startPlane } from "../../test/node/plane.ts"
import { startBearerProxy } from "./bearer-proxy.ts"
import type { Fixture } from "./conformance/serve.ts"
import { type Era, runSuite, type ScenarioResult, type SuiteRun } from "./conformance/suite.ts"
import { startV1Fixture } from "./conformance/v1/fixture.ts"
import { startV2Fixture } from "./conformance/v2/fixture.ts"

const { values: args } = parseArgs({ options: { timeout: { type: "string", default: "30000" } } })
const timeoutMs = Number(args.timeout)

const root = resolve(import.meta.dirname, "../..")
const packageVersion = (name: string) =>
  (JSON.parse(readFileSync(join(root, "node_modules", name, "package.json"), "utf8")) as { version: string }).version

/** The stateless 2026 wire with every scenario, and the stateful 2025 wire's active suite. */
const ERAS: ReadonlyArray<Era> = [
  { specVersion: "2026-07-28", suite: "all" },
  { specVersion: "2025-11-25", suite: "active" }
]
const ERA_2025 = ERAS[1]!

type Target = "direct" | "direct via proxy" | "mount" | "workspace"
interface FixtureSpec {
  readonly plugin: string
  readonly sdk: string
  readonly start: () => Promise<Fixture>
  readonly targets: ReadonlyArray<Target>
  /** The direct run a run through Berth is compared with: the same era, or the one era the fixture speaks. */
  readonly baseline: (era: Era) => Era
}
const FIXTURES: ReadonlyArray<FixtureSpec> = [
  {
    plugin: "fixture-v2",
    sdk: "@modelcontextprotocol/server",
    start: startV2Fixture,
    targets: ["direct", "direct via proxy", "mount", "workspace"],
    baseline: (era) => era
  },
  { plugin: "fixture-v1", sdk: "@modelcontextprotocol/sdk", start: startV1Fixture, targets: ["direct", "mount"], baseline: () => ERA_2025 }
]

interface Run extends SuiteRun {
  readonly plugin: string
  readonly target: Target
}
const runs: Array<Run> = []
const runOf = (plugin: string, target: Target, era: Era) =>
  runs.find((r) => r.plugin === plugin && r.target === target && r.specVersion === era.specVersion)!

/** Checks passed and failed, as the runner sums them, and the warnings and skips it leaves out of its sum. */
const score = (run: SuiteRun) =>
  [
    `${run.passed} passed`,
    `${run.failed} failed`,
    ...(run.warnings > 0 ? [`${run.warnings} warned`] : []),
    ...(run.skipped > 0 ? [`${run.skipped} skipped`] : [])
  ].join(" / ")

const workspace = "conformance"
const stops: Array<() => Promise<void>> = []
try {
  const plane = await startPlane()
  stops.push(plane.stop)
  await adminRpc(plane, { _tag: "CreateWorkspace", workspace })
  const { key } = (await adminRpc(plane, { _tag: "RegisterAgent", workspace, agent: "conformance" })) as { key: string }
  const toPlane = await startBearerProxy(plane.url, key)
  stops.push(toPlane.stop)
  const urls = new Map<string, Record<Target, string>>()
  for (const fixture of FIXTURES) {
    const upstream = await fixture.start()
    stops.push(upstream.stop)
    await adminRpc(plane, { _tag: "InstallPlugin", workspace, plugin: fixture.plugin, url: upstream.url, transport: "streamable-http", auth: "none" })
    const toFixture = await startBearerProxy(upstream.url, key)
    stops.push(toFixture.stop)
    urls.set(fixture.plugin, {
      direct: upstream.url,
      "direct via proxy": `${toFixture.url}${new URL(upstream.url).pathname}`,
      mount: `${toPlane.url}/w/${workspace}/mcp/${fixture.plugin}`,
      workspace: `${toPlane.url}/w/${workspace}/mcp`
    })
  }
  for (const era of ERAS) {
    for (const fixture of FIXTURES) {
      for (const target of fixture.targets) {
        const t0 = performance.now()
        const run = { plugin: fixture.plugin, target, ...(await runSuite(urls.get(fixture.plugin)![target], era, timeoutMs)) }
        runs.push(run)
        const seconds = ((performance.now() - t0) / 1000).toFixed(0)
        console.log(`${era.specVersion} ${era.suite} ${fixture.plugin} ${target}: ${score(run)} (${seconds} s)`)
      }
    }
  }
} finally {
  for (const stop of stops.reverse()) await stop()
}

const table = [
  ["fixture", "target", ...ERAS.map((e) => `${e.specVersion} ${e.suite}`)],
  ...FIXTURES.flatMap((fixture) =>
    fixture.targets.map((target) => [
      fixture.plugin,
      target,
      ...ERAS.map((era) => {
        return score(runOf(fixture.plugin, target, era))
      })
    ])
  )
]
const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => row[i]!.length)))
console.log(`\n${table.map((row) => row.map((cell, i) => cell.padEnd(widths[i]!)).join("  ")).join("\n")}`)

/**
 * The scenarios with a check short of passing at `target` in `era`: those whose every check passed in the
 * fixture's direct baseline run, and those the baseline never ran (for fixture-v1, the 2026-07-28-only ones).
 */
const shortThrough = (fixture: FixtureSpec, target: Target, era: Era) => {
  const baseline = fixture.baseline(era)
  const direct = new Map(runOf(fixture.plugin, "direct", baseline).scenarios.map((s) => [s.scenario, s]))
  const short = runOf(fixture.plugin, target, era).scenarios.filter((s) => s.shortfalls.length > 0)
  return {
    plugin: fixture.plugin,
    target,
    specVersion: era.specVersion,
    suite: era.suite,
    baseline: baseline.specVersion,
    passingDirectly: short.filter((s) => direct.get(s.scenario)?.shortfalls.length === 0),
    notInBaseline: short.filter((s) => !direct.has(s.scenario))
  }
}

const printScenarios = (heading: string, scenarios: ReadonlyArray<ScenarioResult>) => {
  if (scenarios.length === 0) return
  console.log(`\n${heading}: ${scenarios.length}`)
  // Grouped by the spec section the first short check cites: the kind of failure, as the runner files it.
  const kinds = Map.groupBy(scenarios, (s) => s.shortfalls[0]!.spec)
  for (const [kind, group] of kinds) {
    console.log(`  ${kind}`)
    for (const s of group) {
      console.log(`    ${s.scenario}`)
      for (const c of s.shortfalls) console.log(`      ${c.id} (${c.status}): ${c.message.slice(0, 200)}`)
    }
  }
}

const throughMounts = FIXTURES.flatMap((fixture) => ERAS.map((era) => shortThrough(fixture, "mount", era)))
for (const c of throughMounts) {
  const against = c.baseline === c.specVersion ? "directly" : `directly at ${c.baseline}`
  printScenarios(`${c.plugin}, ${c.specVersion} ${c.suite}: short through the mount, passing ${against}`, c.passingDirectly)
  printScenarios(`${c.plugin}, ${c.specVersion} ${c.suite}: short through the mount, not in the ${c.baseline} suite`, c.notInBaseline)
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
    fixtures: FIXTURES.map((f) => ({ plugin: f.plugin, sdk: f.sdk, version: packageVersion(f.sdk), targets: f.targets })),
    eras: ERAS,
    targets: {
      direct: "the fixture",
      "direct via proxy": "the fixture through the bearer proxy",
      mount: "/w/<ws>/mcp/<plugin>",
      workspace: "/w/<ws>/mcp (both plugins)"
    },
    scenarioTimeoutMs: timeoutMs
  },
  runs,
  shortThroughMount: throughMounts,
  shortThroughWorkspace: ERAS.map((era) => shortThrough(FIXTURES[0]!, "workspace", era))
}
mkdirSync(join(root, "bench/results"), { recursive: true })
writeFileSync(join(root, "bench/results/conformance.json"), JSON.stringify(results, null, 2) + "\n")
console.log("\nwrote bench/results/conformance.json")
