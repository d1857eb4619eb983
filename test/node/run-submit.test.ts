// `berth run submit` against a real plane (wrangler's runtime, as `npm start` serves it, with its
// local Worker Loader): a TypeScript script runs as an agent, calls a tool of the test upstream and
// workspace memory, and prints its result; --json parses; without --wait it prints the run id, and
// `berth run show` draws the code run with its primitive spans; a syntax error is reported at its line
// and column and exits 1; an unreadable file or an unknown agent is refused before anything runs.
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import ts from "typescript"
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest"
import { run } from "../../src/cli/main.ts"
import { adminRpc, startPlane } from "./plane.ts"

let plane: Awaited<ReturnType<typeof startPlane>>
beforeAll(async () => {
  plane = await startPlane()
})
afterAll(() => plane?.stop())

const berth = async (argv: ReadonlyArray<string>) => {
  let out = ""
  let err = ""
  const code = await run(argv, {
    env: { BERTH_URL: plane.url, BERTH_ADMIN_TOKEN: plane.token },
    cwd: mkdtempSync(join(tmpdir(), "berth-cli-cwd-")),
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: (s: string) => (err += s) }
  })
  return { code, out, err }
}

const script = (name: string, source: string) => {
  const file = join(mkdtempSync(join(tmpdir(), "berth-script-")), name)
  writeFileSync(file, source)
  return file
}

const SCRIPT = `
interface Input { text: string }
export default async function (input: Input, orbit: any) {
  const echoed = await orbit.tools.up.echo({ text: input.text })
  await orbit.memory.put("team", "from-code", input.text)
  console.log("echoed", input.text)
  return { echoed: echoed.content[0].text, stored: (await orbit.memory.get("team", "from-code")).version }
}
`

/** A workspace with agent `bot`, the test upstream as plugin `up`, and a policy letting bot run code. */
const codeWorkspace = async (prefix: string) => {
  const ws = `${prefix}-${Date.now().toString(36)}`
  await adminRpc(plane, { _tag: "CreateWorkspace", workspace: ws })
  await adminRpc(plane, { _tag: "RegisterAgent", workspace: ws, agent: "bot" })
  await adminRpc(plane, {
    _tag: "InstallPlugin",
    workspace: ws,
    plugin: "up",
    url: new URL(`/ns/${crypto.randomUUID()}/mcp`, inject("upstreamUrl")).href,
    transport: "streamable-http",
    auth: "none"
  })
  await adminRpc(plane, { _tag: "SetPolicy", workspace: ws, policy: "code", text: 'permit(principal, action == Action::"run_code", resource);' })
  return ws
}

