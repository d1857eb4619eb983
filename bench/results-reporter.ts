// A Node-side vitest reporter: a benchmark running inside workerd cannot write to this machine's
// disk, so it leaves its results in the test's `meta.berthBench` and this writes them to
// bench/results/{name}.json, with the machine they were measured on.
import { mkdirSync, writeFileSync } from "node:fs"
import { cpus, totalmem } from "node:os"
import type { Reporter, TestCase } from "vitest/node"

declare module "vitest" {
  interface TaskMeta {
    /** Set by a benchmark: `name` picks the results file, the rest is written as measured. */
    berthBench?: { readonly name: string } & Record<string, unknown>
  }
}

export class ResultsReporter implements Reporter {
  readonly directory: string

  constructor(directory: string) {
    this.directory = directory
  }

  onTestCaseResult(testCase: TestCase): void {
    const results = testCase.meta().berthBench
    if (!results) return
    const cores = cpus()
    const machine = {
      cores: cores.length,
      cpu: cores[0]?.model ?? "unknown",
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      node: process.version,
      platform: `${process.platform}-${process.arch}`
    }
    mkdirSync(this.directory, { recursive: true })
    const file = `${this.directory}/${results.name}.json`
    writeFileSync(file, JSON.stringify({ measuredAt: new Date().toISOString(), machine, ...results }, null, 2) + "\n")
    console.log(`wrote ${file}`)
  }
}
