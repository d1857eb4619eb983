// Starts the real servers that tests reach by URL over loopback, once per test run: the test
// upstream Worker (test/mcp/upstream, in wrangler's workerd), the OAuth-protected test upstream
// (test/mcp/oauth-upstream, likewise), @modelcontextprotocol/server-everything as a Node process, and
// the test OpenID provider (test/node/oidc-provider.ts). Tests read the URLs with
// `inject("upstreamUrl")`, `inject("oauthUpstreamUrl")`, `inject("everythingUrl")` and
// `inject("oidcIssuer")`, in both the workers and the node project.
import { type ChildProcess, spawn } from "node:child_process"
import { createServer } from "node:net"
import type { TestProject } from "vitest/node"
import { startDevWorker } from "./node/dev-worker.ts"
import { startOidcProvider } from "./node/oidc-provider.ts"

declare module "vitest" {
  export interface ProvidedContext {
    /** The test upstream's MCP endpoint, `http://127.0.0.1:<port>/mcp`; control routes sit at the root. */
    upstreamUrl: string
    /** The same endpoint at the upstream runtime's own entry, past wrangler's dev proxy (test/node/dev-worker.ts). */
    upstreamRuntimeUrl: string
    /**
     * The OAuth-protected test upstream's MCP endpoint, `http://127.0.0.1:<port>/mcp`: its own
     * authorization server (issuer `http://127.0.0.1:<port>`, consent page at /authorize) and
     * control routes under /control/ (test/mcp/oauth-upstream/worker.ts).
     */
    oauthUpstreamUrl: string
    /** server-everything's Streamable HTTP endpoint, `http://127.0.0.1:<port>/mcp`. */
    everythingUrl: string
    /** The test OpenID provider's issuer, `http://127.0.0.1:<port>` (panva's oidc-provider). */
    oidcIssuer: string
  }
}

const EVERYTHING_ENTRY = "node_modules/@modelcontextprotocol/server-everything/dist/index.js"
const READY_TIMEOUT_MS = 15_000

/** A loopback port that was free a moment ago (and that nothing listens on until someone binds it). */
export const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer()
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })

/** The test upstream Worker (test/mcp/upstream), at the dev ingress (`url`) and at its runtime (`runtimeUrl`). */
export const startUpstream = async () => {
  const worker = await startDevWorker({
    config: "test/mcp/upstream/wrangler.toml",
    dev: { server: { hostname: "127.0.0.1", port: 0 }, inspector: false, persist: false, logLevel: "error" }
  })
  return { url: `${worker.url}/mcp`, runtimeUrl: `${worker.runtimeUrl}/mcp`, stop: worker.stop }
}

/** The OAuth-protected test upstream Worker (test/mcp/oauth-upstream), at the dev ingress. Its KV starts empty. */
export const startOauthUpstream = async () => {
  const worker = await startDevWorker({
    config: "test/mcp/oauth-upstream/wrangler.toml",
    dev: { server: { hostname: "127.0.0.1", port: 0 }, inspector: false, persist: false, logLevel: "error" }
  })
  return { url: `${worker.url}/mcp`, stop: worker.stop }
}

const stopProcess = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve()
    child.once("exit", () => resolve())
    child.kill("SIGTERM")
  })

// server-everything binds all interfaces and says "... listening on port N" on stderr once ready.
// A test that restarts it passes the port it had.
export const startEverything = async (port?: number) => {
  port ??= await freePort()
  // A minimal env: its `get-env` tool returns the whole process environment.
  const child = spawn(process.execPath, [EVERYTHING_ENTRY, "streamableHttp"], {
    env: { PORT: String(port), PATH: process.env.PATH ?? "" },
    stdio: ["ignore", "ignore", "pipe"]
  })
  let stderr = ""
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`server-everything did not report ready within ${READY_TIMEOUT_MS} ms. stderr:\n${stderr}`)),
        READY_TIMEOUT_MS
      )
      const onData = (chunk: Buffer) => {
        stderr += chunk.toString()
        if (stderr.includes("listening on port")) {
          clearTimeout(timer)
          child.stderr!.off("data", onData)
          resolve()
        }
      }
      child.stderr!.on("data", onData)
      child.once("error", (error) => {
        clearTimeout(timer)
        reject(new Error(`server-everything failed to spawn: ${error.message}`))
      })
      child.once("exit", (code, signal) => {
        clearTimeout(timer)
        reject(new Error(`server-everything exited (${code ?? signal}) before it was ready. stderr:\n${stderr}`))
      })
    })
  } catch (error) {
    await stopProcess(child)
    throw error
  }
  return { url: `http://127.0.0.1:${port}/mcp`, stop: () => stopProcess(child) }
}

export default async function setup(project: TestProject) {
  const [upstream, oauthUpstream, everything, oidc] = await Promise.allSettled([
    startUpstream(),
    startOauthUpstream(),
    startEverything(),
    startOidcProvider()
  ])
  const started = [upstream, oauthUpstream, everything, oidc]
  if (upstream.status === "rejected" || oauthUpstream.status === "rejected" || everything.status === "rejected" || oidc.status === "rejected") {
    await Promise.all(started.map((s) => (s.status === "fulfilled" ? s.value.stop() : undefined)))
    throw started.find((s) => s.status === "rejected")!.reason
  }
  project.provide("upstreamUrl", upstream.value.url)
  project.provide("upstreamRuntimeUrl", upstream.value.runtimeUrl)
  project.provide("oauthUpstreamUrl", oauthUpstream.value.url)
  project.provide("everythingUrl", everything.value.url)
  project.provide("oidcIssuer", oidc.value.issuer)
  return async () => {
    await Promise.all([upstream.value.stop(), oauthUpstream.value.stop(), everything.value.stop(), oidc.value.stop()])
  }
}
