// Which bearer token the CLI sends (BERTH_ADMIN_TOKEN > the stored `berth login` for that URL >
// .dev.vars for a local URL), and the credentials file's place and modes. The plane's answer is a
// recording fetch here, because only the header sent is under test; test/node/login.test.ts runs the
// whole flow against a real plane.
import { chmodSync, mkdirSync, mkdtempSync, statSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { credentialsPath } from "../../src/cli/credentials.ts"
import { run } from "../../src/cli/main.ts"

const LOCAL = "http://127.0.0.1:8799"
const REMOTE = "https://berth.example.com"
const later = () => new Date(Date.now() + 3600_000).toISOString()

const setup = (logins: Record<string, unknown>) => {
  const config = mkdtempSync(join(tmpdir(), "berth-creds-"))
  const cwd = mkdtempSync(join(tmpdir(), "berth-creds-cwd-"))
  writeFileSync(join(cwd, ".dev.vars"), "BERTH_ADMIN_TOKEN=dev-vars-token\n")
  mkdirSync(join(config, "berth"), { mode: 0o700 })
  writeFileSync(join(config, "berth", "credentials.json"), JSON.stringify(logins), { mode: 0o600 })
  return { config, cwd }
}

const sentToken = async (env: Record<string, string>, cwd: string) => {
  const sent: Array<string | null> = []
  let err = ""
  const code = await run(["whoami"], {
    env,
    cwd,
    stdout: { write: () => undefined },
    stderr: { write: (s: string) => (err += s) },
    fetch: async (_url, init) => {
      sent.push(new Headers(init?.headers).get("authorization"))
      return Response.json({ ok: true, result: { actor: { type: "member", id: "x" }, plane: false } })
    }
  })
  return { code, sent, err }
}

const login = (accessToken: string) => ({ clientId: "c", accessToken, refreshToken: "r", expiresAt: later(), member: "ana@acme.dev" })

describe("which token is sent", () => {
  it("BERTH_ADMIN_TOKEN first, then the stored login for exactly this URL, then .dev.vars for a local URL", async () => {
    const { config, cwd } = setup({ [LOCAL]: login("member-local"), [REMOTE]: login("member-remote") })
    const base = { XDG_CONFIG_HOME: config }
    expect((await sentToken({ ...base, BERTH_URL: LOCAL, BERTH_ADMIN_TOKEN: "admin" }, cwd)).sent).toEqual(["Bearer admin"])
    expect((await sentToken({ ...base, BERTH_URL: LOCAL }, cwd)).sent).toEqual(["Bearer member-local"])
    expect((await sentToken({ ...base, BERTH_URL: `${REMOTE}/` }, cwd)).sent).toEqual(["Bearer member-remote"])
    expect((await sentToken({ ...base, BERTH_URL: "http://localhost:8799" }, cwd)).sent).toEqual(["Bearer dev-vars-token"])
    const none = await sentToken({ ...base, BERTH_URL: "https://other.example.com" }, cwd)
    expect(none).toMatchObject({ code: 1, sent: [] })
    expect(none.err).toContain("set BERTH_ADMIN_TOKEN, or sign in with berth login")
  })

  it("an expired login without a refresh token asks for berth login, and sends nothing", async () => {
    const { config, cwd } = setup({ [REMOTE]: { clientId: "c", accessToken: "old", expiresAt: new Date(0).toISOString() } })
    const expired = await sentToken({ XDG_CONFIG_HOME: config, BERTH_URL: REMOTE }, cwd)
    expect(expired).toMatchObject({ code: 1, sent: [] })
    expect(expired.err).toContain(`has expired; run berth login again`)
    expect(expired.err).not.toContain("old")
  })

  it("a damaged credentials file is named, not used", async () => {
    const { config, cwd } = setup({})
    const path = join(config, "berth", "credentials.json")
    writeFileSync(path, "{not json")
    const damaged = await sentToken({ XDG_CONFIG_HOME: config, BERTH_URL: REMOTE }, cwd)
    expect(damaged).toMatchObject({ code: 1, sent: [] })
    expect(damaged.err).toBe(`berth: FileError: ${path}: not a berth credentials file (delete it and run berth login again)\n`)
  })
})

describe("the credentials file", () => {
  it("lives under XDG_CONFIG_HOME, or ~/.config when that is unset or relative", () => {
    expect(credentialsPath({ XDG_CONFIG_HOME: "/x/config", HOME: "/home/ana" })).toBe("/x/config/berth/credentials.json")
    expect(credentialsPath({ XDG_CONFIG_HOME: "config", HOME: "/home/ana" })).toBe("/home/ana/.config/berth/credentials.json")
    expect(credentialsPath({ HOME: "/home/ana" })).toBe("/home/ana/.config/berth/credentials.json")
  })

  it("a refresh rewrites it 0600 in a 0700 directory, even where they were wider", async () => {
    const { config, cwd } = setup({ [REMOTE]: { ...login("old"), expiresAt: new Date(0).toISOString() } })
    const dir = join(config, "berth")
    chmodSync(dir, 0o755)
    chmodSync(join(dir, "credentials.json"), 0o644)
    // The plane's metadata and token endpoint, as far as a refresh needs them.
    const fetch: typeof globalThis.fetch = async (input) => {
      const url = String(input instanceof Request ? input.url : input)
      if (url.endsWith("/.well-known/oauth-authorization-server"))
        return Response.json({ issuer: REMOTE, token_endpoint: `${REMOTE}/oauth/token`, authorization_endpoint: `${REMOTE}/authorize` })
      if (url === `${REMOTE}/oauth/token`)
        return Response.json({ access_token: "new", token_type: "bearer", expires_in: 3600, refresh_token: "r2" })
      return Response.json({ ok: true, result: { actor: { type: "member", id: "ana@acme.dev" }, plane: false } })
    }
    const code = await run(["whoami"], {
      env: { XDG_CONFIG_HOME: config, BERTH_URL: REMOTE },
      cwd,
      stdout: { write: () => undefined },
      stderr: { write: () => undefined },
      fetch
    })
    expect(code).toBe(0)
    expect(statSync(dir).mode & 0o777).toBe(0o700)
    expect(statSync(join(dir, "credentials.json")).mode & 0o777).toBe(0o600)
  })
})
