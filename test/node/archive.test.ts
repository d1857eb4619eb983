// The signed R2 audit archive against a real plane, checked two ways: by the CLI (`berth audit …`,
// `replay --from-archive`) and by an independent verifier (./archive-verifier.ts) that shares no code
// with the plane. Also the D1 read models behind `runs --all-workspaces` and `projection rebuild`.
// One plane for the file, with 10-event segments so a few dozen events seal several.
import canonicalize from "canonicalize"
import { createHash, createPrivateKey, sign } from "node:crypto"
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { gunzipSync, gzipSync } from "node:zlib"
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client"
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest"
import { run } from "../../src/cli/main.ts"
import { TEST_AUDIT_SIGNING_KEY } from "../keys.ts"
import { verifyArchiveDir } from "./archive-verifier.ts"
import { PLANE_AUDIT_PUBLIC_KEY, startPlane } from "./plane.ts"
import { UPSTREAM_TOOLS } from "../mcp/upstream/tools.ts"

const WS = "ledger"

let plane: Awaited<ReturnType<typeof startPlane>>

const berth = async (argv: ReadonlyArray<string>) => {
  let out = ""
  let err = ""
  const code = await run(argv, {
    // The archive's key is pinned, as a compliance team would; without it the archive commands refuse to run.
    env: { BERTH_URL: plane.url, BERTH_ADMIN_TOKEN: plane.token, BERTH_AUDIT_PUBLIC_KEY: PLANE_AUDIT_PUBLIC_KEY },
    cwd: mkdtempSync(join(tmpdir(), "berth-archive-cwd-")),
    stdout: { write: (s: string) => void (out += s) },
    stderr: { write: (s: string) => void (err += s) }
  })
  return { code, out, err }
}
const w = (...argv: Array<string>) => berth(["-w", WS, ...argv])

const rpc = async (body: Record<string, unknown>): Promise<any> => {
  const response = await fetch(`${plane.url}/admin/rpc`, {
    method: "POST",
    headers: { authorization: `Bearer ${plane.token}`, "content-type": "application/json" },
    body: JSON.stringify(body)
  })
  const answer = (await response.json()) as { ok: boolean; result?: unknown }
  if (response.status !== 200 || !answer.ok) throw new Error(`${body._tag}: ${response.status} ${JSON.stringify(answer)}`)
  return answer.result
}

type Envelope = { seq: number; type: string; at: string; prevHash: string; hash: string; data: any }
const ndjson = (text: string): Array<Envelope> =>
  text
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l))

// The export verifier of docs/audit-format.md ("A verifier in JavaScript"), as in audit-verify.test.ts.
const GENESIS = "0".repeat(64)
const verifyExport = (lines: ReadonlyArray<Envelope>) => {
  let prevHash = GENESIS
  for (const [i, e] of lines.entries()) {
    const { hash, ...unhashed } = e
    const computed = createHash("sha256").update(`${prevHash}\n${canonicalize(unhashed)}`, "utf8").digest("hex")
    if (e.seq !== i + 1 || e.prevHash !== prevHash || hash !== computed) return { ok: false as const, seq: i + 1 }
    prevHash = hash
  }
  return { ok: true as const, count: lines.length, headHash: prevHash }
}

