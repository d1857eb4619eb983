// The MCP clients `berth install-config` writes to: where each keeps its user-wide config file on
// each platform, the file's format, and the shape of one server entry in it (docs/clients.md).
import { homedir } from "node:os"
import { isAbsolute, posix, win32 } from "node:path"
import type { Io } from "./io.ts"

export const CLIENTS = ["claude-desktop", "claude-code", "cursor", "vscode", "codex", "windsurf"] as const
export type ClientId = (typeof CLIENTS)[number]

/** What the entry makes the client do: start `berth connect`, or reach the plane's endpoint itself. */
export type Server =
  | { readonly transport: "stdio"; readonly command: string; readonly args: ReadonlyArray<string>; readonly env: Readonly<Record<string, string>> }
  | { readonly transport: "http"; readonly url: string }

export type ConfigFormat = "json" | "jsonc" | "toml"

export interface McpClient {
  readonly title: string
  /**
   * json: plain JSON, for clients known to read the file with a strict JSON parser (a comment there is
   * refused, as the client would refuse it); jsonc: comments and trailing commas are kept. Cursor and
   * Windsurf are read as JSONC: keeping a comment their reader might refuse is no worse than refusing it.
   */
  readonly format: ConfigFormat
  /** The top-level key whose object holds the servers by name. */
  readonly serversKey: string
  readonly stdio: (server: Extract<Server, { transport: "stdio" }>) => Record<string, unknown>
  /** The remote entry, and how to sign in when the client does not simply ask on first use; or, when the file cannot express a remote server, what to do instead. */
  readonly http:
    | { readonly entry: (url: string) => Record<string, unknown>; readonly signIn?: (name: string) => string }
    | { readonly refusal: (url: string) => string }
}

const commandEntry = ({ command, args, env }: Extract<Server, { transport: "stdio" }>) => ({ command, args: [...args], env: { ...env } })

export const MCP_CLIENTS: Readonly<Record<ClientId, McpClient>> = {
  "claude-desktop": {
    title: "Claude Desktop",
    format: "json",
    serversKey: "mcpServers",
    stdio: commandEntry,
    http: {
      refusal: (url) =>
        "claude_desktop_config.json holds only local (stdio) servers, so --http cannot be written there: " +
        `add ${url} in Claude Desktop under Settings > Connectors > Add custom connector, or use --stdio`
    }
  },
  "claude-code": {
    title: "Claude Code",
    format: "json",
    serversKey: "mcpServers",
    stdio: (server) => ({ type: "stdio", ...commandEntry(server) }),
    http: { entry: (url) => ({ type: "http", url }), signIn: () => "sign in from Claude Code's /mcp menu" }
  },
  cursor: {
    title: "Cursor",
    format: "jsonc",
    serversKey: "mcpServers",
    stdio: commandEntry,
    http: { entry: (url) => ({ url }) }
  },
  vscode: {
    title: "VS Code",
    format: "jsonc",
    serversKey: "servers",
    stdio: (server) => ({ type: "stdio", ...commandEntry(server) }),
    http: { entry: (url) => ({ type: "http", url }) }
  },
  codex: {
    title: "Codex",
    format: "toml",
    serversKey: "mcp_servers",
    stdio: commandEntry,
    http: { entry: (url) => ({ url }), signIn: (name) => `sign in with: codex mcp login ${name}` }
  },
  windsurf: {
    title: "Windsurf",
    format: "jsonc",
    serversKey: "mcpServers",
    stdio: commandEntry,
    http: { entry: (url) => ({ serverUrl: url }) }
  }
}

/** Where the files live: the platform, and the invocation's environment (never process.env, so tests can move HOME). */
export interface Place {
  readonly platform: NodeJS.Platform
  readonly env: Io["env"]
}

const absolute = (value: string | undefined, platform: NodeJS.Platform) =>
  value && (platform === "win32" ? win32.isAbsolute(value) : isAbsolute(value)) ? value : undefined

/** The client's user-wide config file when --config does not name one. */
export const defaultConfigPath = (client: ClientId, { platform, env }: Place): string => {
  const { join } = platform === "win32" ? win32 : posix
  const home = (platform === "win32" ? env.USERPROFILE || env.HOME : env.HOME) || homedir()
  // Where desktop apps keep per-user settings: %APPDATA%, ~/Library/Application Support, $XDG_CONFIG_HOME.
  const appData =
    platform === "win32"
      ? (absolute(env.APPDATA, platform) ?? join(home, "AppData", "Roaming"))
      : platform === "darwin"
        ? join(home, "Library", "Application Support")
        : (absolute(env.XDG_CONFIG_HOME, platform) ?? join(home, ".config"))
  switch (client) {
    case "claude-desktop":
      return join(appData, "Claude", "claude_desktop_config.json")
    case "claude-code":
      // User scope: the top-level mcpServers of .claude.json, in CLAUDE_CONFIG_DIR when that is set.
      return join(absolute(env.CLAUDE_CONFIG_DIR, platform) ?? home, ".claude.json")
    case "cursor":
      return join(home, ".cursor", "mcp.json")
    case "vscode":
      // The default profile's user mcp.json; another profile's lives under User/profiles/<id>/ (use --config).
      return join(appData, "Code", "User", "mcp.json")
    case "codex":
      return join(absolute(env.CODEX_HOME, platform) ?? join(home, ".codex"), "config.toml")
    case "windsurf":
      return join(home, ".codeium", "windsurf", "mcp_config.json")
  }
}
