// `berth install-config`: for each client, the entry merged into a config that already holds another
// server (and comments where the format has them) matches a golden file, a second run changes nothing,
// the backup is the original, and a file the client could not read is refused untouched. Files only:
// no plane. Goldens live in test/node/golden/install-config/; UPDATE_GOLDEN=1 rewrites them.
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { basename, dirname, join } from "node:path"
import { describe, expect, it } from "vitest"
import { BERTH_BIN } from "../../src/cli/install-config.ts"
import { run } from "../../src/cli/main.ts"
import { CLIENTS, type ClientId, defaultConfigPath, MCP_CLIENTS } from "../../src/cli/mcp-clients.ts"

const PLANE = "https://plane.example.com"
/** Set in every invocation's environment: none of them may reach a file or the output. */
const SECRETS = { BERTH_AGENT_KEY: "bak_SECRET_agent_key_7f3a9c", BERTH_ADMIN_TOKEN: "SECRET_admin_token_51d2e8" }
const GOLDEN = join(import.meta.dirname, "golden", "install-config")
const EXT: Record<ClientId, string> = { "claude-desktop": "json", "claude-code": "json", cursor: "json", vscode: "jsonc", codex: "toml", windsurf: "json" }

/** A config each client might already have: another server, other settings, and comments where the format allows them. */
const SEEDS: Record<ClientId, string> = {
  "claude-desktop": `{
  "mcpServers": {
    "filesystem": {
      "command": "npx",
      "args": ["-y", "@modelcontextprotocol/server-filesystem", "/home/me/notes"]
    }
  },
  "globalShortcut": "Ctrl+Space"
}
`,
  "claude-code": `{
  "numStartups": 12,
  "theme": "dark",
  "mcpServers": {
    "sentry": {
      "type": "http",
      "url": "https://mcp.sentry.dev/mcp"
    }
  },
  "projects": {
    "/home/me/app": {
      "mcpServers": {}
    }
  }
}
`,
  cursor: `{
    "mcpServers": {
        "playwright": {
            "command": "npx",
            "args": ["@playwright/mcp@latest"]
        }
    }
}
`,
  vscode: `// User MCP servers for Copilot's agent mode.
{
  "servers": {
    // The GitHub server, signed in with OAuth by VS Code.
    "github": {
      "type": "http",
      "url": "https://api.githubcopilot.com/mcp/"
    }, /* keep this one */
  },
  "inputs": [],
}
`,
  codex: `# Codex settings
model = "gpt-5-codex" # the default model

[mcp_servers.docs]
# Context7 answers library questions.
command = "npx"
args = ["-y", "@upstash/context7-mcp"]

[profiles.review]
model = "o3"
`,
  windsurf: `{
  "mcpServers": {
    "github": {
      "serverUrl": "https://api.githubcopilot.com/mcp/"
    }
  }
}
`
}

/** What a client refuses to read, so install-config must too. */
const BROKEN: Record<"json" | "jsonc" | "toml", { text: string; line: number; column: number }> = {
  json: { text: `{\n  "mcpServers": {\n    "a": { "command": "x" }\n    "b": { "command": "y" }\n  }\n}\n`, line: 4, column: 5 },
  jsonc: { text: `// mine\n{\n  "servers": {\n    "a": { "type": "stdio" "command": "x" }\n  }\n}\n`, line: 4, column: 28 },
  toml: { text: `# mine\n[mcp_servers.a]\nargs = ["a" "b"]\n`, line: 3, column: 13 }
}

const outputs: Array<string> = []

const berth = async (argv: ReadonlyArray<string>, home: string, env: Record<string, string> = {}) => {
  let out = ""
  let err = ""
  const code = await run(argv, {
    env: { HOME: home, BERTH_URL: PLANE, ...SECRETS, ...env },
    cwd: home,
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: (s: string) => (err += s) }
  })
  outputs.push(out, err)
  return { code, out, err }
}