const until = async <A>(probe: () => Promise<A>, done: (a: A) => boolean, what: string): Promise<A> => {
  const deadline = Date.now() + 20_000
  for (;;) {
    const value = await probe()
    if (done(value)) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

/** Copies the workspace's archive (manifest and every segment it lists) into DIR/audit/<ws>/ through ReadArchiveObject. */
const mirror = async () => {
  const dir = mkdtempSync(join(tmpdir(), "berth-bucket-"))
  const fetchObject = async (key: string) => {
    const { bytes, base64 } = await rpc({ _tag: "ReadArchiveObject", workspace: WS, key })
    const body = Buffer.from(base64, "base64")
    expect(body.length).toBe(bytes)
    mkdirSync(dirname(join(dir, key)), { recursive: true })
    writeFileSync(join(dir, key), body)
    return body
  }
  const manifest = JSON.parse((await fetchObject(`audit/${WS}/manifest.json`)).toString("utf8"))
  for (const entry of manifest.segments) await fetchObject(entry.key)
  return { dir, manifest, path: (key: string) => join(dir, key) }
}

// Built once: 3 agents, a plugin of 6 tools, a policy, a suspension, and tool calls that record runs.
let head: { headSeq: number; headHash: string }
let sealed: { code: number; out: string }
let policySeq: number
let suspendSeq: number

beforeAll(async () => {
  plane = await startPlane({ segmentEvents: 10 })
  expect((await berth(["workspace", "create", WS])).code).toBe(0)
  const keys: Record<string, string> = {}
  for (const agent of ["bot", "ci", "ops"]) keys[agent] = JSON.parse((await w("agent", "register", agent, "--json")).out).key
  const upstream = new URL(`/ns/${crypto.randomUUID()}/mcp`, inject("upstreamUrl")).href
  expect((await w("plugin", "install", "up", "--url", upstream)).code).toBe(0)
  const cedar = join(mkdtempSync(join(tmpdir(), "berth-archive-policy-")), "default.cedar")
  writeFileSync(cedar, 'permit(principal, action == Action::"call_tool", resource) when { resource.plugin == "up" };\n')
  expect((await w("policy", "set", "default", "--file", cedar)).code).toBe(0)
  expect((await w("agent", "suspend", "ops", "--reason", "key leaked")).code).toBe(0)

  const client = new Client({ name: "archive-test-agent", version: "1.0.0" })
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`${plane.url}/w/${WS}/mcp`), { requestInit: { headers: { authorization: `Bearer ${keys.bot}` } } })
  )
  try {
    for (const text of ["one", "two", "three"]) await client.callTool({ name: "up__echo", arguments: { text } })
    await client.callTool({ name: "up__fail", arguments: {} })
  } finally {
    await client.close()
  }

  const log = ndjson((await w("events", "--json")).out)
  policySeq = log.find((e) => e.type === "PolicySet" && e.data.policy === "default")!.seq
  suspendSeq = log.find((e) => e.type === "AgentSuspended")!.seq
  sealed = await w("audit", "seal")
  head = await rpc({ _tag: "VerifyLog", workspace: WS })
}, 120_000)
afterAll(() => plane?.stop())

describe("audit export", () => {
  it("seals the whole log and exports it as NDJSON that an independent verifier accepts", async () => {
    expect(head.headSeq).toBeGreaterThanOrEqual(30)
    expect(sealed).toMatchObject({ code: 0, out: expect.stringMatching(new RegExp(`^sealed through seq ${head.headSeq}: \\d+ segments, 0 events unsealed\\n$`)) })

    const file = join(mkdtempSync(join(tmpdir(), "berth-export-")), "ledger.ndjson")
    const exported = await w("audit", "export", "-o", file)
    expect(exported.code).toBe(0)
    expect(exported.out).toBe("")
    expect(exported.err).toContain(`exported ${head.headSeq} events of ${WS} from the archive (sealed through seq ${head.headSeq}`)
    const lines = ndjson(readFileSync(file, "utf8"))
    expect(verifyExport(lines)).toEqual({ ok: true, count: head.headSeq, headHash: head.headHash })
    // Byte for byte the live log's envelopes.
    expect(readFileSync(file, "utf8")).toBe((await w("events", "--json")).out)
  })

  it("exports exactly a seq range, and refuses a malformed bound as a usage error", async () => {
    const live = (await w("events", "--json")).out
    const log = ndjson(live)
    const ranged = await w("audit", "export", "--from", "5", "--to", "12")
    expect(ranged.code).toBe(0)
    expect(ndjson(ranged.out).map((e) => e.seq)).toEqual([5, 6, 7, 8, 9, 10, 11, 12])
    expect(ranged.out).toBe(live.split("\n").slice(4, 12).map((l) => `${l}\n`).join(""))

    // By time: every event at or after the first bound and at or before the second (one command's events share an `at`).
    const [from, to] = [log[4]!.at, log[11]!.at]
    const byTime = await w("audit", "export", "--from", from, "--to", to)
    expect(byTime.code).toBe(0)
    expect(ndjson(byTime.out)).toEqual(log.filter((e) => e.at >= from && e.at <= to))
    expect(ndjson(byTime.out).map((e) => e.seq)).toContain(5)

    const bad = await w("audit", "export", "--from", "abc")
    expect(bad.code).toBe(2)
    expect(bad.out).toBe("")
    expect(bad.err).toContain('--from: expected a seq or an ISO-8601 time with a zone')
  })
})

