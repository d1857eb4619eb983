// `berth connect` as local clients use it: the SDK's stdio client spawns `npx berth connect`, which
// relays to a real plane's hosted endpoint. Both protocol eras of the local client (and so of the
// hosted side), two plugins, a resource and a prompt, an upstream's sampling and elicitation reaching
// the stdio client, the allowlist's refusal, and the plane restarted mid-session.
import { Client, type ClientOptions, ProtocolError } from "@modelcontextprotocol/client"
import { StdioClientTransport } from "@modelcontextprotocol/client/stdio"
import { execFile } from "node:child_process"
import { randomUUID } from "node:crypto"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { promisify } from "node:util"
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest"
import { adminRpc, startPlane } from "./plane.ts"

type Era = "legacy" | "modern"

let plane: Awaited<ReturnType<typeof startPlane>>
beforeAll(async () => {
  plane = await startPlane()
})
afterAll(() => plane?.stop())

const admin = (body: Record<string, unknown>) => adminRpc(plane, body)

/** A workspace with agent `bot`, the test upstream as `up` and server-everything as `everything`. */
const workspace = async () => {
  const slug = `connect-${randomUUID().slice(0, 8)}`
  const namespace = new URL(`/ns/${randomUUID()}/`, inject("upstreamUrl"))
  await admin({ _tag: "CreateWorkspace", workspace: slug })
  const { key } = await admin({ _tag: "RegisterAgent", workspace: slug, agent: "bot" })
  await admin({ _tag: "InstallPlugin", workspace: slug, plugin: "up", url: new URL("mcp", namespace).href, transport: "streamable-http", auth: "none" })
  await admin({ _tag: "InstallPlugin", workspace: slug, plugin: "everything", url: inject("everythingUrl"), transport: "streamable-http", auth: "none" })
  /** The test upstream's handlers whose cancellation signal fired, by tool. */
  const aborts = async () => (await (await fetch(new URL("aborts", namespace))).json()) as Record<string, number>
  return { slug, key: key as string, aborts }
}

/** This checkout's `berth`, run as npm links it; `npx` itself costs a second or two per start, so only the first case pays it. */
const BERTH_BIN = resolve(import.meta.dirname, "../../bin/berth.js")

/** The SDK's stdio client running `berth connect` (through `npx berth connect` when `npx` is set); its stderr is collected. */
const stdioClient = async (
  slug: string,
  key: string,
  era: Era,
  options: { name?: string; capabilities?: ClientOptions["capabilities"]; extraArgs?: string[]; npx?: boolean } = {}
) => {
  const berth = ["-w", slug, "connect", ...(options.extraArgs ?? [])]
  const transport = new StdioClientTransport({
    ...(options.npx ? { command: "npx", args: ["--no-install", "berth", ...berth] } : { command: process.execPath, args: [BERTH_BIN, ...berth] }),
    env: { PATH: process.env.PATH!, HOME: process.env.HOME!, BERTH_URL: plane.url, BERTH_AGENT_KEY: key },
    stderr: "pipe"
  })
  let stderr = ""
  transport.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()))
  const client = new Client(
    { name: options.name ?? "stdio-test-client", version: "1.2.3" },
    { capabilities: options.capabilities ?? {}, ...(era === "modern" ? { versionNegotiation: { mode: { pin: "2026-07-28" } } } : {}) }
  )
  await client.connect(transport)
  return { client, stderr: () => stderr }
}

const events = async (slug: string) => (await admin({ _tag: "ListEvents", workspace: slug, limit: 1000 })).events as Array<{ type: string; data: any }>

