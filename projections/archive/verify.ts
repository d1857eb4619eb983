// Reads and checks a workspace's audit archive from its objects alone: the manifest's signature,
// each segment's sha256, the chain inside and across segments. Used by `berth audit verify`,
// `audit export` and `replay --from-archive`; it needs only an ArchiveSource, never the Durable Object.
import type { Envelope } from "../../events/index.ts"
import { GENESIS_HASH } from "../../events/index.ts"
import { type ChainCheck, verifyChain } from "../../src/workspace/chain.ts"
import { type Manifest, MANIFEST_FORMAT, type SegmentEntry, signingInput } from "./manifest.ts"
import { decodeSegment, manifestKey, segmentKey, sha256Hex } from "./segment.ts"
import { keyIdOf, verifySignature } from "./signing.ts"

/** Where archived objects come from: R2, the plane's admin API, or a local copy of the bucket. */
export interface ArchiveSource {
  /** The object's bytes, or null if there is no such object. */
  read(key: string): Promise<Uint8Array | null>
}

export type ArchiveCheck =
  | { readonly ok: true; readonly segments: number; readonly events: number; readonly headSeq: number; readonly headHash: string; readonly keyId: string }
  | {
      readonly ok: false
      readonly reason: string
      /** The first seq the archive fails to prove, when the failure is inside the log. */
      readonly firstBadSeq?: number
      /** The segment at fault, when one is. */
      readonly segment?: string
      readonly checkedEvents: number
    }

export class ArchiveError extends Error {
  readonly segment: string | undefined
  readonly firstBadSeq: number | undefined
  constructor(reason: string, at: { segment?: string; firstBadSeq?: number } = {}) {
    super(reason)
    this.segment = at.segment
    this.firstBadSeq = at.firstBadSeq
  }
}

/** Reads and parses the manifest; throws ArchiveError if it is missing or not a manifest. */
export const readManifest = async (source: ArchiveSource, workspace: string): Promise<Manifest> => {
  const bytes = await source.read(manifestKey(workspace))
  if (bytes === null) throw new ArchiveError(`no archive manifest for workspace ${workspace} (nothing sealed yet?)`, { segment: manifestKey(workspace) })
  let manifest: Manifest
  try {
    manifest = JSON.parse(new TextDecoder().decode(bytes))
  } catch {
    throw new ArchiveError("the manifest is not valid JSON", { segment: manifestKey(workspace) })
  }
  if (manifest?.format !== MANIFEST_FORMAT || !Array.isArray(manifest.segments) || manifest.workspace !== workspace)
    throw new ArchiveError(`the manifest is not a ${MANIFEST_FORMAT} manifest for ${workspace}`, { segment: manifestKey(workspace) })
  return manifest
}

/** Checks the manifest's signature against a public key the caller trusts. */
export const checkSignature = async (manifest: Manifest, publicKey: string): Promise<string> => {
  const keyId = await keyIdOf(publicKey)
  const where = { segment: manifestKey(manifest.workspace) }
  if (manifest.signature?.alg !== "Ed25519") throw new ArchiveError("the manifest is not signed with Ed25519", where)
  if (manifest.signature.keyId !== keyId)
    throw new ArchiveError(`the manifest is signed by key ${manifest.signature.keyId}, not the trusted key ${keyId}`, where)
  const valid = await verifySignature(publicKey, signingInput(manifest), manifest.signature.value).catch(() => false)
  if (!valid) throw new ArchiveError("the manifest's signature does not match its contents", where)
  return keyId
}

/** Reads one segment, checking its bytes against the manifest entry before parsing them. */
export const readSegment = async (source: ArchiveSource, entry: SegmentEntry): Promise<Array<Envelope>> => {
  const where = { segment: entry.key, firstBadSeq: entry.firstSeq }
  const bytes = await source.read(entry.key)
  if (bytes === null) throw new ArchiveError(`segment ${entry.key} is missing`, where)
  if (bytes.byteLength !== entry.bytes || (await sha256Hex(bytes)) !== entry.sha256)
    throw new ArchiveError(`segment ${entry.key} does not match its size and sha256 in the manifest`, where)
  try {
    return await decodeSegment(bytes)
  } catch (error) {
    throw new ArchiveError(`segment ${entry.key} is not gzip NDJSON: ${error instanceof Error ? error.message : error}`, where)
  }
}

/** The manifest's entries must tile the log from seq 1: no gap, no overlap, each starting where the last ended. */
const checkTiling = (workspace: string, segments: ReadonlyArray<SegmentEntry>): void => {
  let next = 1
  let prevHash = GENESIS_HASH
  for (const entry of segments) {
    const where = { segment: entry.key, firstBadSeq: next }
    if (entry.key !== segmentKey(workspace, entry.firstSeq, entry.lastSeq)) throw new ArchiveError(`segment ${entry.key} is not named by its seqs`, where)
    if (entry.firstSeq !== next) throw new ArchiveError(`segment ${entry.key} starts at seq ${entry.firstSeq}, expected ${next}`, where)
    if (entry.firstPrevHash !== prevHash) throw new ArchiveError(`segment ${entry.key} does not continue the chain of the segment before it`, where)
    if (entry.lastSeq < entry.firstSeq) throw new ArchiveError(`segment ${entry.key} ends before it starts`, where)
    next = entry.lastSeq + 1
    prevHash = entry.lastHash
  }
}