describe("audit verify", () => {
  it("accepts the archive read through ReadArchiveObject, and names the segment of a flipped byte", async () => {
    const { dir, manifest, path } = await mirror()
    expect(manifest.segments.length).toBeGreaterThanOrEqual(3)
    expect(manifest.segments.at(-1).lastSeq).toBe(head.headSeq)
    expect(verifyArchiveDir(dir, WS, PLANE_AUDIT_PUBLIC_KEY)).toEqual({ ok: true, headSeq: head.headSeq, headHash: head.headHash, events: head.headSeq })

    const local = await w("audit", "verify", "--archive-dir", dir, "--public-key", PLANE_AUDIT_PUBLIC_KEY, "--json")
    expect(local.code).toBe(0)
    expect(JSON.parse(local.out)).toMatchObject({
      ok: true,
      segments: manifest.segments.length,
      events: head.headSeq,
      headSeq: head.headSeq,
      headHash: head.headHash,
      keyId: manifest.signature.keyId
    })
    const human = await w("audit", "verify", "--from-archive", "--public-key", PLANE_AUDIT_PUBLIC_KEY)
    expect(human.code).toBe(0)
    expect(human.out).toContain(`archive verifies: ${manifest.segments.length} segments, ${head.headSeq} events, head seq ${head.headSeq}`)

    const middle = manifest.segments[1]
    const original = readFileSync(path(middle.key))
    const flipped = Buffer.from(original)
    flipped[Math.floor(flipped.length / 2)]! ^= 0x01
    writeFileSync(path(middle.key), flipped)
    expect(verifyArchiveDir(dir, WS, PLANE_AUDIT_PUBLIC_KEY)).toMatchObject({ ok: false, segment: middle.key, firstBadSeq: middle.firstSeq })
    const tampered = await w("audit", "verify", "--archive-dir", dir, "--public-key", PLANE_AUDIT_PUBLIC_KEY)
    expect(tampered.code).toBe(1)
    expect(tampered.err).toContain(`first bad seq ${middle.firstSeq}, ${middle.key}`)
    expect(tampered.err).toContain("does not match its size and sha256")
    writeFileSync(path(middle.key), original)
    expect(verifyArchiveDir(dir, WS, PLANE_AUDIT_PUBLIC_KEY).ok).toBe(true)
  })

  it("fails on an edited manifest and on a key other than the plane's", async () => {
    const { dir, manifest, path } = await mirror()
    const manifestKey = `audit/${WS}/manifest.json`
    const served = await w("audit", "public-key", "--json")
    expect(JSON.parse(served.out)).toEqual({ alg: "Ed25519", publicKey: PLANE_AUDIT_PUBLIC_KEY, keyId: manifest.signature.keyId })

    // Only the signature covers sealedAt: everything else about the archive still checks out.
    const edited = structuredClone(manifest)
    edited.segments[1].sealedAt = new Date(Date.parse(edited.segments[1].sealedAt) + 1000).toISOString()
    writeFileSync(path(manifestKey), JSON.stringify(edited))
    expect(verifyArchiveDir(dir, WS, PLANE_AUDIT_PUBLIC_KEY)).toEqual({ ok: false, reason: "the manifest's signature does not verify" })
    const resealed = await w("audit", "verify", "--archive-dir", dir, "--public-key", PLANE_AUDIT_PUBLIC_KEY)
    expect(resealed.code).toBe(1)
    expect(resealed.err).toContain("the manifest's signature does not match its contents")
    writeFileSync(path(manifestKey), JSON.stringify(manifest))

    const keygen = await berth(["audit", "keygen", "--json"])
    expect(keygen.code).toBe(0)
    const other = JSON.parse(keygen.out) as { signingKey: string; publicKey: string }
    expect(other.publicKey).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(other.publicKey).not.toBe(PLANE_AUDIT_PUBLIC_KEY)
    const otherId = createHash("sha256").update(Buffer.from(other.publicKey, "base64url")).digest("hex").slice(0, 16)
    expect(verifyArchiveDir(dir, WS, other.publicKey)).toMatchObject({ ok: false, reason: expect.stringContaining(otherId) })
    // A base64url key may start with "-", which the argument parser would read as flags: one argument.
    const wrongKey = await w("audit", "verify", "--archive-dir", dir, `--public-key=${other.publicKey}`)
    expect(wrongKey.code).toBe(1)
    expect(wrongKey.err).toContain(`signed by key ${manifest.signature.keyId}, not the trusted key ${otherId}`)
    // The restored copy still verifies with the right key.
    expect((await w("audit", "verify", "--archive-dir", dir, "--public-key", PLANE_AUDIT_PUBLIC_KEY)).code).toBe(0)

    // No pinned key at all: the CLI refuses to take the plane's word for it.
    const unpinned = await run(["-w", WS, "audit", "verify", "--archive-dir", dir], {
      env: { BERTH_URL: plane.url, BERTH_ADMIN_TOKEN: plane.token },
      cwd: dir,
      stdout: { write: () => undefined },
      stderr: { write: () => undefined }
    })
    expect(unpinned).toBe(2)
  })

  it("--expect-head catches an archive rolled back to an older, validly signed manifest", async () => {
    const { dir, manifest, path } = await mirror()
    const last = manifest.segments.at(-1)!
    const head = `${last.lastSeq}:${last.lastHash}`
    expect((await w("audit", "verify", "--archive-dir", dir, "--expect-head", head)).code).toBe(0)
    // Roll back: drop the last segment from the manifest, re-sign it with the (test) key, delete the object.
    const { signature, ...unsigned } = manifest
    const older = { ...unsigned, segments: manifest.segments.slice(0, -1) }
    const key = createPrivateKey({ key: Buffer.from(TEST_AUDIT_SIGNING_KEY, "base64"), format: "der", type: "pkcs8" })
    writeFileSync(path(`audit/${WS}/manifest.json`), JSON.stringify({ ...older, signature: { ...signature, value: sign(null, Buffer.from(canonicalize(older)!), key).toString("base64") } }))
    rmSync(path(last.key))
    expect((await w("audit", "verify", "--archive-dir", dir)).code).toBe(0)
    const rolledBack = await w("audit", "verify", "--archive-dir", dir, "--expect-head", head)
    expect(rolledBack.code).toBe(1)
    expect(rolledBack.err).toContain(`before the expected head seq ${last.lastSeq}`)
    expect((await w("audit", "verify", "--archive-dir", dir, "--expect-head", "12:nothex")).code).toBe(2)
  })

  it("finds an edited envelope behind a consistent sha256 and a valid signature, at that envelope's seq", async () => {
    // What only the holder of the signing key could forge (the test key is at hand): the chain still catches it.
    const { dir, manifest, path } = await mirror()
    const entry = manifest.segments.find((s: { firstSeq: number; lastSeq: number }) => s.firstSeq <= policySeq && policySeq <= s.lastSeq)
    const lines = ndjson(gunzipSync(readFileSync(path(entry.key))).toString("utf8"))
    const policy = lines.find((e) => e.seq === policySeq)!
    policy.data.text = "permit(principal, action, resource);\n"
    const forged = gzipSync(lines.map((e) => `${JSON.stringify(e)}\n`).join(""))
    writeFileSync(path(entry.key), forged)
    Object.assign(entry, { sha256: createHash("sha256").update(forged).digest("hex"), bytes: forged.length })
    const { signature, ...unsigned } = manifest
    const key = createPrivateKey({ key: Buffer.from(TEST_AUDIT_SIGNING_KEY, "base64"), format: "der", type: "pkcs8" })
    const resigned = { ...unsigned, signature: { ...signature, value: sign(null, Buffer.from(canonicalize(unsigned)!), key).toString("base64") } }
    writeFileSync(path(`audit/${WS}/manifest.json`), JSON.stringify(resigned))

    expect(verifyArchiveDir(dir, WS, PLANE_AUDIT_PUBLIC_KEY)).toMatchObject({ ok: false, segment: entry.key, firstBadSeq: policySeq })
    const verified = await w("audit", "verify", "--archive-dir", dir, "--public-key", PLANE_AUDIT_PUBLIC_KEY)
    expect(verified.code).toBe(1)
    expect(verified.err).toContain(`first bad seq ${policySeq}, ${entry.key}`)
    const exported = await w("audit", "export", "--archive-dir", dir, "--public-key", PLANE_AUDIT_PUBLIC_KEY)
    expect(exported.code).toBe(1)
    expect(ndjson(exported.out).map((e) => e.seq)).toEqual(Array.from({ length: entry.firstSeq - 1 }, (_, i) => i + 1))
    // To a file, a failed export leaves nothing: not a shorter log that would verify on its own.
    const file = join(dir, "export.ndjson")
    const toFile = await w("audit", "export", "--archive-dir", dir, "--public-key", PLANE_AUDIT_PUBLIC_KEY, "-o", file)
    expect(toFile.code).toBe(1)
    expect([existsSync(file), existsSync(`${file}.partial`)]).toEqual([false, false])
  })

  it("fails with FileError, not a crash, when the output cannot be written", async () => {
    const unwritable = await w("audit", "export", "-o", join(tmpdir(), "no-such-dir", "x", "export.ndjson"))
    expect(unwritable.code).toBe(1)
    expect(unwritable.err).toContain("FileError")
  })
})