const freshHome = () => mkdtempSync(join(tmpdir(), "berth-install-config-"))
const configPath = (client: ClientId, home: string) => defaultConfigPath(client, { platform: process.platform, env: { HOME: home } })

/** How a path reads inside a JSON or TOML string (backslashes escaped, as on Windows). */
const quoted = (path: string) => JSON.stringify(path).slice(1, -1)
const normalised = (text: string) => text.replaceAll(quoted(BERTH_BIN), "<berth>").replaceAll(quoted(process.execPath), "<node>")

const expectGolden = (text: string, file: string) => {
  const path = join(GOLDEN, file)
  if (process.env.UPDATE_GOLDEN) {
    mkdirSync(GOLDEN, { recursive: true })
    writeFileSync(path, normalised(text))
  }
  expect(normalised(text)).toBe(readFileSync(path, "utf8"))
}

const seed = (client: ClientId, home: string, text = SEEDS[client]) => {
  const path = configPath(client, home)
  mkdirSync(dirname(path), { recursive: true })
  writeFileSync(path, text)
  return path
}

/** Bytes and modification time, to show a file was not rewritten. */
const snapshot = (path: string) => ({ text: readFileSync(path, "utf8"), mtimeMs: statSync(path).mtimeMs })

const allFiles = (dir: string): Array<string> =>
  readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? allFiles(join(dir, d.name)) : [join(dir, d.name)]))

