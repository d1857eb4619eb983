// `berth credential` against a real plane and the real test upstream (told to answer 401 without a
// static token): the value goes in on stdin or at a prompt that does not echo, never argv; the
// plugin is reached with it; the listings show its fingerprint and state; revoke then verify. No
// form of the secret appears in anything the CLI printed, on either stream.
import { randomUUID } from "node:crypto"
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client"
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest"
import { run } from "../../src/cli/main.ts"
import type { SecretSource } from "../../src/cli/io.ts"
import { adminRpc, startPlane } from "./plane.ts"

const TOKEN = "ghp_cliSecret+/=Token-42a7"

let plane: Awaited<ReturnType<typeof startPlane>>
beforeAll(async () => {
  plane = await startPlane()
})
afterAll(() => plane?.stop())

const printed: Array<string> = []

const piped = (text: string): SecretSource => ({ isTTY: false, read: async () => text, prompt: async () => expect.fail("piped stdin is not prompted") })

const berth = async (argv: ReadonlyArray<string>, stdin: SecretSource = piped("")) => {
  let out = ""
  let err = ""
  const code = await run(argv, {
    env: { BERTH_URL: plane.url, BERTH_ADMIN_TOKEN: plane.token },
    cwd: mkdtempSync(join(tmpdir(), "berth-cli-cwd-")),
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: (s: string) => (err += s) },
    stdin
  })
  printed.push(out, err)
  return { code, out, err }
}

const forms = (secret: string) => [secret, Buffer.from(secret).toString("base64"), Buffer.from(secret).toString("base64url"), encodeURIComponent(secret)]

describe("berth credential", () => {
  it("set from stdin, grant, reach a bearer-protected plugin, list, revoke, verify; the value is never printed", async () => {
    const ws = `cred-${Date.now().toString(36)}`
    const base = new URL(`/ns/${randomUUID()}/`, inject("upstreamUrl"))
    await fetch(new URL("require", base), { method: "POST", body: JSON.stringify({ header: "authorization", value: `Bearer ${TOKEN}` }) })
    await adminRpc(plane, { _tag: "CreateWorkspace", workspace: ws })
    const { key } = await adminRpc(plane, { _tag: "RegisterAgent", workspace: ws, agent: "bot" })

    // argv never carries a value: there is no flag for one, and an extra argument is a usage error.
    expect((await berth(["-w", ws, "credential", "set", "gh", "--plugin", "up", "--bearer-stdin", "ghp_typedOnArgv"])).code).toBe(2)
    expect((await berth(["-w", ws, "credential", "set", "gh", "--plugin", "up", "--value", "ghp_typedOnArgv"])).code).toBe(2)
    expect((await berth(["-w", ws, "credential", "set", "gh", "--plugin", "up"])).code).toBe(2)

    const set = await berth(["-w", ws, "credential", "set", "gh-token", "--plugin", "up", "--bearer-stdin"], piped(`${TOKEN}\n`))
    expect(set).toMatchObject({ code: 0, err: "" })
    expect(set.out).toMatch(/^stored credential gh-token for plugin up \(fingerprint [0-9a-f]{32}\) \(seq \d+: CredentialConnected\)\n$/)
    const fingerprint = /fingerprint ([0-9a-f]{32})/.exec(set.out)![1]!

    const grant = await berth(["-w", ws, "credential", "grant", "gh-token", "--plugin", "up"])
    expect(grant.code).toBe(0)
    const grantId = /grant (g_[0-9a-f]{12})/.exec(grant.out)![1]!
    expect((await berth(["-w", ws, "plugin", "install", "up", "--url", new URL("mcp", base).href, "--auth", "bearer"])).code).toBe(0)

    const client = new Client({ name: "cli-test-agent", version: "1.0.0" })
    await client.connect(new StreamableHTTPClientTransport(new URL(`${plane.url}/w/${ws}/mcp`), { requestInit: { headers: { authorization: `Bearer ${key}` } } }))
    const result = await client.callTool({ name: "up__echo", arguments: { text: "via the vault" } })
    await client.close()
    expect(result.content).toEqual([{ type: "text", text: "echo: via the vault" }])

    const listed = await berth(["-w", ws, "credential", "list"])
    expect(listed.out.split("\n")[0]).toMatch(/^CREDENTIAL\s+PLUGIN\s+KIND\s+OWNER\s+FINGERPRINT\s+SCOPES\s+EXPIRES\s+STATE$/)
    expect(listed.out).toContain(`gh-token    up      bearer  team   ${fingerprint}`)
    const json = JSON.parse((await berth(["-w", ws, "credential", "list", "--json"])).out)
    expect(json.credentials).toEqual([expect.objectContaining({ credential: "gh-token", fingerprint, status: "active" })])
    expect((await berth(["-w", ws, "credential", "grants"])).out).toContain(`${grantId}  gh-token    up      all    all`)

    expect((await berth(["-w", ws, "credential", "revoke", "gh-token"])).code).toBe(0)
    expect(JSON.parse((await berth(["-w", ws, "credential", "list", "--json"])).out).credentials[0].status).toBe("revoked")
    expect((await berth(["-w", ws, "credential", "grants"])).out).toContain("no grants")
    const verified = await berth(["-w", ws, "verify"])
    expect(verified.code).toBe(0)
    const again = await berth(["-w", ws, "credential", "revoke", "gh-token"])
    expect(again.code).toBe(1)
    expect(again.err).toContain("CredentialAlreadyRevoked")

    const log = JSON.stringify(await adminRpc(plane, { _tag: "ListEvents", workspace: ws, limit: 1000 }))
    for (const form of forms(TOKEN)) {
      expect(printed.join("\n")).not.toContain(form)
      expect(log).not.toContain(form)
    }
  })

  it("on a terminal, prompts without echo; a header credential takes its value the same way", async () => {
    const ws = `cred-${Date.now().toString(36)}-tty`
    await adminRpc(plane, { _tag: "CreateWorkspace", workspace: ws })
    const questions: Array<string> = []
    const terminal: SecretSource = { isTTY: true, read: async () => expect.fail("a terminal is prompted, not read"), prompt: async (q) => (questions.push(q), TOKEN) }
    const set = await berth(["-w", ws, "credential", "set", "up-key", "--plugin", "up", "--header", "X-API-Key", "--value-stdin"], terminal)
    expect(set.code).toBe(0)
    expect(questions).toEqual(["the value of X-API-Key for up-key (not echoed): "])
    const [credential] = JSON.parse((await berth(["-w", ws, "credential", "list", "--json"])).out).credentials
    expect(credential).toMatchObject({ credential: "up-key", kind: "header", header: "X-API-Key", owner: "team" })
    const empty = await berth(["-w", ws, "credential", "set", "k", "--plugin", "up", "--bearer-stdin"], piped("\n"))
    expect(empty.code).toBe(2)
    expect(empty.err).toContain("is empty")
    for (const form of forms(TOKEN)) expect(printed.join("\n")).not.toContain(form)
  })
})
