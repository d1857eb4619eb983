// A client straight to server-everything (started by test/global-setup.ts), declared like Berth's
// pooled client, so server-everything offers it the same tools it offers Berth (it registers its
// sampling and elicitation tools only for a client that can answer them).
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client"
import { inject } from "vitest"

export const directEverything = async () => {
  const client = new Client(
    { name: "direct", version: "1.0.0" },
    { versionNegotiation: { mode: "auto" }, capabilities: { sampling: {}, elicitation: { form: {}, url: {} } } }
  )
  await client.connect(new StreamableHTTPClientTransport(new URL(inject("everythingUrl"))))
  return client
}
