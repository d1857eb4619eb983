// The archive's signing key: Ed25519, so anyone holding the public key can check a manifest and
// only the plane, holding the private key as the Worker secret BERTH_AUDIT_SIGNING_KEY, can make one.
// The secret is the base64 PKCS#8 encoding of the private key (`berth audit keygen` prints one).
import { Buffer } from "node:buffer"
import { sha256Hex } from "./segment.ts"

const ED25519 = { name: "Ed25519" } as const

export interface AuditSigner {
  /** The raw 32-byte public key, base64url (a JWK's `x`). */
  readonly publicKey: string
  readonly keyId: string
  sign(bytes: Uint8Array): Promise<string>
}

export const keyIdOf = async (publicKey: string): Promise<string> =>
  (await sha256Hex(new Uint8Array(Buffer.from(publicKey, "base64url")))).slice(0, 16)

/** Reads BERTH_AUDIT_SIGNING_KEY; throws with the reason if it is not an Ed25519 PKCS#8 key. */
export const loadSigner = async (pkcs8Base64: string): Promise<AuditSigner> => {
  const der = new Uint8Array(Buffer.from(pkcs8Base64.trim(), "base64"))
  const key = await crypto.subtle.importKey("pkcs8", der, ED25519, true, ["sign"])
  const { x } = (await crypto.subtle.exportKey("jwk", key)) as JsonWebKey
  if (!x) throw new Error("the key has no public part")
  return {
    publicKey: x,
    keyId: await keyIdOf(x),
    sign: async (bytes) => Buffer.from(await crypto.subtle.sign(ED25519, key, bytes as Uint8Array<ArrayBuffer>)).toString("base64")
  }
}

export const verifySignature = async (publicKey: string, bytes: Uint8Array, signature: string): Promise<boolean> => {
  const key = await crypto.subtle.importKey("raw", new Uint8Array(Buffer.from(publicKey, "base64url")), ED25519, false, ["verify"])
  return crypto.subtle.verify(ED25519, key, new Uint8Array(Buffer.from(signature, "base64")), bytes as Uint8Array<ArrayBuffer>)
}