describe.each<Era>(["legacy", "modern"])("a stdio client on the %s protocol", (era) => {
  it("spawned as `npx berth connect`, lists and calls tools of two plugins, reads a resource and gets a prompt", async () => {
    const { slug, key } = await workspace()
    const { client, stderr } = await stdioClient(slug, key, era, { npx: true })
    const names = (await client.listTools()).tools.map((t) => t.name)
    expect(names).toEqual(expect.arrayContaining(["up__echo", "everything__echo"]))
    expect(await client.callTool({ name: "up__echo", arguments: { text: "via stdio" } })).toMatchObject({ content: [{ type: "text", text: "echo: via stdio" }] })
    expect(await client.callTool({ name: "everything__echo", arguments: { message: "hi" } })).toMatchObject({ content: [{ type: "text", text: "Echo: hi" }] })

    const resources = (await client.listResources()).resources.map((r) => r.uri)
    const readme = resources.find((uri) => uri.startsWith("berth://up/"))!
    expect(readme).toBeDefined()
    expect((await client.readResource({ uri: readme })).contents).toMatchObject([{ text: "hello from test://readme" }])
    expect((await client.getPrompt({ name: "up__greet", arguments: { name: "Ada" } })).messages).toEqual([
      { role: "user", content: { type: "text", text: "Say hello to Ada" } }
    ])
    await client.close()

    // A run for each request that reached an upstream, as the agent the key names; the adapter wrote its logs to stderr.
    const runs = (await admin({ _tag: "ListRuns", workspace: slug })).runs as Array<{ agent: string; tool: string; status: string }>
    expect(runs.map((r) => [r.agent, r.tool, r.status]).sort()).toEqual([
      ["bot", "everything__echo", "ok"],
      ["bot", "up__echo", "ok"],
      ["bot", "up__greet", "ok"],
      ["bot", "up__resources/read", "ok"]
    ])
    expect(stderr()).toContain(`berth connect: relaying stdio to ${plane.url}/w/${slug}/mcp (agent key from BERTH_AGENT_KEY)`)
    expect(stderr()).not.toContain(key)
  })

  it("progress reaches the stdio client with its token, and its cancellation reaches the upstream call", async () => {
    const { slug, key, aborts } = await workspace()
    const { client } = await stdioClient(slug, key, era)
    const seen: Array<number> = []
    const abort = new AbortController()
    const call = client.callTool(
      { name: "up__progress", arguments: { steps: 50, delayMs: 40 } },
      {
        signal: abort.signal,
        onprogress: (p) => {
          seen.push(p.progress)
          if (p.progress === 2) abort.abort(new Error("the local client gave up"))
        }
      }
    )
    await expect(call).rejects.toThrow("the local client gave up")
    expect(seen.slice(0, 2)).toEqual([1, 2])
    // The upstream's handler saw its signal fire: the cancellation crossed the adapter and the plane.
    await expect.poll(aborts, { timeout: 5_000 }).toEqual({ progress: 1 })
    await expect.poll(async () => (await admin({ _tag: "ListRuns", workspace: slug })).runs[0]?.status, { timeout: 5_000 }).toBe("error")
    // The adapter goes on serving the client.
    expect(await client.callTool({ name: "up__echo", arguments: { text: "still here" } })).toMatchObject({ content: [{ type: "text", text: "echo: still here" }] })
    await client.close()
  })

  it("an upstream's sampling and elicitation reach the stdio client, and its answers go back", async () => {
    const { slug, key } = await workspace()
    const { client } = await stdioClient(slug, key, era, { capabilities: { sampling: {}, elicitation: { form: {} } } })
    client.setRequestHandler("sampling/createMessage", async (request) => ({
      model: "local-model",
      role: "assistant",
      content: { type: "text", text: `heard ${(request.params.messages[0]!.content as { text: string }).text}` }
    }))
    client.setRequestHandler("elicitation/create", async () => ({ action: "accept", content: { city: "Oslo" } }))
    expect((await client.callTool({ name: "up__sample", arguments: { prompt: "ping" } })).content).toEqual([{ type: "text", text: "local-model said: heard ping" }])
    expect((await client.callTool({ name: "up__elicit", arguments: {} })).content).toEqual([{ type: "text", text: "the user chose Oslo" }])
    await client.close()
    const spans = (await events(slug)).filter((e) => e.type === "SpanRecorded").map((e) => e.data.span.name)
    expect(spans).toEqual(expect.arrayContaining(["agent sampling/createMessage", "agent elicitation/create"]))
  })
})

describe("--plugin", () => {
  it("relays to one plugin's own mount, under the upstream's own names", async () => {
    const { slug, key } = await workspace()
    const { client } = await stdioClient(slug, key, "modern", { extraArgs: ["--plugin", "everything"] })
    const names = (await client.listTools()).tools.map((t) => t.name)
    expect(names).toContain("echo")
    expect(names.some((n) => n.includes("__"))).toBe(false)
    expect(await client.callTool({ name: "echo", arguments: { message: "mounted" } })).toMatchObject({ content: [{ type: "text", text: "Echo: mounted" }] })
    await client.close()
    const runs = (await admin({ _tag: "ListRuns", workspace: slug })).runs as Array<{ tool: string; status: string }>
    expect(runs.map((r) => [r.tool, r.status])).toEqual([["everything__echo", "ok"]])
  })
})

