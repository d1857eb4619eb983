// An independent verifier of a Berth audit archive as a local copy of the R2 bucket, written from the
// manifest format and docs/audit-format.md alone: only node:crypto, node:zlib, node:fs and JCS, nothing from src/.
import canonicalize from "canonicalize"
import { createHash, createPublicKey, verify } from "node:crypto"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { gunzipSync } from "node:zlib"

export type ArchiveVerdict =
  | { ok: true; headSeq: number; headHash: string; events: number }
  | { ok: false; reason: string; firstBadSeq?: number; segment?: string }

interface Entry {
  key: string
  firstSeq: number
  lastSeq: number
  firstPrevHash: string
  lastHash: string
  sha256: string
  bytes: number
}

const GENESIS = "0".repeat(64)
const AT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/
const sha256 = (data: string | Uint8Array) => createHash("sha256").update(data).digest("hex")

/** Checks `dir/audit/<workspace>/manifest.json` and every segment it lists against a trusted base64url Ed25519 key. */
export const verifyArchiveDir = (dir: string, workspace: string, publicKey: string): ArchiveVerdict => {
  const read = (key: string) => readFileSync(join(dir, key))
  let manifest: any
  try { manifest = JSON.parse(read(`audit/${workspace}/manifest.json`).toString("utf8")) } catch { return { ok: false, reason: "no readable manifest" } }
  if (manifest.format !== "berth-audit-manifest/1" || manifest.workspace !== workspace) return { ok: false, reason: "not a manifest of this workspace" }

  // The signature covers the UTF-8 of JCS(manifest without `signature`); keyId is sha256(raw key)[0..16).
  const { signature, ...unsigned } = manifest
  const keyId = sha256(Buffer.from(publicKey, "base64url")).slice(0, 16)
  if (signature?.alg !== "Ed25519" || signature.keyId !== keyId) return { ok: false, reason: `signed by key ${signature?.keyId}, not ${keyId}` }
  const key = createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: publicKey }, format: "jwk" })
  if (!verify(null, Buffer.from(canonicalize(unsigned)!, "utf8"), key, Buffer.from(signature.value, "base64")))
    return { ok: false, reason: "the manifest's signature does not verify" }

  let seq = 0
  let prevHash = GENESIS
  let prevAt = ""
  for (const entry of manifest.segments as Array<Entry>) {
    const bad = (reason: string): ArchiveVerdict => ({ ok: false, reason, firstBadSeq: seq + 1, segment: entry.key })
    if (entry.key !== `audit/${workspace}/${entry.firstSeq}-${entry.lastSeq}.ndjson.gz`) return bad("key does not name its seqs")
    if (entry.firstSeq !== seq + 1 || entry.firstPrevHash !== prevHash) return bad("does not continue the segment before it")
    let bytes: Buffer
    try { bytes = read(entry.key) } catch { return bad("missing") }
    if (bytes.length !== entry.bytes || sha256(bytes) !== entry.sha256) return bad("sha256 does not match the manifest")
    let lines: Array<string>
    try { lines = gunzipSync(bytes).toString("utf8").split("\n") } catch { return bad("not gzip") }
    if (lines.at(-1) === "") lines.pop()
    for (const line of lines) {
      let e: any
      try { e = JSON.parse(line) } catch { return bad("line is not JSON") }
      if (e?.seq !== seq + 1 || e.prevHash !== prevHash) return bad(`expected seq ${seq + 1} after ${prevHash}`)
      if (typeof e.at !== "string" || !AT.test(e.at) || e.at < prevAt) return bad("at is malformed or goes backwards")
      const { hash, ...unhashed } = e
      if (sha256(`${prevHash}\n${canonicalize(unhashed)}`) !== hash) return bad(`hash of seq ${e.seq} does not match`)
      ;[seq, prevHash, prevAt] = [e.seq, hash, e.at]
    }
    if (seq !== entry.lastSeq || prevHash !== entry.lastHash) return bad(`ends at seq ${seq}, not the manifest's ${entry.lastSeq}`)
  }
  return { ok: true, headSeq: seq, headHash: prevHash, events: seq }
}
