// One plugin's own mount, /w/{ws}/mcp/{plugin}: server-everything (a real process) seen through it
// answers as it does directly, under its own names, while every call still goes through Berth's
// pipeline and is recorded under the workspace's id for the tool. And what both endpoints now pass
// through: resource templates and completion.
import { SELF } from "cloudflare:test"
import { describe, expect, it } from "vitest"
import { ok } from "../admin/rpc-client.ts"
import { dockedEverything, directEverything as direct } from "./everything-client.ts"
import { eventCount } from "../workspace/workspace-client.ts"
import { type Era, mcpClient, mountEndpoint } from "./berth-client.ts"



const COMPLETE_PROMPT = { ref: { type: "ref/prompt" as const, name: "completable-prompt" }, argument: { name: "department", value: "S" } }

describe.each<Era>(["modern", "legacy"])("the per-plugin mount (%s protocol)", (era) => {
  it("serves the plugin under its own names, as it answers directly, through Berth's pipeline", async () => {
    const { slug, key } = await dockedEverything("mount")
    const upstream = await direct()
    const mount = await mcpClient(slug, key, era, {}, {}, mountEndpoint(slug, "everything"))

    // Tools: the upstream's own names and definitions, and none of Berth's own tools.
    const [own, theirs] = [(await mount.listTools()).tools, (await upstream.listTools()).tools]
    expect(own.map((t) => t.name).sort()).toEqual(theirs.map((t) => t.name).sort())
    // The definition Berth pinned at install: every field but `execution`, which it does not keep yet (docs/mcp.md).
    const { execution: _, ...pinned } = theirs.find((t) => t.name === "echo")!
    expect(own.find((t) => t.name === "echo")).toEqual(pinned)
    expect(await mount.callTool({ name: "echo", arguments: { message: "mounted" } })).toMatchObject({ content: [{ type: "text", text: "Echo: mounted" }] })

    // Resources, templates, prompts and completion: as the upstream names them.
    expect((await mount.listResourceTemplates()).resourceTemplates).toEqual((await upstream.listResourceTemplates()).resourceTemplates)
    const first = (await upstream.listResources()).resources[0]!
    expect((await mount.listResources()).resources).toContainEqual(first)
    expect((await mount.readResource({ uri: first.uri })).contents[0]!.uri).toBe(first.uri)
    expect((await mount.getPrompt({ name: "completable-prompt", arguments: { department: "Sales", name: "Eve" } })).messages).toEqual(
      (await upstream.getPrompt({ name: "completable-prompt", arguments: { department: "Sales", name: "Eve" } })).messages
    )
    expect((await mount.complete(COMPLETE_PROMPT)).completion.values).toEqual(["Sales", "Support"])
    await Promise.all([mount.close(), upstream.close()])

    // Each request is a run under the workspace's names, as if made at /w/{ws}/mcp.
    const { runs } = await ok({ _tag: "ListRuns", workspace: slug })
    expect(runs.map((r: { agent: string; tool: string; status: string }) => [r.agent, r.tool, r.status]).sort()).toEqual([
      ["bot", "everything__completable-prompt", "ok"],
      ["bot", "everything__completion/complete", "ok"],
      ["bot", "everything__echo", "ok"],
      ["bot", "everything__resources/read", "ok"]
    ])
  })

  it("the workspace endpoint passes templates and completion through, namespaced", async () => {
    const { slug, key } = await dockedEverything("mount")
    const upstream = await direct()
    const berth = await mcpClient(slug, key, era)
    const templates = (await berth.listResourceTemplates()).resourceTemplates
    const text = (await upstream.listResourceTemplates()).resourceTemplates.find((t) => t.uriTemplate.includes("/text/"))!
    const namespaced = templates.find((t) => t.name === text.name)!
    // The literal parts are encoded as a Berth resource URI is; the expression is left to expand.
    expect(namespaced.uriTemplate).toBe(`berth://everything/${encodeURIComponent(text.uriTemplate.replace("{resourceId}", ""))}{resourceId}`)
    const expanded = namespaced.uriTemplate.replace("{resourceId}", "7")
    expect((await berth.readResource({ uri: expanded })).contents[0]).toMatchObject({ uri: expanded, text: expect.stringContaining("Resource 7") })
    expect((await berth.complete({ ...COMPLETE_PROMPT, ref: { type: "ref/prompt", name: "everything__completable-prompt" } })).completion.values).toEqual([
      "Sales",
      "Support"
    ])
    expect(
      (await berth.complete({ ref: { type: "ref/resource", uri: namespaced.uriTemplate }, argument: { name: "resourceId", value: "12" } })).completion.values
    ).toEqual((await upstream.complete({ ref: { type: "ref/resource", uri: text.uriTemplate }, argument: { name: "resourceId", value: "12" } })).completion.values)
    // Each completion reached the upstream, so each is a run, by its method's name.
    const { runs } = await ok({ _tag: "ListRuns", workspace: slug, limit: 100 })
    expect(runs.filter((r: any) => r.tool === "everything__completion/complete").map((r: any) => r.status)).toEqual(["ok", "ok"])
    await Promise.all([berth.close(), upstream.close()])
  })
})

describe("the mount's refusals", () => {
  it("a plugin the workspace does not have is a 404 naming it; a wrong key is a 401 as at the workspace endpoint", async () => {
    const { slug, key } = await dockedEverything("mount")
    const before = await eventCount(slug)
    const missing = await SELF.fetch(mountEndpoint(slug, "nope"), { method: "POST", headers: { authorization: `Bearer ${key}`, "content-type": "application/json" }, body: "{}" })
    expect(missing.status).toBe(404)
    expect(((await missing.json()) as { error: { message: string } }).error.message).toBe(`no plugin 'nope' in workspace '${slug}'`)
    const wrong = await SELF.fetch(mountEndpoint(slug, "everything"), { method: "POST", headers: { authorization: "Bearer berth_x_y", "content-type": "application/json" }, body: "{}" })
    expect(wrong.status).toBe(401)
    // Neither refusal wrote anything.
    expect(await eventCount(slug)).toBe(before)
  })
})
