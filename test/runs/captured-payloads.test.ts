// Issue 17, "captured payloads": with capture on, a bearer token or a JWT that an agent sends and the
// upstream echoes back is recorded scrubbed, in the arguments and in the result, while the agent
// still receives the upstream's result unchanged.
import { expect, it } from "vitest"
import { ok } from "../admin/rpc-client.ts"
import { dockedWorkspace, mcpClient } from "../mcp/berth-client.ts"
import { workspace } from "../workspace/workspace-client.ts"

const TOKEN = "ghp_16C7e42F292c6912E7710c838347Ae178B4a"
const JWT = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"

it("records a captured call's bearer token and JWT as [redacted], and relays the result unchanged", async () => {
  const { slug, key, upstream } = await dockedWorkspace()
  await ok({ _tag: "SetPayloadCapture", workspace: slug, enabled: true })
  const client = await mcpClient(slug, key, "modern")
  const text = `Authorization: Bearer ${TOKEN}; id_token=${JWT}`

  const result = await client.callTool({ name: "up__echo", arguments: { text } })
  expect(result.content).toEqual([{ type: "text", text: `echo: ${text}` }])
  expect(await upstream.calls()).toEqual({ echo: 1 })

  const { runs } = await ok({ _tag: "ListRuns", workspace: slug })
  const run = await ok({ _tag: "GetRun", workspace: slug, run: runs[0].run })
  const scrubbed = "Authorization: Bearer [redacted]; id_token=[redacted]"
  expect(run.started.data.args).toEqual({ text: scrubbed })
  expect(run.finished.data.result).toMatchObject({ content: [{ type: "text", text: `echo: ${scrubbed}` }] })
  const recorded = JSON.stringify(await workspace(slug).run(runs[0].run))
  expect(recorded).not.toContain(TOKEN)
  expect(recorded).not.toContain(JWT.split(".")[2])
  expect(await workspace(slug).verify()).toMatchObject({ ok: true })
  await client.close()
})
