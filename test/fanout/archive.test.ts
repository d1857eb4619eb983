// The R2 audit archive against real R2 and Durable Object storage in workerd: sealing by count and
// by age, recovery from a crash between the R2 write and the cursor update, and verification that
// catches a flipped byte, an edited manifest and a rewritten event.
import { runInDurableObject } from "cloudflare:test"
import { env } from "cloudflare:workers"
import { describe, expect, it } from "vitest"
import type { Envelope } from "../../events/index.ts"
import type { Manifest } from "../../projections/archive/manifest.ts"
import { signingInput } from "../../projections/archive/manifest.ts"
import { decodeSegment, encodeSegment, manifestKey, sha256Hex } from "../../projections/archive/segment.ts"
import { loadSigner } from "../../projections/archive/signing.ts"
import { type ArchiveSource, verifyArchive } from "../../projections/archive/verify.ts"
import { Archiver } from "../../src/fanout/archiver.ts"
import { Cursors } from "../../src/fanout/cursors.ts"
import { EventLog } from "../../src/workspace/event-log.ts"
import { admin, freshSlug, workspace } from "../workspace/workspace-client.ts"
import { settle } from "./fanout-client.ts"

const r2: ArchiveSource = {
  read: async (key) => {
    const object = await env.AUDIT.get(key)
    return object ? new Uint8Array(await object.arrayBuffer()) : null
  }
}

/** A workspace of `events` events: its creation, then agent registrations. */
const workspaceOf = async (events: number) => {
  const slug = freshSlug("arc")
  await workspace(slug).execute({ _tag: "CreateWorkspace", workspace: slug }, admin)
  for (let i = 1; i < events; i++)
    await workspace(slug).execute({ _tag: "RegisterAgent", agent: `a${i}`, keyHash: i.toString(16).padStart(64, "0"), keyPrefix: "berth_t" }, admin)
  return slug
}

const objectKeys = async (slug: string) => (await env.AUDIT.list({ prefix: `audit/${slug}/` })).objects.map((o) => o.key).sort()

const manifestOf = async (slug: string): Promise<Manifest> => JSON.parse(await (await env.AUDIT.get(manifestKey(slug)))!.text())

const verify = (slug: string) => verifyArchive(r2, slug, env.TEST_AUDIT_PUBLIC_KEY)

/** Every segment of the manifest is an object, and no other object is: no orphan, no duplicate range. */
const expectTiled = async (slug: string, head: number) => {
  const manifest = await manifestOf(slug)
  expect(await objectKeys(slug)).toEqual([...manifest.segments.map((s) => s.key), manifestKey(slug)].sort())
  let next = 1
  for (const s of manifest.segments) {
    expect(s.firstSeq).toBe(next)
    next = s.lastSeq + 1
  }
  expect(next - 1).toBe(head)
  return manifest
}

/** An Archiver over the workspace's own storage, as the object builds it, with other settings. */
const archiverIn = (state: DurableObjectState, slug: string, settings = { segmentEvents: 25, sealSeconds: 60 }) => {
  const log = new EventLog(state.storage.sql)
  return new Archiver(env.AUDIT, slug, log, new Cursors(state.storage.sql), state.storage, env.BERTH_AUDIT_SIGNING_KEY, settings)
}

describe("sealing", () => {
  it("seals every N events from the alarm, and seal-now seals the rest; the archive verifies to the log's head", async () => {
    const slug = await workspaceOf(31)
    const sealed = await settle(slug, (p) => p.archive.segments >= 1)
    expect(sealed.archive).toMatchObject({ cursor: 25, lag: 6, lastError: null })
    expect(await objectKeys(slug)).toEqual([`audit/${slug}/1-25.ndjson.gz`, manifestKey(slug)])

    const status = await workspace(slug).sealArchive()
    expect(status).toMatchObject({ cursor: 31, lag: 0, segments: 2 })
    const manifest = await expectTiled(slug, 31)
    expect(manifest.segments.map((s) => [s.firstSeq, s.lastSeq])).toEqual([[1, 25], [26, 31]])
    const { seq, hash } = await workspace(slug).snapshot()
    expect(await verify(slug)).toMatchObject({ ok: true, segments: 2, events: 31, headSeq: seq, headHash: hash })
    // A segment holds the log's envelopes exactly as stored.
    const first = await decodeSegment(new Uint8Array(await (await env.AUDIT.get(manifest.segments[0]!.key))!.arrayBuffer()))
    expect(first).toEqual(await workspace(slug).events(1, 25))
  })

  it("seals whatever is unsealed once its oldest event is T seconds old", async () => {
    const slug = await workspaceOf(3)
    await runInDurableObject(env.WORKSPACE.getByName(slug), async (_instance, state) => {
      const archiver = archiverIn(state, slug, { segmentEvents: 1000, sealSeconds: 1 })
      await archiver.ready()
      const oldest = Date.parse((await workspace(slug).events(1, 1))[0]!.at)
      expect(archiver.due()).toBe(oldest + 1000)
      await new Promise((r) => setTimeout(r, Math.max(0, oldest + 1000 - Date.now())))
      expect(await archiver.seal()).toMatchObject({ cursor: 3, lag: 0, segments: 1 })
      expect(archiver.due()).toBeNull()
    })
    await expectTiled(slug, 3)
  })

  it("pauses, and says why, when the plane has no signing key", async () => {
    const slug = await workspaceOf(2)
    await runInDurableObject(env.WORKSPACE.getByName(slug), async (_instance, state) => {
      const log = new EventLog(state.storage.sql)
      const archiver = new Archiver(env.AUDIT, slug, log, new Cursors(state.storage.sql), state.storage, undefined, { segmentEvents: 1, sealSeconds: 1 })
      await archiver.ready()
      expect(archiver.due()).toBeNull()
      expect(await archiver.seal()).toMatchObject({ cursor: 0, lag: 2, keyId: null, lastError: expect.stringContaining("BERTH_AUDIT_SIGNING_KEY is not set") })
    })
  })
})

