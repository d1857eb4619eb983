// One run of the MCP conformance suite's server scenarios (@modelcontextprotocol/conformance) against a
// URL, read back per scenario with every check that did not pass. Passed and failed are the runner's own
// counts; warnings and skipped checks, which its summary leaves out, are counted from its checks.json.
import { spawn } from "node:child_process"
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"

const CONFORMANCE_CLI = resolve(import.meta.dirname, "../../../node_modules/@modelcontextprotocol/conformance/dist/index.js")

/** A protocol version and the suite run at it. */
export interface Era {
  readonly specVersion: string
  readonly suite: string
}

/** A check that did not pass: FAILURE, WARNING (a SHOULD missed) or SKIPPED (a prerequisite missing). */
export interface Shortfall {
  readonly id: string
  readonly status: string
  /** The first spec section the check cites (such as SEP-2322), or the scenario's name if it cites none. */
  readonly spec: string
  readonly message: string
}
export interface ScenarioResult {
  readonly scenario: string
  readonly passed: number
  readonly failed: number
  readonly shortfalls: ReadonlyArray<Shortfall>
}
export interface SuiteRun extends Era {
  readonly passed: number
  readonly failed: number
  readonly warnings: number
  readonly skipped: number
  readonly exitCode: number | null
  readonly scenarios: ReadonlyArray<ScenarioResult>
}

interface Check {
  readonly id: string
  readonly status: string
  readonly errorMessage?: string
  readonly description?: string
  readonly specReferences?: ReadonlyArray<{ readonly id: string }>
}

const SUMMARY_LINE = /^[✓✗] (\S+): (\d+) passed, (\d+) failed/
const RESULT_DIRECTORY = /^server-(.+)-\d{4}-\d{2}-\d{2}T[\d-]+Z$/
const FAILED_TO_RUN = /^Failed to run scenario (\S+): (.*)$/gm
const SHORT_OF_PASSING = new Set(["FAILURE", "WARNING", "SKIPPED"])

export const runSuite = async (url: string, era: Era, timeoutMs: number): Promise<SuiteRun> => {
  const output = mkdtempSync(join(tmpdir(), "berth-conformance-"))
  try {
    const child = spawn(
      process.execPath,
      [
        CONFORMANCE_CLI,
        "server",
        "--url",
        url,
        "--spec-version",
        era.specVersion,
        "--suite",
        era.suite,
        "--timeout",
        String(timeoutMs),
        "-o",
        output
      ],
      { stdio: ["ignore", "pipe", "pipe"] }
    )
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()))
    const exitCode = await new Promise<number | null>((resolve) => child.once("exit", resolve))

    // checks.json per scenario that ran to the end; a scenario that threw leaves only a line on stderr.
    const checks = new Map<string, ReadonlyArray<Check>>()
    for (const directory of readdirSync(output)) {
      const scenario = RESULT_DIRECTORY.exec(directory)?.[1]
      const file = join(output, directory, "checks.json")
      if (scenario !== undefined && existsSync(file)) checks.set(scenario, JSON.parse(readFileSync(file, "utf8")))
    }
    const thrown = new Map([...stderr.matchAll(FAILED_TO_RUN)].map((m) => [m[1]!, m[2]!]))
    const scenarios = stdout
      .split("\n")
      .flatMap((line) => {
        const m = SUMMARY_LINE.exec(line)
        return m ? [{ scenario: m[1]!, passed: Number(m[2]), failed: Number(m[3]) }] : []
      })
      .map(({ scenario, passed, failed }): ScenarioResult => {
        const ran = checks.get(scenario)
        const shortfalls =
          ran?.flatMap((c) =>
            SHORT_OF_PASSING.has(c.status)
              ? [{ id: c.id, status: c.status, spec: c.specReferences?.[0]?.id ?? scenario, message: c.errorMessage ?? c.description ?? "" }]
              : []
          ) ??
          (failed > 0
            ? [{ id: scenario, status: "FAILURE", spec: scenario, message: `failed to run: ${thrown.get(scenario) ?? "(no message)"}` }]
            : [])
        return { scenario, passed, failed, shortfalls }
      })
    if (scenarios.length === 0) throw new Error(`the conformance runner reported no scenario for ${url} at ${era.specVersion}:\n${stdout}\n${stderr}`)
    const sum = (field: "passed" | "failed") => scenarios.reduce((total, s) => total + s[field], 0)
    const count = (status: string) => scenarios.reduce((total, s) => total + s.shortfalls.filter((c) => c.status === status).length, 0)
    return { ...era, passed: sum("passed"), failed: sum("failed"), warnings: count("WARNING"), skipped: count("SKIPPED"), exitCode, scenarios }
  } finally {
    rmSync(output, { recursive: true, force: true })
  }
}
