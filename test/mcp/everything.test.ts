// Berth against @modelcontextprotocol/server-everything, a real Node process on loopback (started by
// test/global-setup.ts): the same calls made directly and through Berth return the same content,
// apart from the namespacing.
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client"
import { describe, expect, it } from "vitest"
import { inject } from "vitest"
import { ok } from "../admin/rpc-client.ts"
import { freshSlug, workspace } from "../workspace/workspace-client.ts"
import { mcpClient } from "./berth-client.ts"

const direct = async () => {
  const client = new Client({ name: "direct", version: "1.0.0" }, { versionNegotiation: { mode: "auto" } })
  await client.connect(new StreamableHTTPClientTransport(new URL(inject("everythingUrl"))))
  return client
}

const CALLS = [
  { name: "echo", arguments: { message: "hello through berth" } },
  { name: "get-sum", arguments: { a: 19, b: 23 } },
  { name: "get-structured-content", arguments: { location: "Chicago" } },
  { name: "get-annotated-message", arguments: { messageType: "error", includeImage: false } }
]

describe("server-everything", () => {
  it("answers the same directly and through Berth, in both eras", async () => {
    const slug = freshSlug("everything")
    await ok({ _tag: "CreateWorkspace", workspace: slug })
    const { key } = await ok({ _tag: "RegisterAgent", workspace: slug, agent: "bot" })
    await ok({ _tag: "InstallPlugin", workspace: slug, plugin: "everything", url: inject("everythingUrl"), transport: "streamable-http", auth: "none" })

    const upstream = await direct()
    const directTools = (await upstream.listTools()).tools
    for (const era of ["modern", "legacy"] as const) {
      const berth = await mcpClient(slug, key, era)
      const viaBerth = (await berth.listTools()).tools
      expect(viaBerth.map((t) => t.name).sort()).toEqual(directTools.map((t) => `everything__${t.name}`).sort())
      expect(viaBerth.find((t) => t.name === "everything__echo")?.inputSchema).toEqual(directTools.find((t) => t.name === "echo")?.inputSchema)
      for (const call of CALLS) {
        const expected = await upstream.callTool(call)
        const actual = await berth.callTool({ ...call, name: `everything__${call.name}` })
        expect({ call: call.name, content: actual.content, structured: actual.structuredContent, isError: actual.isError }).toEqual({
          call: call.name,
          content: expected.content,
          structured: expected.structuredContent,
          isError: expected.isError
        })
      }
      const progress: Array<number> = []
      await berth.callTool(
        { name: "everything__trigger-long-running-operation", arguments: { duration: 0.3, steps: 3 } },
        { onprogress: (p) => void progress.push(p.progress) }
      )
      expect(progress).toEqual([1, 2, 3])
      await berth.close()
    }
    await upstream.close()
    expect(await workspace(slug).upstreamConnects()).toBe(1)
    const { runs } = await ok({ _tag: "ListRuns", workspace: slug, limit: 100 })
    expect(runs).toHaveLength(2 * (CALLS.length + 1))
    expect(runs.every((r: { status: string }) => r.status === "ok")).toBe(true)
  })
})
