// The berth CLI against a real plane: run in-process through `run()` for speed, and once as a
// spawned `bin/berth.js` to prove the package bin works. Every case checks what the plane recorded.
import { execFile } from "node:child_process"
import { createHash } from "node:crypto"
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { promisify } from "node:util"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { run } from "../../src/cli/main.ts"
import { startPlane } from "./plane.ts"

let plane: Awaited<ReturnType<typeof startPlane>>
beforeAll(async () => {
  plane = await startPlane()
})
afterAll(() => plane?.stop())

interface Invocation {
  readonly env?: Record<string, string | undefined>
  readonly cwd?: string
  readonly signal?: AbortSignal
  /** Receives stdout as it is written, for --follow. */
  readonly onOut?: (all: string) => void
}

const berth = async (argv: ReadonlyArray<string>, options: Invocation = {}) => {
  let out = ""
  let err = ""
  const code = await run(argv, {
    env: options.env ?? { BERTH_URL: plane.url, BERTH_ADMIN_TOKEN: plane.token },
    cwd: options.cwd ?? mkdtempSync(join(tmpdir(), "berth-cli-cwd-")),
    stdout: { write: (s: string) => ((out += s), options.onOut?.(out)) },
    stderr: { write: (s: string) => (err += s) },
    ...(options.signal ? { signal: options.signal } : {})
  })
  return { code, out, err }
}

const ndjson = (text: string) =>
  text
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l) as { seq: number; type: string; hash: string; prevHash: string; data: any })

/** The log as the admin RPC returns it, bypassing the CLI. */
const rawEvents = async (workspace: string) => {
  const response = await fetch(`${plane.url}/admin/rpc`, {
    method: "POST",
    headers: { authorization: `Bearer ${plane.token}` },
    body: JSON.stringify({ _tag: "ListEvents", workspace, limit: 1000 })
  })
  return ((await response.json()) as { result: { events: Array<unknown> } }).result.events
}

