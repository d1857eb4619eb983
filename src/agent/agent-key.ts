// Agent API keys: `berth_{workspace}_{secret}`, the secret 32 random bytes, shown once. Only the
// sha256 is kept, so a leaked log or projection cannot be turned back into a key. The workspace in
// the key lets the endpoint tell "a key for another workspace" (403) from "no such key" (401).
import { wasmSha256Hex } from "../workspace/sha256-wasm.ts"

const PREFIX = "berth_"

export const hashAgentKey = (key: string): string => wasmSha256Hex(key)

const base64url = (bytes: Uint8Array) =>
  btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "")

export const mintAgentKey = (workspace: string) => {
  const key = `${PREFIX}${workspace}_${base64url(crypto.getRandomValues(new Uint8Array(32)))}`
  return { key, keyHash: hashAgentKey(key), keyPrefix: key.slice(0, PREFIX.length + workspace.length + 7) }
}

/** The workspace a key claims to belong to; a slug has no '_', so the first one ends it. */
export const keyWorkspace = (key: string): string | undefined => {
  if (!key.startsWith(PREFIX)) return undefined
  const end = key.indexOf("_", PREFIX.length)
  return end > PREFIX.length ? key.slice(PREFIX.length, end) : undefined
}