describe("the MCP Inspector CLI", () => {
  // A real client of its own: @modelcontextprotocol/inspector --cli spawns `berth connect` over stdio.
  const INSPECTOR_BIN = resolve(import.meta.dirname, "../../node_modules/@modelcontextprotocol/inspector/clients/launcher/build/index.js")
  // The key reaches `berth connect` from an mcp.json session file (0600), as a client's config would
  // give it, never from the Inspector's argv, where any local user could read it.
  const inspector = async (slug: string, key: string, ...method: Array<string>) => {
    const dir = mkdtempSync(join(tmpdir(), "berth-inspector-"))
    const config = join(dir, "mcp.json")
    const berth = { command: process.execPath, args: [BERTH_BIN, "-w", slug, "connect"], env: { BERTH_URL: plane.url, BERTH_AGENT_KEY: key } }
    writeFileSync(config, JSON.stringify({ mcpServers: { berth } }), { mode: 0o600 })
    try {
      const { stdout } = await promisify(execFile)(process.execPath, [INSPECTOR_BIN, "--cli", "--config", config, "--server", "berth", ...method], { timeout: 60_000 })
      return JSON.parse(stdout)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }

  it("lists and calls tools of two plugins, reads a resource and gets a prompt through berth connect", async () => {
    const { slug, key } = await workspace()
    // Five Inspector processes, each spawning its own `berth connect`: independent, so side by side.
    const [tools, up, everything, readme, greeting] = await Promise.all([
      inspector(slug, key, "--method", "tools/list"),
      inspector(slug, key, "--method", "tools/call", "--tool-name", "up__echo", "--tool-arg", "text=inspected"),
      inspector(slug, key, "--method", "tools/call", "--tool-name", "everything__echo", "--tool-arg", "message=inspected"),
      // The test upstream's resource, as the workspace endpoint names it.
      inspector(slug, key, "--method", "resources/read", "--uri", "berth://up/test%3A%2F%2Freadme"),
      inspector(slug, key, "--method", "prompts/get", "--prompt-name", "up__greet", "--prompt-args", "name=Ada")
    ])
    expect(tools.tools.map((t: { name: string }) => t.name)).toEqual(expect.arrayContaining(["up__echo", "everything__echo"]))
    expect(up).toMatchObject({ content: [{ type: "text", text: "echo: inspected" }] })
    expect(everything).toMatchObject({ content: [{ type: "text", text: "Echo: inspected" }] })
    expect(readme.contents).toMatchObject([{ text: "hello from test://readme" }])
    expect(greeting.messages).toEqual([{ role: "user", content: { type: "text", text: "Say hello to Ada" } }])
    const runs = (await admin({ _tag: "ListRuns", workspace: slug })).runs as Array<{ tool: string; status: string }>
    expect(runs.map((r) => [r.tool, r.status]).sort()).toEqual([
      ["everything__echo", "ok"],
      ["up__echo", "ok"],
      ["up__greet", "ok"],
      ["up__resources/read", "ok"]
    ])
  })
})

describe("the allowlist", () => {
  it("refuses a local client it excludes with the command that would allow it, and records the refusal", async () => {
    const { slug, key } = await workspace()
    await admin({ _tag: "SetBotRule", workspace: slug, match: "Claude*", effect: "allow" })
    const refused = await stdioClient(slug, key, "legacy", { name: "Scraper Bot" }).then(
      () => undefined,
      (error: unknown) => error
    )
    expect(refused).toBeInstanceOf(ProtocolError)
    expect((refused as Error).message).toContain(`berth -w ${slug} bot allow 'Scraper Bot'`)
    const refusal = (await events(slug)).find((e) => e.type === "ClientRefused")
    expect(refusal?.data).toMatchObject({ clientName: "Scraper Bot", clientVersion: "1.2.3", agent: "bot" })

    const { client } = await stdioClient(slug, key, "modern", { name: "Claude Desktop" })
    expect((await client.listTools()).tools.length).toBeGreaterThan(0)
    await client.close()
  })
})

describe("a plane restarted mid-session", () => {
  // One restart for every case (a plane takes seconds to start): clients of both eras wait it out, and
  // one whose --retry-seconds runs out while the plane is down gets an error rather than silence.
  it("the next call succeeds in both eras; a call made while it is down waits for it, or is answered with an error once --retry-seconds pass", async () => {
    const { slug, key } = await workspace()
    const clients = { legacy: await stdioClient(slug, key, "legacy"), modern: await stdioClient(slug, key, "modern") }
    const impatient = await stdioClient(slug, key, "legacy", { extraArgs: ["--retry-seconds", "1"] })
    for (const { client } of Object.values(clients))
      expect(await client.callTool({ name: "up__echo", arguments: { text: "before" } })).toMatchObject({ content: [{ type: "text", text: "echo: before" }] })

    const port = Number(new URL(plane.url).port)
    await plane.stop()
    const during = Object.values(clients).map(({ client }) => client.callTool({ name: "up__echo", arguments: { text: "during" } }))
    const lost = await impatient.client.callTool({ name: "up__echo", arguments: { text: "lost" } }).then(
      () => undefined,
      (error: unknown) => error
    )
    expect(lost).toBeInstanceOf(ProtocolError)
    expect((lost as ProtocolError).code).toBe(-32010)
    expect((lost as Error).message).toContain("could not be reached for 1 s")
    plane = await startPlane({ persistTo: plane.persist, port })

    for (const answer of await Promise.all(during)) expect(answer).toMatchObject({ content: [{ type: "text", text: "echo: during" }] })
    for (const { client, stderr } of Object.values(clients)) {
      expect(await client.callTool({ name: "up__echo", arguments: { text: "after" } })).toMatchObject({ content: [{ type: "text", text: "echo: after" }] })
      await client.close()
      expect(stderr()).toContain("cannot be reached")
      expect(stderr()).toContain("answers again")
    }
    // The 2025 client's session died with the plane; the adapter opened a new one with the client's own initialize.
    expect(clients.legacy.stderr()).toContain("no longer knows this session")
    expect(clients.modern.stderr()).not.toContain("no longer knows this session")
    await impatient.client.close()
  })
})