describe("berth run submit", () => {
  it("runs a TypeScript script as an agent and prints its result; run show draws its spans", async () => {
    const ws = await codeWorkspace("code")
    const file = script("triage.ts", SCRIPT)

    const waited = await berth(["-w", ws, "run", "submit", file, "--as", "bot", "--input", '{"text":"hello"}', "--wait"])
    expect(waited).toMatchObject({ code: 0, err: "" })
    expect(waited.out).toContain("echoed hello\n")
    expect(waited.out).toContain('"echoed": "echo: hello"')
    const runId = /run (\S+) \(ok, \d+ ms\)\n$/.exec(waited.out)?.[1]
    expect(runId).toBeDefined()

    const json = await berth(["-w", ws, "--json", "run", "submit", file, "--as", "bot", "--input", '{"text":"again"}', "--wait"])
    expect(JSON.parse(json.out)).toMatchObject({ status: "ok", result: { echoed: "echo: again", stored: 2 }, logs: [{ level: "log", text: "echoed again" }] })

    // Without --wait: the id as soon as it has started; the run is then on the log.
    const started = await berth(["-w", ws, "run", "submit", file, "--as", "bot", "--input", '{"text":"later"}'])
    expect(started.code).toBe(0)
    const later = /started run (\S+);/.exec(started.out)?.[1]
    expect(later).toBeDefined()

    const shown = await berth(["-w", ws, "run", "show", runId!])
    expect(shown.code).toBe(0)
    expect(shown.out).toContain("tool    run_code")
    expect(shown.out).toMatch(/code {4}\d+ bytes {2}sha256 [0-9a-f]{64} {2}\(R2 code\/[0-9a-f]{64}\)/)
    expect(shown.out).toMatch(/limits {2}wall 30000 ms/)
    for (const span of ["berth.code.run", "berth.code.compile", "berth.code.execute", "orbit.tools.call", "orbit.memory.put", "orbit.memory.get"])
      expect(shown.out).toContain(span)
    expect(shown.out).toContain("berth.tool=up__echo")
  })

  it("workspace code-limits shows the defaults, sets limits the next run uses, and refuses one out of range naming it", async () => {
    const ws = await codeWorkspace("limits")
    expect((await berth(["-w", ws, "workspace", "code-limits"])).out).toContain("the default limits: wallMs 30000")
    const set = await berth(["-w", ws, "workspace", "code-limits", "--wall-ms", "5000", "--primitive-calls", "50"])
    expect(set).toMatchObject({ code: 0, err: "" })
    expect(set.out).toContain("CodeLimitsSet")
    expect(JSON.parse((await berth(["-w", ws, "--json", "workspace", "code-limits"])).out)).toEqual({ codeLimits: { wallMs: 5000, cpuMs: 10_000, resultBytes: 262_144, primitiveCalls: 50 } })
    const ran = JSON.parse((await berth(["-w", ws, "--json", "run", "submit", script("one.js", "export default async () => 1"), "--as", "bot", "--wait"])).out)
    const shown = await berth(["-w", ws, "run", "show", ran.run])
    expect(shown.out).toContain("limits  wall 5000 ms, cpu 10000 ms, result 262144 bytes, 50 primitive calls")
    const refused = await berth(["-w", ws, "workspace", "code-limits", "--wall-ms", "999999"])
    expect(refused.code).not.toBe(0)
    expect(refused.err).toContain("wallMs")
  })

  it("reports a syntax error at its line and column and exits 1; an unreadable file or unknown agent is refused", async () => {
    const ws = `code-err-${Date.now().toString(36)}`
    await adminRpc(plane, { _tag: "CreateWorkspace", workspace: ws })
    await adminRpc(plane, { _tag: "RegisterAgent", workspace: ws, agent: "bot" })
    await adminRpc(plane, { _tag: "SetPolicy", workspace: ws, policy: "code", text: 'permit(principal, action == Action::"run_code", resource);' })

    const broken = script("broken.ts", "export default async function () {\n  const x = 1\n  return { a: 1,, }\n}\n")
    const failed = await berth(["-w", ws, "run", "submit", broken, "--as", "bot", "--wait"])
    expect(failed.code).toBe(1)
    expect(failed.out).toMatch(/^error: ScriptSyntaxError: broken\.ts:3:\d+: .*; nothing ran$/m)
    expect(failed.err).toMatch(/ended error/)

    const missing = await berth(["-w", ws, "run", "submit", "/nonexistent/script.ts", "--as", "bot", "--wait"])
    expect(missing.code).toBe(1)
    expect(missing.err).toContain("/nonexistent/script.ts")

    const stranger = await berth(["-w", ws, "run", "submit", broken, "--as", "nobody", "--wait"])
    expect(stranger.code).toBe(1)
    expect(stranger.err).toContain("AgentNotFound")
  })

  it("run types prints a .d.ts of orbit whose tool calls typecheck against their pinned schemas", async () => {
    const ws = await codeWorkspace("code-types")
    const typed = await berth(["-w", ws, "run", "types", "--as", "bot"])
    expect(typed).toMatchObject({ code: 0, err: "" })
    expect(typed.out).toContain(`orbit for agent "bot" in workspace "${ws}"`)
    expect(typed.out).toContain("export interface UpEchoArgs")
    expect(typed.out).toContain('call(name: "up__echo", args: UpEchoArgs): Promise<CallToolResult>')

    const dir = mkdtempSync(join(tmpdir(), "berth-types-"))
    writeFileSync(join(dir, "orbit.d.ts"), typed.out)
    const check = (body: string) => {
      const file = join(dir, `script-${Math.random().toString(36).slice(2)}.ts`)
      writeFileSync(file, `import type { Script } from "./orbit"\nexport default (async (input: { text: string }, orbit) => {\n${body}\n}) satisfies Script<{ text: string }>\n`)
      const program = ts.createProgram([file], { strict: true, noEmit: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler, lib: ["lib.es2022.d.ts"], types: [] })
      return ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"))
    }
    expect(check(`const r = await orbit.tools.up.echo({ text: input.text })\nawait orbit.tools.call("up__echo", { text: "x" })\nawait orbit.memory.put("team", "k", r.content)\nreturn (await orbit.db.query("SELECT ?", 1)).rows`)).toEqual([])
    const wrong = check(`await orbit.tools.up.echo({ txt: 1 })`)
    expect(wrong.join("\n")).toMatch(/txt/)
    expect(check(`await orbit.tools.up.nonesuch({})`).join("\n")).toMatch(/nonesuch/)

    const json = JSON.parse((await berth(["-w", ws, "--json", "run", "types", "--as", "bot"])).out)
    expect(json.tools.map((t: { name: string }) => t.name)).toContain("up__echo")
    expect((await berth(["-w", ws, "run", "types", "--as", "nobody"])).err).toContain("AgentNotFound")
  })
})
