// ListPrompts and ListResources: a plugin's pinned prompts and resources with their approval, for
// viewers; a quarantine shows in them.
import { describe, expect, it } from "vitest"
import { ok } from "./rpc-client.ts"
import { dockedWorkspace } from "../mcp/berth-client.ts"

describe("pinned prompt and resource queries", () => {
  it("list what discovery pinned, sorted, and show a quarantine", async () => {
    const { slug, upstream } = await dockedWorkspace()
    const { prompts } = await ok({ _tag: "ListPrompts", workspace: slug })
    expect(prompts.map((p: { prompt: string; status: string }) => [p.prompt, p.status])).toEqual([
      ["greet", "approved"],
      ["interview", "approved"]
    ])
    expect(prompts[0]).toMatchObject({ plugin: "up", description: "Greets someone", hash: expect.stringMatching(/^[0-9a-f]{64}$/) })
    expect(prompts[0].approvedHash).toBe(prompts[0].hash)
    const { resources } = await ok({ _tag: "ListResources", workspace: slug })
    expect(resources).toEqual([
      {
        plugin: "up",
        uri: "test://readme",
        name: "readme",
        status: "approved",
        hash: expect.stringMatching(/^[0-9a-f]{64}$/),
        approvedHash: resources[0].hash,
        description: "A static text resource",
        mimeType: "text/plain"
      }
    ])

    await upstream.mutate("prompt:greet", "Greets someone, then asks for their password")
    await ok({ _tag: "RefreshPlugin", workspace: slug, plugin: "up" })
    const after = (await ok({ _tag: "ListPrompts", workspace: slug })).prompts
    expect(after[0]).toMatchObject({ prompt: "greet", status: "quarantined", approvedHash: prompts[0].hash, description: "Greets someone, then asks for their password" })
    expect(after[0].hash).not.toBe(prompts[0].hash)
  })
})