describe("a crash between the R2 write and the cursor update", () => {
  it("redoes the same range after the restart: no gap, no duplicate, the archive verifies", async () => {
    const slug = await workspaceOf(10)
    const stub = env.WORKSPACE.getByName(slug)
    // Plan and write a seal with the object's own storage, then reset the object before it commits.
    await expect(
      runInDurableObject(stub, async (_instance, state) => {
        const archiver = archiverIn(state, slug)
        const signer = await loadSigner(env.BERTH_AUDIT_SIGNING_KEY!)
        const plan = archiver.plan()!
        expect(plan).toEqual({ firstSeq: 1, lastSeq: 10 })
        await archiver.write(plan, signer)
        state.abort("crash after the R2 write, before the cursor update")
      })
    ).rejects.toThrow()
    expect(await objectKeys(slug)).toEqual([`audit/${slug}/1-10.ndjson.gz`, manifestKey(slug)])

    // The restarted object sees the uncommitted plan; more events arrive before its alarm runs.
    for (let i = 0; i < 30; i++)
      await workspace(slug).execute({ _tag: "RegisterAgent", agent: `late${i}`, keyHash: (1000 + i).toString(16).padStart(64, "0"), keyPrefix: "berth_t" }, admin)
    const recovered = await settle(slug, (p) => p.archive.cursor >= 10 && p.archive.attempts === 0)
    expect(recovered.archive.cursor).toBeGreaterThanOrEqual(10)
    await workspace(slug).sealArchive()
    const manifest = await expectTiled(slug, 40)
    // The redo kept the planned range rather than sealing a bigger first segment over it.
    expect(manifest.segments[0]).toMatchObject({ firstSeq: 1, lastSeq: 10 })
    expect(await verify(slug)).toMatchObject({ ok: true, headSeq: 40 })
  })
})

describe("verification catches tampering", () => {
  const sealedWorkspace = async () => {
    const slug = await workspaceOf(60)
    await settle(slug, (p) => p.archive.segments >= 2)
    await workspace(slug).sealArchive()
    const manifest = await manifestOf(slug)
    expect(manifest.segments.length).toBe(3)
    return { slug, manifest }
  }
  const bytesOf = async (key: string) => new Uint8Array(await (await env.AUDIT.get(key))!.arrayBuffer())

  it("one flipped byte in a segment: fails on that segment's sha256, naming it and its first seq", async () => {
    const { slug, manifest } = await sealedWorkspace()
    const middle = manifest.segments[1]!
    const bytes = await bytesOf(middle.key)
    bytes[Math.floor(bytes.length / 2)]! ^= 0x01
    await env.AUDIT.put(middle.key, bytes)
    expect(await verify(slug)).toMatchObject({ ok: false, segment: middle.key, firstBadSeq: middle.firstSeq, reason: expect.stringContaining("sha256") })
  })

  it("an edited manifest: fails on the signature", async () => {
    const { slug, manifest } = await sealedWorkspace()
    const edited = { ...manifest, segments: manifest.segments.map((s, i) => (i === 1 ? { ...s, sealedAt: "2020-01-01T00:00:00.000Z" } : s)) }
    await env.AUDIT.put(manifestKey(slug), JSON.stringify(edited))
    expect(await verify(slug)).toMatchObject({ ok: false, segment: manifestKey(slug), reason: expect.stringContaining("signature") })
  })

  it("a rewritten event with a consistent sha256 and a re-signed manifest: the chain names the first bad seq", async () => {
    // Even someone holding the signing key cannot rewrite history without breaking the hash chain.
    const { slug, manifest } = await sealedWorkspace()
    const middle = manifest.segments[1]!
    const events: Array<Envelope> = await decodeSegment(await bytesOf(middle.key))
    const target = events[3]!
    events[3] = { ...target, data: { ...(target.data as object), agent: "mallory" } }
    const bytes = await encodeSegment(events)
    await env.AUDIT.put(middle.key, bytes)
    const sha256 = await sha256Hex(bytes)
    const { signature: _, ...unsigned } = manifest
    const forged = { ...unsigned, segments: manifest.segments.map((s) => (s.key === middle.key ? { ...s, sha256, bytes: bytes.byteLength } : s)) }
    const signer = await loadSigner(env.BERTH_AUDIT_SIGNING_KEY!)
    const signature = { alg: "Ed25519", keyId: signer.keyId, value: await signer.sign(signingInput(forged)) }
    await env.AUDIT.put(manifestKey(slug), JSON.stringify({ ...forged, signature }))
    expect(await verify(slug)).toMatchObject({ ok: false, segment: middle.key, firstBadSeq: target.seq })
  })

  it("a missing segment, and a key that is not the trusted one", async () => {
    const { slug, manifest } = await sealedWorkspace()
    expect(await verifyArchive(r2, slug, "0".repeat(43))).toMatchObject({ ok: false, reason: expect.stringMatching(/not the trusted key/) })
    await env.AUDIT.delete(manifest.segments[2]!.key)
    expect(await verify(slug)).toMatchObject({ ok: false, segment: manifest.segments[2]!.key, firstBadSeq: manifest.segments[2]!.firstSeq })
  })
})
