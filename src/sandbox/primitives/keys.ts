// The key a script names, checked and placed under its workspace's own prefix. A script names keys
// only within its workspace: the prefix is the plane's, and a key cannot climb out of it.
export const MAX_KEY_BYTES = 512

const utf8 = new TextEncoder()

/** Why `key` is refused, or undefined. */
export const keyRule = (key: unknown): string | undefined => {
  if (typeof key !== "string" || key.length === 0) return "a key is a non-empty string"
  if (utf8.encode(key).byteLength > MAX_KEY_BYTES) return `a key is at most ${MAX_KEY_BYTES} bytes`
  // Control characters, and path segments that could read as another place to a person or a tool.
  if (/[\u0000-\u001f\u007f]/.test(key)) return "a key has no control characters"
  if (key.startsWith("/") || key.split("/").some((segment) => segment === "." || segment === ".." || segment === ""))
    return "a key's '/'-separated segments are non-empty and not '.' or '..'"
  return undefined
}

/** `kind/<workspace>/<key>`: where the plane keeps a workspace's `kind` (storage, cache). */
export const scopedKey = (kind: string, workspace: string, key: string) => `${kind}/${workspace}/${key}`
