// `npm run fuzz`: the wire fuzz (wire.fuzz.test.ts) at 10,000 cases per property and a fresh seed,
// which it prints so a failure can be replayed. It also reads the runtime's own output: workerd
// reports an uncaught exception on its stderr, where no test inside it can see, so a run that shows
// one fails here even if every property held.
//
//   npm run fuzz                                   10,000 cases per property, a random seed
//   BERTH_FUZZ_SEED=123 BERTH_FUZZ_RUNS=500 npm run fuzz   replay a seed, or run fewer cases
import { spawn } from "node:child_process"

const runs = Number(process.env.BERTH_FUZZ_RUNS ?? 10_000)
const seed = Number(process.env.BERTH_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31))
if (!Number.isInteger(runs) || runs < 1 || !Number.isInteger(seed)) throw new Error("BERTH_FUZZ_RUNS and BERTH_FUZZ_SEED must be integers")

/** workerd's report of an exception nobody caught, or of a rejection nobody handled. */
const UNCAUGHT = /uncaught exception|Uncaught \(in (?:promise|response)\)/i
/**
 * workerd's report of an outbound connection refused. It comes even when the fetch's rejection is
 * caught: `await fetch("http://127.0.0.1:9/").catch(() => {})` logs it too (docs/fuzz.md). The
 * admin property installs plugins at a closed port, so these are counted and shown, not failed.
 */
const REFUSED_CONNECTION = /Network connection lost/

console.log(`wire fuzz: ${runs} cases per property, seed ${seed} (replay: BERTH_FUZZ_SEED=${seed} BERTH_FUZZ_RUNS=${runs} npm run fuzz)`)
const started = Date.now()
/** Each distinct report line, with how often it came. */
const reports = new Map<string, number>()
let refusedConnections = 0
const vitest = spawn(process.execPath, ["node_modules/vitest/vitest.mjs", "run", "--project", "workers", "test/fuzz/wire.fuzz.test.ts"], {
  // Vite passes VITE_* variables through to the test inside workerd.
  env: { ...process.env, VITE_BERTH_FUZZ_RUNS: String(runs), VITE_BERTH_FUZZ_SEED: String(seed) },
  stdio: ["inherit", "pipe", "pipe"]
})
const watch = (from: NodeJS.ReadableStream, to: NodeJS.WriteStream) => {
  let partial = ""
  from.on("data", (chunk: Buffer) => {
    to.write(chunk)
    const lines = (partial + chunk.toString()).split("\n")
    partial = lines.pop() ?? ""
    for (const line of lines.filter((l) => UNCAUGHT.test(l)))
      if (REFUSED_CONNECTION.test(line)) refusedConnections++
      else reports.set(line.trim(), (reports.get(line.trim()) ?? 0) + 1)
  })
}
watch(vitest.stdout, process.stdout)
watch(vitest.stderr, process.stderr)

const code = await new Promise<number>((resolve) => vitest.on("close", (exit) => resolve(exit ?? 1)))
const minutes = ((Date.now() - started) / 60_000).toFixed(1)
if (reports.size > 0)
  console.error(`\nthe runtime reported uncaught exceptions:\n${[...reports].map(([line, n]) => `  ${n} × ${line}`).join("\n")}`)
if (refusedConnections > 0)
  console.log(`\nthe runtime reported ${refusedConnections} refused connection(s), as it does for every failed fetch, caught or not`)
const held = code === 0 && reports.size === 0
console.log(`\nwire fuzz ${held ? "held" : "FAILED"}: ${runs} cases per property, seed ${seed}, ${minutes} min`)
process.exit(held ? 0 : 1)
