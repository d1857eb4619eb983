// Seals this workspace's log into R2: every N events, or once the oldest unsealed event is T seconds
// old, the next run of the log becomes a gzip NDJSON segment, and the signed manifest is rewritten
// to list it. A seal is planned before anything is written and the plan is kept until the seal
// commits, so a crash anywhere in between redoes the same range: same key, no gap, no duplicate.
import { type Manifest, MANIFEST_FORMAT, type SegmentEntry, signingInput, type UnsignedManifest } from "../../projections/archive/manifest.ts"
import { encodeSegment, manifestKey, segmentKey, sha256Hex } from "../../projections/archive/segment.ts"
import { type AuditSigner, loadSigner } from "../../projections/archive/signing.ts"
import type { EventLog } from "../workspace/event-log.ts"
import { type Cursors, describeError } from "./cursors.ts"
import { SerialQueue } from "./serial-queue.ts"
import { type ArchiveStatus, lagOf } from "./status.ts"
import { positiveInteger } from "../settings.ts"

export interface ArchiveSettings {
  /** Seal as soon as this many events are unsealed. */
  readonly segmentEvents: number
  /** Seal whatever is unsealed once its oldest event is this old. */
  readonly sealSeconds: number
}

/**
 * Each seal adds one manifest entry and rewrites the manifest, so the age trigger sets how fast a
 * quiet workspace's manifest grows: hourly, a workspace that sees an event now and then adds at most
 * 8,760 entries a year (about 3 MB). `berth audit seal` seals at once when an audit needs it.
 */
export const DEFAULT_ARCHIVE_SETTINGS: ArchiveSettings = { segmentEvents: 1000, sealSeconds: 3600 }


export const archiveSettings = (env: { BERTH_ARCHIVE_SEGMENT_EVENTS?: string; BERTH_ARCHIVE_SEAL_SECONDS?: string }): ArchiveSettings => ({
  segmentEvents: positiveInteger(env.BERTH_ARCHIVE_SEGMENT_EVENTS, DEFAULT_ARCHIVE_SETTINGS.segmentEvents),
  sealSeconds: positiveInteger(env.BERTH_ARCHIVE_SEAL_SECONDS, DEFAULT_ARCHIVE_SETTINGS.sealSeconds)
})