describe("replay --from-archive", () => {
  it("rebuilds the same state as the live log at a seq in the middle, and --agent narrows it", async () => {
    const at = String(suspendSeq - 1)
    const fromArchive = await w("replay", "--at", at, "--from-archive", "--public-key", PLANE_AUDIT_PUBLIC_KEY, "--json")
    const live = await w("state", "--at", at, "--json")
    expect([fromArchive.code, live.code, fromArchive.err, live.err]).toEqual([0, 0, "", ""])
    const [archived, logged] = [JSON.parse(fromArchive.out), JSON.parse(live.out)]
    expect(archived).toMatchObject({ seq: suspendSeq - 1, hash: logged.hash, at: logged.at, source: "archive" })
    for (const part of ["agents", "plugins", "tools", "policies"]) expect(archived.state[part]).toEqual(logged.state[part])
    // Before the suspension: ops is still active there, and the policy set at policySeq is in force.
    expect(policySeq).toBeLessThan(suspendSeq)
    expect(Object.keys(archived.state.agents)).toEqual(["bot", "ci", "ops"])
    expect(archived.state.agents.ops.status).toBe("active")
    expect(Object.keys(archived.state.policies).sort()).toEqual(["default", "starter"])
    expect(Object.keys(archived.state.tools)).toHaveLength(UPSTREAM_TOOLS.length)

    const narrowed = JSON.parse((await w("replay", "--at", at, "--from-archive", "--agent", "ops", "--json")).out)
    expect(Object.keys(narrowed.state.agents)).toEqual(["ops"])
    expect(narrowed.state.tools).toEqual(archived.state.tools)
    const later = JSON.parse((await w("replay", "--at", String(suspendSeq), "--from-archive", "--agent", "ops", "--json")).out)
    expect(later.state.agents.ops.status).toBe("suspended")
    // The plane evaluates the policies at the seq the archive proved: a suspended agent can call nothing.
    expect(later.callableTools).toEqual([])
    expect(Array.isArray(narrowed.callableTools)).toBe(true)
    const human = await w("replay", "--at", String(suspendSeq), "--agent", "ops")
    expect(human.out).toContain("tools ops could call (0)")
  })
})

