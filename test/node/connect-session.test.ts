// The relay under `berth connect` against an endpoint that keeps sessions: server-everything, a real
// process, is restarted mid-session and forgets it. The relay opens a new session with the client's own
// initialize and retries, so the client's next call succeeds without it knowing.
import { Client, InMemoryTransport } from "@modelcontextprotocol/client"
import { afterAll, beforeAll, expect, it } from "vitest"
import { Bridge } from "../../src/cli/connect/bridge.ts"
import { startEverything } from "../global-setup.ts"

let everything: Awaited<ReturnType<typeof startEverything>>
beforeAll(async () => {
  everything = await startEverything()
})
afterAll(() => everything?.stop())

it("opens a new session when the endpoint has forgotten the old one, and the next call succeeds", async () => {
  const [clientSide, relaySide] = InMemoryTransport.createLinkedPair()
  const logs: Array<string> = []
  const bridge = new Bridge({ url: new URL(everything.url), local: relaySide, remote: {}, retryMs: 10_000, log: (line) => logs.push(line) })
  await bridge.start()
  const client = new Client({ name: "session-test", version: "1.0.0" })
  await client.connect(clientSide)
  const echo = (message: string) => client.callTool({ name: "echo", arguments: { message } })
  expect(await echo("before")).toMatchObject({ content: [{ type: "text", text: "Echo: before" }] })

  const port = Number(new URL(everything.url).port)
  await everything.stop()
  everything = await startEverything(port)

  expect(await echo("after")).toMatchObject({ content: [{ type: "text", text: "Echo: after" }] })
  expect(logs).toContain("the plane no longer knows this session (it restarted?); opening a new one")
  await client.close()
  await bridge.close()
})