/** A seal in progress: the range is fixed before the first byte goes to R2. */
export interface PlannedSeal {
  readonly firstSeq: number
  readonly lastSeq: number
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS archive_segments (
  first_seq INTEGER PRIMARY KEY,
  entry TEXT NOT NULL
);
`
const PLANNED = "archive:planned"

export class Archiver {
  readonly #bucket: R2Bucket
  readonly #workspace: string
  readonly #log: EventLog
  readonly #cursors: Cursors
  readonly #storage: DurableObjectStorage
  readonly #settings: ArchiveSettings
  readonly #signer: Promise<AuditSigner | string>
  #keyId: string | null = null
  /** Why the archive cannot seal (no usable signing key), or null. */
  #paused: string | null = null
  /** Seals run one at a time: each plans from the cursor the one before it committed. */
  readonly #queue = new SerialQueue()

  constructor(
    bucket: R2Bucket,
    workspace: string,
    log: EventLog,
    cursors: Cursors,
    storage: DurableObjectStorage,
    signingKey: string | undefined,
    settings: ArchiveSettings
  ) {
    this.#bucket = bucket
    this.#workspace = workspace
    this.#log = log
    this.#cursors = cursors
    this.#storage = storage
    this.#settings = settings
    storage.sql.exec(SCHEMA)
    // Without a key nothing can be signed, so the archive waits (its lag grows, and says why).
    const paused = (reason: string) => (this.#paused = reason)
    this.#signer = signingKey
      ? loadSigner(signingKey).then(
          (s) => ((this.#keyId = s.keyId), s),
          (e) => paused(`BERTH_AUDIT_SIGNING_KEY is not a base64 Ed25519 PKCS#8 key (${describeError(e)}); the archive is paused`)
        )
      : Promise.resolve(paused("BERTH_AUDIT_SIGNING_KEY is not set; the archive is paused"))
  }

  /** Resolves once the signing key has been read, so `due` knows whether sealing is possible. */
  async ready(): Promise<void> {
    await this.#signer
  }

  status(): ArchiveStatus {
    const lag = lagOf(this.#cursors.get("archive"), this.#log.head.seq)
    const segments = this.#storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM archive_segments").one().n
    return { ...lag, lastError: this.#paused ?? lag.lastError, segments, keyId: this.#keyId }
  }

  /** The committed segments in order: all of them, or those holding some seq in [from, to]. */
  entries(from = 1, to = Number.MAX_SAFE_INTEGER): Array<SegmentEntry> {
    return this.#storage.sql
      .exec<{ entry: string }>(
        "SELECT entry FROM archive_segments WHERE first_seq <= ? AND json_extract(entry, '$.lastSeq') >= ? ORDER BY first_seq",
        to,
        from
      )
      .toArray()
      .map((r) => JSON.parse(r.entry))
  }

  /** When the next seal should run (epoch ms), or null when nothing needs sealing. */
  due(): number | null {
    if (this.#paused !== null) return null
    const cursor = this.#cursors.get("archive")
    if (this.planned()) return cursor.nextAt
    const head = this.#log.head.seq
    if (cursor.seq >= head) return null
    if (head - cursor.seq >= this.#settings.segmentEvents) return cursor.nextAt
    // Only the time: this runs whenever the alarm is rescheduled, and a whole envelope is parsed JSON.
    // The row is there: retention never prunes past the archive's cursor.
    const oldest = this.#log.appendedAt(cursor.seq + 1)!
    return Math.max(cursor.nextAt, Date.parse(oldest) + this.#settings.sealSeconds * 1000)
  }

  planned(): PlannedSeal | undefined {
    return this.#storage.kv.get<PlannedSeal>(PLANNED)
  }

  /** Fixes the next segment's range, or returns the one already fixed by an interrupted seal. */
  plan(): PlannedSeal | undefined {
    const planned = this.planned()
    if (planned) return planned
    const first = this.#cursors.get("archive").seq + 1
    const last = Math.min(this.#log.head.seq, first + this.#settings.segmentEvents - 1)
    if (last < first) return undefined
    const seal = { firstSeq: first, lastSeq: last }
    this.#storage.kv.put(PLANNED, seal)
    return seal
  }

  /** Writes the planned segment and the re-signed manifest to R2. Both writes are overwrites of fixed keys. */
  async write(seal: PlannedSeal, signer: AuditSigner): Promise<SegmentEntry> {
    const events = this.#log.read(seal.firstSeq, seal.lastSeq - seal.firstSeq + 1)
    const first = events[0]
    const last = events[events.length - 1]
    if (!first || !last || first.seq !== seal.firstSeq || last.seq !== seal.lastSeq)
      throw new Error(`the log does not hold seq ${seal.firstSeq}..${seal.lastSeq}`)
    const bytes = await encodeSegment(events)
    const sha256 = await sha256Hex(bytes)
    const key = segmentKey(this.#workspace, seal.firstSeq, seal.lastSeq)
    // R2 checks the sha256 on arrival, so a corrupted upload fails here instead of landing. The type is
    // the gzip itself, not NDJSON with a gzip encoding: R2 would then inflate it for some clients, and a
    // mirror of the bucket would hold bytes that no longer match their sha256.
    await this.#bucket.put(key, bytes, { sha256, httpMetadata: { contentType: "application/gzip" } })
    const entry: SegmentEntry = {
      key,
      firstSeq: seal.firstSeq,
      lastSeq: seal.lastSeq,
      firstPrevHash: first.prevHash,
      lastHash: last.hash,
      sha256,
      bytes: bytes.byteLength,
      sealedAt: new Date().toISOString()
    }
    const manifest = await this.#sign({
      format: MANIFEST_FORMAT,
      workspace: this.#workspace,
      updatedAt: entry.sealedAt,
      segments: [...this.entries().filter((e) => e.firstSeq < seal.firstSeq), entry]
    }, signer)
    await this.#bucket.put(manifestKey(this.#workspace), JSON.stringify(manifest, null, 2), {
      httpMetadata: { contentType: "application/json" }
    })
    return entry
  }

  /** Records the seal: the segment row, the cursor and the cleared plan, in one transaction. */
  commit(entry: SegmentEntry): void {
    this.#storage.transactionSync(() => {
      this.#storage.sql.exec("INSERT OR REPLACE INTO archive_segments (first_seq, entry) VALUES (?, ?)", entry.firstSeq, JSON.stringify(entry))
      this.#cursors.advance("archive", entry.lastSeq)
      this.#storage.kv.delete(PLANNED)
    })
  }

  async #sign(unsigned: UnsignedManifest, signer: AuditSigner): Promise<Manifest> {
    return { ...unsigned, signature: { alg: "Ed25519", keyId: signer.keyId, value: await signer.sign(signingInput(unsigned)) } }
  }

  /** Seals the next segment if there is anything to seal. Failures back off; they never throw. */
  seal(): Promise<ArchiveStatus> {
    const work = async () => {
      const signer = await this.#signer
      if (typeof signer === "string") return this.status()
      const seal = this.plan()
      if (!seal) return this.status()
      try {
        this.commit(await this.write(seal, signer))
      } catch (error) {
        this.#cursors.fail("archive", describeError(error), Date.now())
      }
      return this.status()
    }
    return this.#queue.run(work)
  }

  /** Seals everything appended so far, segment by segment (`berth audit seal`). Stops at the first failure. */
  async sealAll(): Promise<ArchiveStatus> {
    const target = this.#log.head.seq
    for (;;) {
      const before = this.#cursors.get("archive").seq
      const status = await this.seal()
      if (status.cursor >= target || status.cursor === before) return status
    }
  }
}