/** The chain's links without the hashes: seq + 1 and prevHash = the previous hash, envelope by envelope. */
const followLinks = (envelopes: ReadonlyArray<Envelope>, genesis: { seq: number; hash: string }): ChainCheck => {
  let { seq, hash } = genesis
  for (const [count, e] of envelopes.entries()) {
    if (e.seq !== seq + 1) return { ok: false, count, firstBadSeq: seq + 1, reason: `expected seq ${seq + 1}, found ${e.seq}` }
    if (e.prevHash !== hash) return { ok: false, count, firstBadSeq: seq + 1, reason: `prevHash does not match the hash of seq ${seq}` }
    seq = e.seq
    hash = e.hash
  }
  return { ok: true, count: envelopes.length, headSeq: seq, headHash: hash }
}

/**
 * Every envelope of the archive with seq in [fromSeq, toSeq], in order, each segment checked
 * (sha256, chain, bounds) before any of its envelopes is yielded. The signature is checkSignature's job.
 */
export interface ReadOptions {
  readonly fromSeq?: number
  readonly toSeq?: number
  /**
   * Recompute every envelope's hash (the default). Off, each segment is still checked against its
   * sha256 and the envelopes' seq and prevHash links are followed, but hashes are not recomputed:
   * with a verified signature that proves the bytes are the plane's, which is what replay needs.
   */
  readonly rehash?: boolean
  /** Called after each segment is read and checked: its index in the manifest (from 0) and the manifest's length. */
  readonly onSegment?: (entry: SegmentEntry, index: number, total: number) => void
}

export async function* archivedEvents(source: ArchiveSource, manifest: Manifest, range: ReadOptions = {}): AsyncGenerator<Envelope> {
  checkTiling(manifest.workspace, manifest.segments)
  const from = range.fromSeq ?? 1
  const to = range.toSeq ?? Number.POSITIVE_INFINITY
  for (const [index, entry] of manifest.segments.entries()) {
    if (entry.lastSeq < from) continue
    if (entry.firstSeq > to) return
    const envelopes = await readSegment(source, entry)
    const genesis = { seq: entry.firstSeq - 1, hash: entry.firstPrevHash }
    const chain = range.rehash === false ? followLinks(envelopes, genesis) : verifyChain(envelopes, genesis)
    if (!chain.ok) throw new ArchiveError(`segment ${entry.key}: ${chain.reason}`, { segment: entry.key, firstBadSeq: chain.firstBadSeq })
    if (chain.headSeq !== entry.lastSeq || chain.headHash !== entry.lastHash)
      throw new ArchiveError(`segment ${entry.key} does not end at seq ${entry.lastSeq} with the manifest's last hash`, {
        segment: entry.key,
        firstBadSeq: Math.min(chain.headSeq + 1, entry.lastSeq)
      })
    range.onSegment?.(entry, index, manifest.segments.length)
    for (const e of envelopes) if (e.seq >= from && e.seq <= to) yield e
  }
}

export interface VerifyOptions {
  readonly onSegment?: ReadOptions["onSegment"]
  /** A head recorded earlier, (seq, hash): the archive must hold it. A rolled-back archive does not. */
  readonly expect?: { readonly seq: number; readonly hash: string }
}

/**
 * The whole check: signature, tiling, every segment's size, sha256 and chain, and optionally a head
 * recorded earlier. Damage and tampering are answered, not thrown; a source that cannot be read
 * (the plane unreachable, a file unreadable) is thrown as it came.
 */
export const verifyArchive = async (source: ArchiveSource, workspace: string, publicKey: string, options: VerifyOptions = {}): Promise<ArchiveCheck> => {
  let checkedEvents = 0
  try {
    const manifest = await readManifest(source, workspace)
    const keyId = await checkSignature(manifest, publicKey)
    let headSeq = 0
    let headHash = GENESIS_HASH
    let expected = options.expect === undefined
    for await (const e of archivedEvents(source, manifest, options.onSegment ? { onSegment: options.onSegment } : {})) {
      checkedEvents++
      headSeq = e.seq
      headHash = e.hash
      if (e.seq === options.expect?.seq) {
        if (e.hash !== options.expect.hash) throw new ArchiveError(`seq ${e.seq} has hash ${e.hash}, not the expected ${options.expect.hash}`, { firstBadSeq: e.seq })
        expected = true
      }
    }
    if (!expected)
      throw new ArchiveError(`the archive ends at seq ${headSeq}, before the expected head seq ${options.expect!.seq}: it may have been rolled back`, {
        firstBadSeq: headSeq + 1
      })
    return { ok: true, segments: manifest.segments.length, events: checkedEvents, headSeq, headHash, keyId }
  } catch (error) {
    if (!(error instanceof ArchiveError)) throw error
    return {
      ok: false,
      reason: error.message,
      checkedEvents,
      ...(error.segment === undefined ? {} : { segment: error.segment }),
      ...(error.firstBadSeq === undefined ? {} : { firstBadSeq: error.firstBadSeq })
    }
  }
}
