// The conformance fixture server: the MCP TypeScript SDK's test/conformance/src/everythingServer.ts,
// the server its maintainers run the conformance suite against. It is not published, so it is read
// from a checkout (or a bare clone) of the SDK, never copied into this repository, and run by Node's
// type stripping from a temp directory whose node_modules is this checkout's: the SDK packages it
// imports (@modelcontextprotocol/server, /node, /express) are Berth's devDependencies.
import { execFileSync, spawn } from "node:child_process"
import { existsSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { freePort } from "../../test/global-setup.ts"

const FIXTURE_PATH = "test/conformance/src/everythingServer.ts"
const READY_TIMEOUT_MS = 15_000
const root = resolve(import.meta.dirname, "../..")

/** The fixture's text and the SDK commit it came from; `sdk` is a checkout (its files are read) or a git directory (`ref` is read). */
export const readFixture = (sdk: string, ref: string) => {
  const git = (...args: Array<string>) => execFileSync("git", args, { cwd: sdk, encoding: "utf8" })
  const checkedOut = join(sdk, FIXTURE_PATH)
  if (existsSync(checkedOut)) return { text: readFileSync(checkedOut, "utf8"), commit: git("rev-parse", "HEAD").trim(), path: FIXTURE_PATH }
  return { text: git("show", `${ref}:${FIXTURE_PATH}`), commit: git("rev-parse", `${ref}^{commit}`).trim(), path: FIXTURE_PATH }
}

/** Starts the fixture on a free port; `url` is its MCP endpoint. */
export const startConformanceFixture = async (text: string) => {
  const directory = mkdtempSync(join(tmpdir(), "berth-conformance-fixture-"))
  writeFileSync(join(directory, "everythingServer.ts"), text)
  writeFileSync(join(directory, "package.json"), JSON.stringify({ type: "module" }))
  symlinkSync(join(root, "node_modules"), join(directory, "node_modules"), "dir")
  const port = await freePort()
  const child = spawn(process.execPath, ["everythingServer.ts"], {
    cwd: directory,
    env: { PORT: String(port), PATH: process.env.PATH ?? "" },
    stdio: ["ignore", "pipe", "pipe"]
  })
  let output = ""
  let ready = false
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve()
      child.once("exit", () => resolve())
      child.kill("SIGTERM")
    })
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the fixture did not report ready within ${READY_TIMEOUT_MS} ms:\n${output}`)), READY_TIMEOUT_MS)
      // Both streams are drained for the fixture's whole life, and kept only until it is ready.
      child.stdout!.on("data", (chunk: Buffer) => {
        if (ready) return
        output += chunk.toString()
        if (output.includes("MCP endpoint:")) {
          ready = true
          clearTimeout(timer)
          resolve()
        }
      })
      child.stderr!.on("data", (chunk: Buffer) => {
        if (!ready) output += chunk.toString()
      })
      child.once("exit", (code, signal) => {
        clearTimeout(timer)
        reject(new Error(`the fixture exited (${code ?? signal}) before it was ready:\n${output}`))
      })
    })
  } catch (error) {
    await stop()
    throw error
  }
  return { url: `http://127.0.0.1:${port}/mcp`, stop }
}
