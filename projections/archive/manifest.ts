// The archive manifest: one per workspace, listing its sealed segments in order, signed with
// Ed25519 over the JCS of everything but the signature (docs/audit-format.md#the-manifest).
import canonicalize from "canonicalize"

export const MANIFEST_FORMAT = "berth-audit-manifest/1"

export interface SegmentEntry {
  readonly key: string
  readonly firstSeq: number
  readonly lastSeq: number
  /** The `prevHash` of the segment's first envelope: the hash of seq firstSeq − 1. */
  readonly firstPrevHash: string
  /** The `hash` of the segment's last envelope. */
  readonly lastHash: string
  /** sha256 of the object's bytes as stored (the gzip), lowercase hex. */
  readonly sha256: string
  readonly bytes: number
  readonly sealedAt: string
}

export interface ManifestSignature {
  readonly alg: "Ed25519"
  /** The first 16 hex digits of sha256 over the raw 32-byte public key. */
  readonly keyId: string
  /** base64 of the 64-byte signature. */
  readonly value: string
}

export interface UnsignedManifest {
  readonly format: typeof MANIFEST_FORMAT
  readonly workspace: string
  readonly updatedAt: string
  readonly segments: ReadonlyArray<SegmentEntry>
}

export interface Manifest extends UnsignedManifest {
  readonly signature: ManifestSignature
}

/** The bytes the signature covers: UTF-8 of JCS(manifest without `signature`). */
export const signingInput = (manifest: UnsignedManifest | Manifest): Uint8Array => {
  const { signature: _, ...unsigned } = manifest as Manifest
  return new TextEncoder().encode(canonicalize(unsigned)!)
}
