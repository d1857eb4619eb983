// Spec for the registry commands: InstallPlugin, RefreshPlugin and RemovePlugin (a URL carrying a secret
// is refused), and the Schemas that refuse bad plugin names (no "__", which joins plugin and tool) and
// non-http URLs.
import { Exit } from "effect"
import { describe, expect, it } from "vitest"
import { InstallPlugin, RefreshPlugin, RemovePlugin } from "../../src/registry/commands.ts"
import { PluginAlreadyInstalled, PluginNotFound, SecretInPluginUrl } from "../../src/registry/errors.ts"
import { WorkspaceNotFound } from "../../src/workspace/errors.ts"
import { decodeCommand } from "../../src/workspace/execute.ts"
import { given, refusal } from "../workspace/decider-spec.ts"
import { event } from "../../events/index.ts"
import { pluginInstalled, pluginRemoved, toolApproved, toolDefinition, toolsDiscovered, workspaceCreated } from "../workspace/events.ts"

const github = { plugin: "github", url: "https://github.example.com/mcp", transport: "streamable-http", auth: "none" } as const

describe("InstallPlugin", () => {
  // Without discovery (an OAuth upstream before its credential): the first refresh approves what it finds.
  const undiscovered = (plugin: string, url: string) =>
    event("PluginInstalled", { plugin, url, transport: "streamable-http", auth: "none", approveOnDiscovery: true })

  it("installs a plugin from its manifest", () =>
    given(workspaceCreated()).when(new InstallPlugin(github)).then(undiscovered("github", github.url)))

  it("installs with its discovery, approving the tools it found", () =>
    given(workspaceCreated())
      .when(new InstallPlugin({ ...github, discovery: { tools: [toolDefinition("search")] } }))
      .then(pluginInstalled("github", github.url), toolsDiscovered("github", toolDefinition("search")), toolApproved("github__search", "a".repeat(64))))

  it("with --review, neither the install nor the first discovery approves anything", () =>
    given(workspaceCreated()).when(new InstallPlugin({ ...github, review: true })).then(pluginInstalled("github", github.url)))

  it("keeps the transport and auth it was given", () =>
    given(workspaceCreated())
      .when(new InstallPlugin({ plugin: "linear", url: "http://localhost:8788/sse", transport: "sse", auth: "oauth" }))
      .then({
        type: "PluginInstalled",
        data: { plugin: "linear", url: "http://localhost:8788/sse", transport: "sse", auth: "oauth", approveOnDiscovery: true }
      }))

  it("refuses a plugin already installed, even with another URL", () =>
    given(workspaceCreated(), pluginInstalled("github"))
      .when(new InstallPlugin({ ...github, url: "https://elsewhere.example.com/mcp" }))
      .thenFails(PluginAlreadyInstalled, { plugin: "github" }))

  it("installs again after removal", () =>
    given(workspaceCreated(), pluginInstalled("github"), pluginRemoved("github"))
      .when(new InstallPlugin(github))
      .then(undiscovered("github", github.url)))

  it("refuses before the workspace exists", () =>
    given().when(new InstallPlugin(github)).thenFails(WorkspaceNotFound, { workspace: "acme" }))

  it("refuses a URL with userinfo, naming the part and not the secret", () =>
    given(workspaceCreated())
      .when(new InstallPlugin({ ...github, url: "https://bot:hunter22@github.example.com/mcp" }))
      .thenFails(SecretInPluginUrl, { plugin: "github", part: "userinfo", recorded: false }))

  it("refuses a URL with a secret-named query parameter, naming the parameter", () =>
    given(workspaceCreated())
      .when(new InstallPlugin({ ...github, url: "https://github.example.com/mcp?api_key=sk-live-123" }))
      .thenFails(SecretInPluginUrl, { plugin: "github", part: "query", parameter: "api_key", recorded: false }))
})

