// Agent API keys: 32 random bytes, shown once. Only the sha256 is kept, so a leaked log or
// projection cannot be turned back into a key.
import { sha256Hex } from "../workspace/sha256-hex.ts"

const PREFIX = "berth_"

export const hashAgentKey = (key: string): string => sha256Hex(key)

export const mintAgentKey = () => {
  const bytes = crypto.getRandomValues(new Uint8Array(32))
  const key = PREFIX + btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "")
  return { key, keyHash: hashAgentKey(key), keyPrefix: key.slice(0, PREFIX.length + 6) }
}
