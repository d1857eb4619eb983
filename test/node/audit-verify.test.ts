// An independent verifier, written from docs/audit-format.md alone, run against a real plane's
// export. It imports nothing from src/, events/ or projections/: only node:crypto, node:fs and JCS.
import canonicalize from "canonicalize"
import { createHash } from "node:crypto"
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, expect, inject, it } from "vitest"
import { startPlane } from "./plane.ts"
import { UPSTREAM_TOOLS } from "../mcp/upstream/tools.ts"

// ---- The verifier (docs/audit-format.md, "A verifier in JavaScript") ----
type Verdict = { ok: true; count: number; headHash: string } | { ok: false; seq: number; reason: string }
const GENESIS = "0".repeat(64)
const AT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/

const verifyExport = (path: string): Verdict => {
  const lines = readFileSync(path, "utf8").split("\n")
  if (lines.at(-1) === "") lines.pop()
  let prevHash = GENESIS
  let prevAt = ""
  for (const [i, line] of lines.entries()) {
    const seq = i + 1
    const bad = (reason: string): Verdict => ({ ok: false, seq, reason })
    let e: any
    try { e = JSON.parse(line) } catch { return bad("line is not JSON") }
    if (e?.seq !== seq) return bad(`expected seq ${seq}, found ${e?.seq}`)
    if (e.prevHash !== prevHash) return bad("prevHash is not the hash of the previous event")
    if (typeof e.at !== "string" || !AT.test(e.at) || e.at < prevAt) return bad("at is malformed or goes backwards")
    const { hash, ...unhashed } = e
    const computed = createHash("sha256").update(`${prevHash}\n${canonicalize(unhashed)}`, "utf8").digest("hex")
    if (hash !== computed) return bad(`hash ${hash} does not match the recomputed ${computed}`)
    prevHash = hash
    prevAt = e.at
  }
  return { ok: true, count: lines.length, headHash: prevHash }
}
// ---- end of the verifier ----

let plane: Awaited<ReturnType<typeof startPlane>>
beforeAll(async () => {
  plane = await startPlane()
})
afterAll(() => plane?.stop())

const rpc = async (body: Record<string, unknown>) => {
  const response = await fetch(`${plane.url}/admin/rpc`, {
    method: "POST",
    headers: { authorization: `Bearer ${plane.token}`, "content-type": "application/json" },
    body: JSON.stringify(body)
  })
  const answer = (await response.json()) as { ok: boolean; result?: any; error?: unknown }
  if (response.status !== 200 || !answer.ok) throw new Error(`${body._tag}: ${response.status} ${JSON.stringify(answer)}`)
  return answer.result
}

const workspace = "audit"

/** Every envelope of the log, fetched in small pages so that paging itself is exercised. */
const exportLog = async (): Promise<Array<Record<string, unknown>>> => {
  const events: Array<Record<string, unknown>> = []
  let from: number | null = 1
  while (from !== null) {
    const page: { events: Array<Record<string, unknown>>; next: number | null } = await rpc({
      _tag: "ListEvents",
      workspace,
      from,
      limit: 2
    })
    events.push(...page.events)
    from = page.next
  }
  return events
}

const writeNdjson = (dir: string, name: string, lines: ReadonlyArray<string>) => {
  const path = join(dir, name)
  writeFileSync(path, lines.map((l) => `${l}\n`).join(""))
  return path
}

it("accepts a real export and names the first bad seq of a tampered or shortened copy", async () => {
  await rpc({ _tag: "CreateWorkspace", workspace })
  await rpc({ _tag: "AddMember", workspace, member: "jürgen@example.com", role: "owner" })
  await rpc({ _tag: "RegisterAgent", workspace, agent: "bot", owner: "jürgen@example.com" })
  await rpc({
    _tag: "InstallPlugin",
    workspace,
    plugin: "github",
    // The real test upstream (test/global-setup.ts): install connects and discovers its tools.
    url: new URL(`/ns/${crypto.randomUUID()}/mcp`, inject("upstreamUrl")).href,
    transport: "streamable-http",
    auth: "none"
  })
  // Non-ASCII, a newline and a quote, so the JCS string escaping and the UTF-8 encoding both matter.
  await rpc({ _tag: "SetPolicy", workspace, policy: "default", text: '// Zugriff für "bot" ✓\npermit(principal, action, resource);' })
  await rpc({ _tag: "SuspendAgent", workspace, agent: "bot", reason: "rotating keys" })
  await rpc({ _tag: "RevokeAgent", workspace, agent: "bot" })

  const events = await exportLog()
  // InstallPlugin appends three kinds of event: PluginInstalled, ToolsDiscovered, one ToolApproved per tool.
  const head = 8 + UPSTREAM_TOOLS.length
  expect(events.map((e) => e.seq)).toEqual(Array.from({ length: head }, (_, i) => i + 1))
  const lines = events.map((e) => JSON.stringify(e))
  const dir = mkdtempSync(join(tmpdir(), "berth-audit-"))

  // The real export verifies, and its head is the head the plane reports.
  const verdict = verifyExport(writeNdjson(dir, "export.ndjson", lines))
  const served = await rpc({ _tag: "VerifyLog", workspace })
  expect(served).toMatchObject({ ok: true, count: head, headSeq: head })
  expect(verdict).toEqual({ ok: true, count: head, headHash: served.headHash })

  // One byte of seq 4's data changed (github -> githuc): seq 4 no longer matches its hash.
  const tampered = [...lines]
  expect(tampered[3]).toContain('"plugin":"github"')
  tampered[3] = tampered[3]!.replace('"plugin":"github"', '"plugin":"githuc"')
  expect(verifyExport(writeNdjson(dir, "tampered.ndjson", tampered))).toMatchObject({
    ok: false,
    seq: 4,
    reason: expect.stringContaining("does not match the recomputed")
  })

  // The line of seq 3 removed: the chain breaks where seq 3 should be.
  const shortened = lines.filter((_, i) => i !== 2)
  expect(verifyExport(writeNdjson(dir, "shortened.ndjson", shortened))).toEqual({
    ok: false,
    seq: 3,
    reason: "expected seq 3, found 4"
  })

  // A removed last line leaves a valid prefix: only the head from the plane (or a signed anchor) shows it.
  const truncated = verifyExport(writeNdjson(dir, "truncated.ndjson", lines.slice(0, -1)))
  expect(truncated).toMatchObject({ ok: true, count: head - 1 })
  expect(truncated.ok && truncated.headHash).not.toBe(served.headHash)
})
