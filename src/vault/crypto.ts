// The vault's cryptography, all WebCrypto (async, so it runs at the object's method boundary, never
// inside a transaction). BERTH_VAULT_KEY → HKDF-SHA-256, with the workspace's slug in `info`, gives
// each workspace its own wrapping key, fingerprint key and key id. Each credential gets a random
// AES-256-GCM data key; the value is sealed under it, and the data key is wrapped (AES-GCM) under
// the workspace's wrapping key. Deleting the wrapped key and the ciphertext shreds the value.
const utf8 = new TextEncoder()
const SALT = utf8.encode("berth-vault-v1")
const IV_BYTES = 12

export interface VaultKeys {
  readonly wrap: CryptoKey
  readonly fingerprint: CryptoKey
  /** Names the BERTH_VAULT_KEY a row was wrapped under (16 hex digits, derived, not secret). */
  readonly keyId: string
}

/** What the vault stores for one credential: nothing in it is the value, or a key to it unwrapped. */
export interface SealedCredential {
  readonly credential: string
  readonly keyId: string
  /** IV ‖ AES-GCM(wrapping key, data key), bound to the credential's name. */
  readonly wrappedKey: Uint8Array
  /** IV ‖ AES-GCM(data key, value), bound to the credential's name. */
  readonly ciphertext: Uint8Array
}

const hex = (bytes: ArrayBuffer | Uint8Array) =>
  Array.from(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes), (b) => b.toString(16).padStart(2, "0")).join("")

const hkdf = (info: string) => ({ name: "HKDF", hash: "SHA-256", salt: SALT, info: utf8.encode(info) })

export const deriveVaultKeys = async (secret: string, workspace: string): Promise<VaultKeys> => {
  const base = await crypto.subtle.importKey("raw", utf8.encode(secret), "HKDF", false, ["deriveKey", "deriveBits"])
  const [wrap, fingerprint, keyId] = await Promise.all([
    crypto.subtle.deriveKey(hkdf(`wrap\n${workspace}`), base, { name: "AES-GCM", length: 256 }, false, ["encrypt", "decrypt"]),
    crypto.subtle.deriveKey(hkdf(`fingerprint\n${workspace}`), base, { name: "HMAC", hash: "SHA-256", length: 256 }, false, ["sign"]),
    crypto.subtle.deriveBits(hkdf(`key-id\n${workspace}`), base, 64)
  ])
  return { wrap, fingerprint, keyId: hex(keyId) }
}

/** A keyed hash of the value: recognisable by whoever holds the value and the vault key, useless to anyone else. */
export const fingerprintOf = async (keys: VaultKeys, value: string): Promise<string> =>
  hex(await crypto.subtle.sign("HMAC", keys.fingerprint, utf8.encode(value))).slice(0, 32)

const gcm = (iv: Uint8Array, purpose: string, credential: string) => ({
  name: "AES-GCM",
  iv,
  additionalData: utf8.encode(`${purpose}\n${credential}`)
})

const encrypt = async (key: CryptoKey, purpose: string, credential: string, plain: Uint8Array) => {
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES))
  const sealed = new Uint8Array(await crypto.subtle.encrypt(gcm(iv, purpose, credential), key, plain))
  const out = new Uint8Array(IV_BYTES + sealed.byteLength)
  out.set(iv)
  out.set(sealed, IV_BYTES)
  return out
}

const decrypt = async (key: CryptoKey, purpose: string, credential: string, sealed: Uint8Array) =>
  new Uint8Array(await crypto.subtle.decrypt(gcm(sealed.subarray(0, IV_BYTES), purpose, credential), key, sealed.subarray(IV_BYTES)))

const dataKey = (raw: Uint8Array, usage: "encrypt" | "decrypt") => crypto.subtle.importKey("raw", raw, "AES-GCM", false, [usage])

export const seal = async (keys: VaultKeys, credential: string, value: string): Promise<SealedCredential> => {
  const raw = crypto.getRandomValues(new Uint8Array(32))
  try {
    const [wrappedKey, ciphertext] = await Promise.all([
      encrypt(keys.wrap, "data-key", credential, raw),
      dataKey(raw, "encrypt").then((key) => encrypt(key, "value", credential, utf8.encode(value)))
    ])
    return { credential, keyId: keys.keyId, wrappedKey, ciphertext }
  } finally {
    raw.fill(0)
  }
}

export const unseal = async (keys: VaultKeys, sealed: SealedCredential): Promise<string> => {
  const raw = await decrypt(keys.wrap, "data-key", sealed.credential, sealed.wrappedKey)
  try {
    return new TextDecoder().decode(await decrypt(await dataKey(raw, "decrypt"), "value", sealed.credential, sealed.ciphertext))
  } finally {
    raw.fill(0)
  }
}

/** The same data key wrapped under other keys (key rotation): the ciphertext is untouched. */
export const rewrap = async (from: VaultKeys, to: VaultKeys, sealed: SealedCredential): Promise<SealedCredential> => {
  const raw = await decrypt(from.wrap, "data-key", sealed.credential, sealed.wrappedKey)
  try {
    return { ...sealed, keyId: to.keyId, wrappedKey: await encrypt(to.wrap, "data-key", sealed.credential, raw) }
  } finally {
    raw.fill(0)
  }
}
