// SEP-2243 custom headers at Berth's endpoint: a 2026-07-28 agent's Mcp-Param-* headers must agree
// with the arguments of a tool whose pinned schema declares them (x-mcp-header). A call whose headers
// are missing, badly encoded or different is refused with HTTP 400 and -32020 before anything runs:
// no run, no event, and the upstream hears nothing.
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client"
import { SELF } from "cloudflare:test"
import { describe, expect, it } from "vitest"
import { headerDeclarations, paramHeaderRefusal } from "../../src/mcp/param-headers.ts"
import { eventCount } from "../workspace/workspace-client.ts"
import { dockedWorkspace, endpoint } from "./berth-client.ts"

/** A 2026-07-28 client whose outgoing Mcp-Param-Region header `tamper` may rewrite (null: drop it). */
const tamperingClient = async (slug: string, key: string) => {
  const control: { tamper?: (value: string | null) => string | null } = {}
  const client = new Client({ name: "berth-test-agent", version: "1.0.0" }, { versionNegotiation: { mode: { pin: "2026-07-28" } } })
  await client.connect(
    new StreamableHTTPClientTransport(new URL(endpoint(slug)), {
      fetch: (input, init) => {
        const request = new Request(input as RequestInfo, init)
        if (control.tamper) {
          const value = control.tamper(request.headers.get("mcp-param-region"))
          if (value === null) request.headers.delete("mcp-param-region")
          else request.headers.set("mcp-param-region", value)
        }
        return SELF.fetch(request)
      },
      requestInit: { headers: { authorization: `Bearer ${key}` } }
    })
  )
  return { client, control }
}

describe("Mcp-Param-* headers", () => {
  it("a call whose headers agree runs; missing, badly encoded or different ones get 400 and -32020, and nothing is recorded", async () => {
    const { slug, key, upstream } = await dockedWorkspace()
    const { client, control } = await tamperingClient(slug, key)
    const args = { region: "eu-west", text: "hello" }
    // The SDK client mirrors the argument into the header itself, from the schema Berth lists.
    expect(await client.callTool({ name: "up__region", arguments: args })).toMatchObject({ content: [{ type: "text", text: "eu-west: hello" }] })
    control.tamper = () => `=?base64?${btoa("eu-west")}?=`
    expect(await client.callTool({ name: "up__region", arguments: args })).toMatchObject({ content: [{ type: "text", text: "eu-west: hello" }] })
    expect(await upstream.calls()).toEqual({ region: 2 })

    const before = await eventCount(slug)
    for (const [tamper, reason] of [
      [() => "us-east", 'decodes to "us-east" but the body carries region="eu-west"'],
      [() => null, "the Mcp-Param-Region header is absent"],
      [() => "=?base64?ZXUtd2VzdA?=", "invalid Base64 sentinel value"],
      [() => "=?base64?ZXUt!!!d2VzdA==?=", "invalid Base64 sentinel value"]
    ] as const) {
      control.tamper = tamper
      const refused = await client.callTool({ name: "up__region", arguments: args }).catch((e: unknown) => e)
      expect(refused).toMatchObject({ code: -32020 })
      expect(String(refused)).toContain(reason)
    }
    expect(await eventCount(slug)).toBe(before)
    expect(await upstream.calls()).toEqual({ region: 2 })
    await client.close()
  })

  it("reads declarations only through properties, and compares numbers as numbers", () => {
    const schema = {
      type: "object",
      properties: {
        n: { type: "integer", "x-mcp-header": "N" },
        nested: { type: "object", properties: { zone: { type: "string", "x-mcp-header": "Zone" } } },
        list: { type: "array", items: { type: "string", "x-mcp-header": "Ignored" } }
      }
    }
    expect(headerDeclarations(schema).map((d) => [d.header, d.path])).toEqual([["N", ["n"]], ["Zone", ["nested", "zone"]]])
    const headers = (entries: Record<string, string>) => new Headers(entries)
    expect(paramHeaderRefusal(schema, { n: 42, nested: { zone: "a" } }, headers({ "Mcp-Param-N": "42.0", "Mcp-Param-Zone": "a" }))).toBeUndefined()
    expect(paramHeaderRefusal(schema, { n: 42, nested: { zone: "a" } }, headers({ "Mcp-Param-N": "41", "Mcp-Param-Zone": "a" }))?.data.mismatch.header).toBe("Mcp-Param-N")
    // An absent or null argument expects no header, and one sent anyway is ignored.
    expect(paramHeaderRefusal(schema, { n: null }, headers({ "Mcp-Param-Zone": "anything" }))).toBeUndefined()
  })
})
