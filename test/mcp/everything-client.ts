// server-everything (started by test/global-setup.ts) as a plugin, and a client straight to it (started by test/global-setup.ts), declared like Berth's
// pooled client, so server-everything offers it the same tools it offers Berth (it registers its
// sampling and elicitation tools only for a client that can answer them).
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client"
import { inject } from "vitest"
import { ok } from "../admin/rpc-client.ts"
import { freshSlug } from "../workspace/workspace-client.ts"

/** A fresh workspace with agent `bot` and server-everything installed as plugin `everything`. */
export const dockedEverything = async (prefix = "everything") => {
  const slug = freshSlug(prefix)
  await ok({ _tag: "CreateWorkspace", workspace: slug })
  const { key } = await ok({ _tag: "RegisterAgent", workspace: slug, agent: "bot" })
  await ok({ _tag: "InstallPlugin", workspace: slug, plugin: "everything", url: inject("everythingUrl"), transport: "streamable-http", auth: "none" })
  return { slug, key: key as string }
}

export const directEverything = async () => {
  const client = new Client(
    { name: "direct", version: "1.0.0" },
    { versionNegotiation: { mode: "auto" }, capabilities: { sampling: {}, elicitation: { form: {}, url: {} } } }
  )
  await client.connect(new StreamableHTTPClientTransport(new URL(inject("everythingUrl"))))
  return client
}