describe("install-config writes each client's own file", () => {
  it.each(CLIENTS)("%s: merges into an existing config, matches the golden, and a second run changes nothing", async (client) => {
    const home = freshHome()
    const path = seed(client, home)

    const first = await berth(["-w", "acme", "install-config", client, "--json"], home)
    expect(first).toMatchObject({ code: 0, err: "" })
    expect(JSON.parse(first.out)).toEqual({ client, path, name: "berth-acme", changed: true, backup: `${path}.berth-backup` })
    expectGolden(readFileSync(path, "utf8"), `${client}.${EXT[client]}`)
    expect(readFileSync(`${path}.berth-backup`, "utf8")).toBe(SEEDS[client])

    const written = snapshot(path)
    const backup = snapshot(`${path}.berth-backup`)
    const again = await berth(["-w", "acme", "install-config", client, "--json"], home)
    expect(again).toMatchObject({ code: 0, err: "" })
    expect(JSON.parse(again.out)).toEqual({ client, path, name: "berth-acme", changed: false, backup: null })
    expect(snapshot(path)).toEqual(written)
    expect(snapshot(`${path}.berth-backup`)).toEqual(backup)
    expect(readdirSync(dirname(path)).sort()).toEqual([basename(path), `${basename(path)}.berth-backup`])

    const human = await berth(["-w", "acme", "install-config", client], home)
    expect(human.out).toBe(`berth-acme is already in ${path} as asked: nothing written\n`)
  })

  it.each(CLIENTS.filter((c) => c !== "claude-desktop"))("%s: --http replaces the stdio entry with the endpoint's URL alone", async (client) => {
    const home = freshHome()
    const path = seed(client, home)
    await berth(["-w", "acme", "install-config", client], home)
    const stdio = readFileSync(path, "utf8")

    const http = await berth(["-w", "acme", "install-config", client, "--http"], home)
    expect(http).toMatchObject({ code: 0, err: "" })
    expect(http.out).toContain(`wrote berth-acme to ${path} (the previous file is ${path}.berth-backup)`)
    expect(http.out).toContain(`reaches ${PLANE}/w/acme/mcp`)
    expectGolden(readFileSync(path, "utf8"), `${client}.http.${EXT[client]}`)
    // The backup is the file just before this change.
    expect(readFileSync(`${path}.berth-backup`, "utf8")).toBe(stdio)
  })

  it("claude-desktop refuses --http, says how to add a remote server instead, and writes nothing", async () => {
    const home = freshHome()
    const path = seed("claude-desktop", home)
    const before = snapshot(path)
    const { code, out, err } = await berth(["-w", "acme", "install-config", "claude-desktop", "--http"], home)
    expect(code).toBe(2)
    expect(out).toBe("")
    expect(err).toBe(
      "berth: UsageError: claude-desktop: claude_desktop_config.json holds only local (stdio) servers, so --http cannot be written there: " +
        `add ${PLANE}/w/acme/mcp in Claude Desktop under Settings > Connectors > Add custom connector, or use --stdio\n`
    )
    expect(snapshot(path)).toEqual(before)
    expect(existsSync(`${path}.berth-backup`)).toBe(false)
  })

  it.each(CLIENTS)("%s: a file that does not parse is refused with its position, and left as it was", async (client) => {
    const home = freshHome()
    const broken = BROKEN[MCP_CLIENTS[client].format]
    const path = seed(client, home, broken.text)
    const before = snapshot(path)
    const { code, out, err } = await berth(["-w", "acme", "install-config", client, "--json"], home)
    expect(code).toBe(1)
    expect(out).toBe("")
    const { error } = JSON.parse(err) as { error: { _tag: string; message: string } }
    expect(error._tag).toBe("ConfigInvalid")
    expect(error.message).toMatch(new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} at line ${broken.line}, column ${broken.column}: .+; nothing was written$`))
    expect(snapshot(path)).toEqual(before)
    expect(readdirSync(dirname(path))).toHaveLength(1)
  })

  it("Claude's files are plain JSON: a comment is refused, since the client could not read it either; Cursor's keeps it", async () => {
    const home = freshHome()
    const commented = `{\n  // mine\n  "mcpServers": {},\n}\n`
    const path = seed("claude-desktop", home, commented)
    const { code, err } = await berth(["-w", "acme", "install-config", "claude-desktop"], home)
    expect(code).toBe(1)
    expect(err).toBe(`berth: ConfigInvalid: ${path} at line 2, column 3: invalid comment token (this client reads plain JSON, without comments); nothing was written\n`)
    expect(readFileSync(path, "utf8")).toBe(commented)

    const cursor = seed("cursor", home, commented)
    expect((await berth(["-w", "acme", "install-config", "cursor", "--http"], home)).code).toBe(0)
    expect(readFileSync(cursor, "utf8")).toBe(`{\n  // mine\n  "mcpServers": {\n    "berth-acme": {\n      "url": "${PLANE}/w/acme/mcp"\n    }\n  },\n}\n`)
  })

  it.each(CLIENTS)("%s: with no file, creates it and its directory, holding the printed block", async (client) => {
    const home = freshHome()
    const path = configPath(client, home)
    const printed = await berth(["-w", "acme", "install-config", client, "--print"], home)
    expect(printed).toMatchObject({ code: 0, err: "" })
    expect(allFiles(home)).toEqual([])

    const { code, out } = await berth(["-w", "acme", "install-config", client], home)
    expect(code).toBe(0)
    expect(out.split("\n")[0]).toBe(`created ${path} with berth-acme`)
    expect(readFileSync(path, "utf8")).toBe(printed.out)
    expect(allFiles(home)).toEqual([path])
  })

  it("--print shows the entry in the client's format and names the node and checkout that run berth connect", async () => {
    const home = freshHome()
    const claudeCode = JSON.parse((await berth(["-w", "acme", "install-config", "claude-code", "--print"], home)).out)
    expect(claudeCode).toEqual({
      mcpServers: {
        "berth-acme": { type: "stdio", command: process.execPath, args: [BERTH_BIN, "connect", "-w", "acme"], env: { BERTH_URL: PLANE } }
      }
    })
    const windsurf = JSON.parse((await berth(["-w", "acme", "install-config", "windsurf", "--http", "--print"], home)).out)
    expect(windsurf).toEqual({ mcpServers: { "berth-acme": { serverUrl: `${PLANE}/w/acme/mcp` } } })
    const codex = await berth(["-w", "acme", "install-config", "codex", "--http", "--print", "--name", "work"], home)
    expect(codex.out).toBe(`[mcp_servers.work]\nurl = "${PLANE}/w/acme/mcp"\n`)
    expect(allFiles(home)).toEqual([])
  })

  it("--config names the file (relative to the working directory) and --name the entry; BERTH_WORKSPACE stands in for -w", async () => {
    const home = freshHome()
    const { code, out } = await berth(["install-config", "vscode", "--config", "proj/.vscode/mcp.json", "--name", "acme_tools", "--json"], home, {
      BERTH_WORKSPACE: "acme"
    })
    expect(code).toBe(0)
    const path = join(home, "proj", ".vscode", "mcp.json")
    expect(JSON.parse(out)).toEqual({ client: "vscode", path, name: "acme_tools", changed: true, backup: null })
    expect(Object.keys(JSON.parse(readFileSync(path, "utf8")).servers)).toEqual(["acme_tools"])
  })

  it("writes through a symlinked config to its target, keeps the target's mode (the backup's too), and keeps CRLF line endings", async () => {
    const home = freshHome()
    const real = join(home, "dotfiles", "config.toml")
    mkdirSync(dirname(real), { recursive: true })
    writeFileSync(real, `# mine\r\n[mcp_servers.docs]\r\ncommand = "npx"\r\n`, { mode: 0o640 })
    const path = configPath("codex", home)
    mkdirSync(dirname(path), { recursive: true })
    symlinkSync(real, path)
    expect((await berth(["-w", "acme", "install-config", "codex"], home)).code).toBe(0)
    expect(lstatSync(path).isSymbolicLink()).toBe(true)
    const text = readFileSync(real, "utf8")
    expect(text.replace(/\r\n/g, "")).not.toContain("\n")
    expect(text.startsWith(`# mine\r\n[mcp_servers.docs]\r\ncommand = "npx"\r\n\r\n[mcp_servers.berth-acme]\r\n`)).toBe(true)
    expect(statSync(real).mode & 0o777).toBe(0o640)
    expect(statSync(`${path}.berth-backup`).mode & 0o777).toBe(0o640)
  })

  it("refuses what it cannot do, naming the field: an unknown client lists the six, --stdio with --http, a bad name, no workspace", async () => {
    const home = freshHome()
    const unknown = await berth(["-w", "acme", "install-config", "zed"], home)
    expect(unknown.code).toBe(2)
    expect(unknown.err).toContain(`Invalid value for argument <client>: "zed". Expected: ${CLIENTS.map((c) => `"${c}"`).join(" | ")}`)

    const both = await berth(["-w", "acme", "install-config", "cursor", "--stdio", "--http"], home)
    expect(both).toMatchObject({ code: 2, err: "berth: UsageError: --stdio and --http exclude each other: pick one\n" })
    const name = await berth(["-w", "acme", "install-config", "cursor", "--name", "berth acme"], home)
    expect(name).toMatchObject({ code: 2, err: "berth: UsageError: --name 'berth acme' must be 1-64 letters, digits, '_' or '-'\n" })
    const slug = await berth(["-w", "Acme!", "install-config", "cursor"], home)
    expect(slug.code).toBe(2)
    expect(slug.err).toContain("is not a workspace slug")
    const none = await berth(["install-config", "cursor"], home)
    expect(none).toMatchObject({ code: 2, err: "berth: UsageError: no workspace: pass -w/--workspace <slug> or set BERTH_WORKSPACE\n" })
    const userinfo = await berth(["-w", "acme", "install-config", "cursor"], home, { BERTH_URL: "https://me:pw@plane.example.com" })
    expect(userinfo.code).toBe(2)
    expect(userinfo.err).toContain("without user info")
    expect(allFiles(home)).toEqual([])
  })
})

describe("never a secret", () => {
  it("no output and no written file holds the agent key, an admin token or an auth header", async () => {
    const home = freshHome()
    for (const client of CLIENTS) {
      await berth(["-w", "acme", "install-config", client], home)
      if (client !== "claude-desktop") await berth(["-w", "acme", "install-config", client, "--http", "--name", "berth-acme-http"], home)
    }
    const files = allFiles(home).map((f) => readFileSync(f, "utf8"))
    // Each config and the backup its --http change left; claude-desktop takes no --http, so it has no backup.
    expect(files).toHaveLength(CLIENTS.length * 2 - 1)
    for (const text of [...files, ...outputs]) {
      for (const secret of Object.values(SECRETS)) expect(text).not.toContain(secret)
      expect(text).not.toMatch(/authorization|bearer|headers|BERTH_AGENT_KEY|BERTH_ADMIN_TOKEN|access_token|refresh_token/i)
    }
  })
})

describe("default locations", () => {
  const at = (platform: NodeJS.Platform, env: Record<string, string>) => Object.fromEntries(CLIENTS.map((c) => [c, defaultConfigPath(c, { platform, env })]))

  it("linux: XDG_CONFIG_HOME for the desktop apps, the home directory for the rest", () => {
    expect(at("linux", { HOME: "/home/me" })).toEqual({
      "claude-desktop": "/home/me/.config/Claude/claude_desktop_config.json",
      "claude-code": "/home/me/.claude.json",
      cursor: "/home/me/.cursor/mcp.json",
      vscode: "/home/me/.config/Code/User/mcp.json",
      codex: "/home/me/.codex/config.toml",
      windsurf: "/home/me/.codeium/windsurf/mcp_config.json"
    })
    expect(at("linux", { HOME: "/home/me", XDG_CONFIG_HOME: "/xdg", CODEX_HOME: "/codex", CLAUDE_CONFIG_DIR: "/claude" })).toMatchObject({
      "claude-desktop": "/xdg/Claude/claude_desktop_config.json",
      "claude-code": "/claude/.claude.json",
      vscode: "/xdg/Code/User/mcp.json",
      codex: "/codex/config.toml"
    })
    // XDG: a relative XDG_CONFIG_HOME is ignored.
    expect(at("linux", { HOME: "/home/me", XDG_CONFIG_HOME: "rel" })["vscode"]).toBe("/home/me/.config/Code/User/mcp.json")
  })

  it("macOS: Application Support for the desktop apps", () => {
    expect(at("darwin", { HOME: "/Users/me", XDG_CONFIG_HOME: "/xdg" })).toEqual({
      "claude-desktop": "/Users/me/Library/Application Support/Claude/claude_desktop_config.json",
      "claude-code": "/Users/me/.claude.json",
      cursor: "/Users/me/.cursor/mcp.json",
      vscode: "/Users/me/Library/Application Support/Code/User/mcp.json",
      codex: "/Users/me/.codex/config.toml",
      windsurf: "/Users/me/.codeium/windsurf/mcp_config.json"
    })
  })

  it("Windows: APPDATA for the desktop apps, USERPROFILE for the rest", () => {
    expect(at("win32", { USERPROFILE: "C:\\Users\\me", APPDATA: "C:\\Users\\me\\AppData\\Roaming" })).toEqual({
      "claude-desktop": "C:\\Users\\me\\AppData\\Roaming\\Claude\\claude_desktop_config.json",
      "claude-code": "C:\\Users\\me\\.claude.json",
      cursor: "C:\\Users\\me\\.cursor\\mcp.json",
      vscode: "C:\\Users\\me\\AppData\\Roaming\\Code\\User\\mcp.json",
      codex: "C:\\Users\\me\\.codex\\config.toml",
      windsurf: "C:\\Users\\me\\.codeium\\windsurf\\mcp_config.json"
    })
  })
})