describe("RefreshPlugin", () => {
  const discovery = { tools: [] }

  it("refuses a plugin whose recorded URL carries a secret: the log keeps it, so rotate and reinstall", () => {
    const leaky = "https://github.example.com/mcp?token=ghp_leaked"
    given(workspaceCreated(), pluginInstalled("github", leaky))
      .when(new RefreshPlugin({ plugin: "github", discovery }))
      .thenFails(SecretInPluginUrl, { plugin: "github", part: "query", parameter: "token", recorded: true })
  })

  it("rediscovers a plugin with a clean URL", () =>
    given(workspaceCreated(), pluginInstalled("github"))
      .when(new RefreshPlugin({ plugin: "github", discovery }))
      .then(toolsDiscovered("github")))

  it("leaves new tools for review, except at the first discovery of a plugin installed without one", () => {
    const found = { tools: [toolDefinition("search")] }
    given(workspaceCreated(), pluginInstalled("github"))
      .when(new RefreshPlugin({ plugin: "github", discovery: found }))
      .then(toolsDiscovered("github", toolDefinition("search")))
    const undiscovered = event("PluginInstalled", { plugin: "github", url: github.url, transport: "streamable-http", auth: "oauth", approveOnDiscovery: true })
    given(workspaceCreated(), undiscovered)
      .when(new RefreshPlugin({ plugin: "github", discovery: found }))
      .then(toolsDiscovered("github", toolDefinition("search")), toolApproved("github__search", "a".repeat(64)))
    // Only the first: once discovered, a later refresh's new tool waits for approval.
    given(workspaceCreated(), undiscovered, toolsDiscovered("github", toolDefinition("search")), toolApproved("github__search", "a".repeat(64)))
      .when(new RefreshPlugin({ plugin: "github", discovery: { tools: [toolDefinition("search"), toolDefinition("create")] } }))
      .then(toolsDiscovered("github", toolDefinition("search"), toolDefinition("create")))
  })
})

describe("RemovePlugin", () => {
  it("removes an installed plugin", () =>
    given(workspaceCreated(), pluginInstalled("github")).when(new RemovePlugin({ plugin: "github" })).then(pluginRemoved("github")))

  it("removes a plugin whose tools were discovered", () =>
    given(workspaceCreated(), pluginInstalled("github"), toolsDiscovered("github", toolDefinition("search")))
      .when(new RemovePlugin({ plugin: "github" }))
      .then(pluginRemoved("github")))

  it("refuses a plugin that is not installed", () =>
    given(workspaceCreated(), pluginInstalled("github"))
      .when(new RemovePlugin({ plugin: "linear" }))
      .thenFails(PluginNotFound, { plugin: "linear" }))

  it("refuses a plugin already removed", () =>
    given(workspaceCreated(), pluginInstalled("github"), pluginRemoved("github"))
      .when(new RemovePlugin({ plugin: "github" }))
      .thenFails(PluginNotFound, { plugin: "github" }))

  it("refuses before the workspace exists", () =>
    given().when(new RemovePlugin({ plugin: "github" })).thenFails(WorkspaceNotFound, { workspace: "acme" }))
})

describe("registry command Schemas", () => {
  it("decode a well-formed manifest", () => {
    const exit = decodeCommand({ _tag: "InstallPlugin", ...github })
    expect(Exit.isSuccess(exit) && exit.value).toEqual(new InstallPlugin(github))
  })

  it.each([["ftp://x"], ["github.example.com/mcp"], ["/mcp"], ["javascript:alert(1)"], [""]])(
    "refuse the URL %j: an MCP URL is absolute http(s)",
    (url) => {
      const error = refusal({ _tag: "InstallPlugin", ...github, url })
      expect(error.field).toBe("url")
      expect(error.reason).toContain("http")
    }
  )

  it.each([["git__hub"], ["__github"], ["github__"]])("refuse the plugin name %j: '__' joins plugin and tool", (plugin) => {
    const error = refusal({ _tag: "InstallPlugin", ...github, plugin })
    expect(error.field).toBe("plugin")
    expect(error.reason).toContain("plugin name")
  })

  it("accept a single underscore in a plugin name", () =>
    expect(Exit.isSuccess(decodeCommand({ _tag: "InstallPlugin", ...github, plugin: "git_hub" }))).toBe(true))

  it("refuse a plugin name with a space, on RemovePlugin too", () =>
    expect(refusal({ _tag: "RemovePlugin", plugin: "git hub" }).field).toBe("plugin"))

  it("refuse an unknown transport", () =>
    expect(refusal({ _tag: "InstallPlugin", ...github, transport: "stdio" }).field).toBe("transport"))

  it("refuse an unknown auth kind", () =>
    expect(refusal({ _tag: "InstallPlugin", ...github, auth: "basic" }).field).toBe("auth"))
})