const until = async (condition: () => boolean, what: string) => {
  const deadline = Date.now() + 10_000
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

describe("the whole flow", () => {
  it("creates a workspace, registers agents, installs a plugin, sets a policy, and the log verifies", async () => {
    const w = ["-w", "flow"]
    const created = await berth(["workspace", "create", "flow"])
    expect(created).toMatchObject({ code: 0, err: "" })
    expect(created.out).toContain("created workspace flow (seq 1: WorkspaceCreated)")

    const registered = await berth([...w, "agent", "register", "bot"])
    expect(registered.code).toBe(0)
    const key = /^key: (berth_\S+)$/m.exec(registered.out)?.[1]
    expect(key).toBeDefined()
    expect(registered.out).toContain("will not show it again")

    const scripted = await berth([...w, "agent", "register", "ci", "--json"])
    expect(scripted.code).toBe(0)
    const shape = JSON.parse(scripted.out) as { agent: string; key: string }
    expect(Object.keys(shape)).toEqual(["agent", "key"])
    expect(shape.agent).toBe("ci")
    expect(shape.key).toMatch(/^berth_/)

    const installed = await berth([...w, "plugin", "install", "everything", "--url", "http://127.0.0.1:3001/mcp"])
    expect(installed).toMatchObject({ code: 0, err: "" })

    const dir = mkdtempSync(join(tmpdir(), "berth-cli-policy-"))
    const cedar = 'permit(principal, action, resource) when { resource.plugin == "everything" };\n'
    writeFileSync(join(dir, "default.cedar"), cedar)
    const set = await berth([...w, "policy", "set", "default", "--file", join(dir, "default.cedar")])
    expect(set).toMatchObject({ code: 0, err: "" })

    const events = await berth([...w, "events", "--json"])
    expect(events.code).toBe(0)
    const log = ndjson(events.out)
    expect(log.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5])
    expect(log.map((e) => e.type)).toEqual([
      "WorkspaceCreated",
      "AgentRegistered",
      "AgentRegistered",
      "PluginInstalled",
      "PolicySet"
    ])
    for (let i = 1; i < log.length; i++) expect(log[i]!.prevHash).toBe(log[i - 1]!.hash)
    // Each line is the plane's envelope byte for byte, not a reformatting of it.
    expect(events.out).toBe((await rawEvents("flow")).map((e) => `${JSON.stringify(e)}\n`).join(""))
    // The keys printed are the ones whose hashes were recorded, and the keys themselves were not.
    expect(log[1]!.data.keyHash).toBe(createHash("sha256").update(key!).digest("hex"))
    expect(log[2]!.data.keyHash).toBe(createHash("sha256").update(shape.key).digest("hex"))
    expect(events.out).not.toContain(key!)
    expect(log[3]!.data).toMatchObject({ plugin: "everything", transport: "streamable-http", auth: "none" })
    expect(log[4]!.data).toMatchObject({ policy: "default", text: cedar })

    // Paging through `next` yields the same log.
    const paged = await berth([...w, "events", "--json", "--page-size", "2"])
    expect(paged.out).toBe(events.out)

    const human = await berth([...w, "events", "--from", "4"])
    expect(human.out.trim().split("\n")).toHaveLength(2)
    expect(human.out).toMatch(/^\s+4 {2}\S+ {2}PluginInstalled\s+admin:admin-token {2}\{"plugin":"everything"/m)

    const verified = await berth([...w, "verify"])
    expect(verified.code).toBe(0)
    expect(verified.out).toBe(`chain holds: 5 events, head seq 5, hash ${log[4]!.hash}\n`)

    const state = await berth([...w, "state"])
    expect(state.code).toBe(0)
    expect(state.out).toContain(`seq 5  head ${log[4]!.hash}`)
    expect(state.out).toMatch(/agents \(2\)\n {2}bot {2}active\n {2}ci {2}active/)
    expect(state.out).toContain("everything  streamable-http  auth none  http://127.0.0.1:3001/mcp")
    expect(state.out).toContain("policies (1)\n  default")

    const earlier = await berth([...w, "state", "--at", "1", "--json"])
    expect(JSON.parse(earlier.out)).toMatchObject({ seq: 1, hash: log[0]!.hash, state: { agents: {}, plugins: {} } })

    const agents = JSON.parse((await berth([...w, "agent", "list", "--json"])).out) as {
      agents: Array<{ agent: string; keyPrefix: string; status: string }>
    }
    expect(agents.agents.map((a) => [a.agent, a.status])).toEqual([
      ["bot", "active"],
      ["ci", "active"]
    ])
    expect(key!.startsWith(agents.agents[0]!.keyPrefix)).toBe(true)

    const listed = await berth(["workspace", "list", "--json"])
    expect(JSON.parse(listed.out).workspaces.map((x: { workspace: string }) => x.workspace)).toContain("flow")
  })
})

describe("exit codes and errors", () => {
  it("exits 2 on usage errors and says what is wrong", async () => {
    const missing = await berth(["-w", "flow", "agent", "register"])
    expect(missing.code).toBe(2)
    expect(missing.err).toContain("Missing required argument: name")
    expect(missing.err).toContain("berth agent register --help")

    const unknown = await berth(["deploy"])
    expect(unknown.code).toBe(2)
    expect(unknown.err).toContain('Unknown subcommand "deploy"')

    const badChoice = await berth(["-w", "flow", "plugin", "install", "x", "--url", "http://h/mcp", "--transport", "pigeon"])
    expect(badChoice.code).toBe(2)
    expect(badChoice.err).toMatch(/pigeon/)

    const noWorkspace = await berth(["agent", "list"])
    expect(noWorkspace.code).toBe(2)
    expect(noWorkspace.err).toContain("pass -w/--workspace <slug> or set BERTH_WORKSPACE")
  })

  it("exits 1 with the plane's error tag and message, and the log is unchanged", async () => {
    await berth(["workspace", "create", "dupes"])
    expect((await berth(["-w", "dupes", "agent", "register", "bot"])).code).toBe(0)

    const again = await berth(["-w", "dupes", "agent", "register", "bot"])
    expect(again.code).toBe(1)
    expect(again.out).toBe("")
    expect(again.err).toMatch(/^berth: AgentAlreadyExists: .*bot/)

    const json = await berth(["-w", "dupes", "agent", "register", "bot", "--json"])
    expect(json.code).toBe(1)
    expect(JSON.parse(json.err)).toMatchObject({ error: { _tag: "AgentAlreadyExists", agent: "bot" } })

    const badUrl = await berth(["-w", "dupes", "plugin", "install", "p", "--url", "not-a-url"])
    expect(badUrl.code).toBe(1)
    expect(badUrl.err).toMatch(/InvalidCommand: .*url.*http/)

    expect((await rawEvents("dupes")).map((e) => (e as { type: string }).type)).toEqual([
      "WorkspaceCreated",
      "AgentRegistered"
    ])
  })

  it("passes --expected-seq and --idempotency-key through", async () => {
    await berth(["workspace", "create", "retries"])
    const stale = await berth(["-w", "retries", "agent", "register", "a", "--expected-seq", "0"])
    expect(stale.code).toBe(1)
    expect(stale.err).toContain("ConcurrencyConflict")

    const first = await berth(["-w", "retries", "agent", "register", "a", "--idempotency-key", "k1", "--json"])
    const retry = await berth(["-w", "retries", "agent", "register", "a", "--idempotency-key", "k1", "--json"])
    expect(JSON.parse(first.out).key).toMatch(/^berth_/)
    expect(JSON.parse(retry.out)).toEqual({ agent: "a", key: null })
    expect(await rawEvents("retries")).toHaveLength(2)
  })

  it("says the plane is not running when nothing listens", async () => {
    const down = await berth(["workspace", "list"], { env: { BERTH_URL: "http://127.0.0.1:59999", BERTH_ADMIN_TOKEN: "x" } })
    expect(down.code).toBe(1)
    expect(down.err).toContain("is the plane running? (npm start)")
  })
})

describe("the admin token", () => {
  it("falls back to .dev.vars for a local plane, and names it when the token is refused", async () => {
    const cwd = mkdtempSync(join(tmpdir(), "berth-cli-devvars-"))
    const env = { BERTH_URL: plane.url }
    const none = await berth(["workspace", "list"], { env, cwd })
    expect(none.code).toBe(1)
    expect(none.err).toContain(`BERTH_ADMIN_TOKEN is unset and ${join(cwd, ".dev.vars")} holds none`)

    writeFileSync(join(cwd, ".dev.vars"), `OTHER=1\nBERTH_ADMIN_TOKEN=${plane.token}\n`)
    const ok = await berth(["workspace", "list", "--json"], { env, cwd })
    expect(ok.code).toBe(0)
    expect(JSON.parse(ok.out)).toHaveProperty("workspaces")

    writeFileSync(join(cwd, ".dev.vars"), "BERTH_ADMIN_TOKEN=stale\n")
    const refused = await berth(["workspace", "list"], { env, cwd })
    expect(refused.code).toBe(1)
    expect(refused.err).toContain(`refused the admin token from ${join(cwd, ".dev.vars")}`)

    // A remote plane never gets the local dev token.
    const remote = await berth(["workspace", "list"], { env: { BERTH_URL: "https://berth.example.com" }, cwd })
    expect(remote.code).toBe(1)
    expect(remote.err).toContain("set BERTH_ADMIN_TOKEN")
  })
})

describe("help and follow", () => {
  it("prints --help for a subcommand", async () => {
    const help = await berth(["plugin", "install", "--help"])
    expect(help).toMatchObject({ code: 0, err: "" })
    expect(help.out).toContain("berth plugin install [flags] <name>")
    for (const flag of ["--url", "--transport", "--auth", "--expected-seq", "--idempotency-key", "--workspace, -w", "--json"])
      expect(help.out).toContain(flag)
  })

  it("follows the log until interrupted", async () => {
    await berth(["workspace", "create", "tail"])
    const controller = new AbortController()
    let lines: Array<{ seq: number; type: string }> = []
    const following = berth(["-w", "tail", "events", "--follow", "--json"], {
      signal: controller.signal,
      onOut: (all) => (lines = ndjson(all))
    })
    await until(() => lines.length === 1, "the first event")
    expect((await berth(["-w", "tail", "agent", "register", "late"])).code).toBe(0)
    await until(() => lines.length === 2, "the event appended while following")
    controller.abort()
    expect((await following).code).toBe(130)
    expect(lines.map((e) => [e.seq, e.type])).toEqual([
      [1, "WorkspaceCreated"],
      [2, "AgentRegistered"]
    ])
  })
})

describe("bin/berth.js", () => {
  it("runs as a real process with the plane's exit codes", async () => {
    const exec = promisify(execFile)
    const env = { ...process.env, BERTH_URL: plane.url, BERTH_ADMIN_TOKEN: plane.token, BERTH_WORKSPACE: "spawned" }
    const created = await exec(process.execPath, ["bin/berth.js", "workspace", "create", "spawned"], { env })
    expect(created.stdout).toContain("created workspace spawned")
    const { stdout } = await exec(process.execPath, ["bin/berth.js", "verify", "--json"], { env })
    expect(JSON.parse(stdout)).toMatchObject({ ok: true, count: 1, headSeq: 1 })

    const failed = await exec(process.execPath, ["bin/berth.js", "agent", "suspend", "ghost"], { env }).catch((e) => e)
    expect(failed.code).toBe(1)
    expect(failed.stderr).toMatch(/^berth: AgentNotFound: /)
  })
})