describe("D1 read models", () => {
  it("rebuilds one workspace's read models and answers cross-workspace queries from them", async () => {
    await until(() => rpc({ _tag: "GetState", workspace: WS }), (s) => s.projections.d1.lag === 0, "D1 to catch up")
    const status = await w("projection", "status")
    expect(status.code).toBe(0)
    expect(status.out).toContain(`d1       lag 0  cursor ${head.headSeq}/${head.headSeq}`)
    expect(status.out).toMatch(new RegExp(`archive  lag 0  cursor ${head.headSeq}/${head.headSeq}  segments \\d+`))

    const rebuilt = await berth(["projection", "rebuild", "d1", "-w", WS, "--json"])
    expect(rebuilt.code).toBe(0)
    expect(JSON.parse(rebuilt.out)).toEqual({ rebuilt: [{ workspace: WS, events: head.headSeq }] })
    const human = await berth(["projection", "rebuild", "d1", "-w", WS])
    expect(human.code).toBe(0)
    expect(human.err).toContain(`${WS} ${head.headSeq}/${head.headSeq} events\n`)
    expect(human.err).toContain(`${WS}: rebuilt ${head.headSeq} events into D1`)

    const { events } = await rpc({ _tag: "QueryEvents", workspace: WS, limit: 1000 })
    expect(events).toHaveLength(head.headSeq)
    expect(events.map((e: { seq: number }) => e.seq).sort((a: number, b: number) => b - a)[0]).toBe(head.headSeq)
    expect(events.find((e: { seq: number }) => e.seq === head.headSeq).hash).toBe(head.headHash)

    const runs = await berth(["runs", "--all-workspaces", "--json"])
    expect(runs.code).toBe(0)
    const listed = JSON.parse(runs.out) as { runs: Array<{ workspace: string; agent: string; tool: string; status: string }>; next: string | null }
    expect(listed.runs.map((r) => [r.workspace, r.agent, r.tool, r.status])).toEqual([
      [WS, "bot", "up__fail", "error"],
      [WS, "bot", "up__echo", "ok"],
      [WS, "bot", "up__echo", "ok"],
      [WS, "bot", "up__echo", "ok"]
    ])
    const paged = JSON.parse((await berth(["runs", "--all-workspaces", "--limit", "3", "--json"])).out)
    expect(paged.runs).toEqual(listed.runs.slice(0, 3))
    const rest = JSON.parse((await berth(["runs", "--all-workspaces", "--cursor", paged.next, "--json"])).out)
    expect(rest).toEqual({ runs: listed.runs.slice(3), next: null })
  })
})
