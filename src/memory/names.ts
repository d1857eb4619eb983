// How memory is addressed: a namespace path (`team`, `team/runbooks`, `agent/support-bot`) and a key
// within it. Paths, so a policy can grant a subtree (Cedar: each namespace sits in its parents).
import { Schema } from "effect"

const SEGMENT = /^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,62}[A-Za-z0-9])?$/
export const MAX_DEPTH = 8

const namespaceRule = (s: string): true | string => {
  const segments = s.split("/")
  if (segments.length > MAX_DEPTH) return `a namespace is at most ${MAX_DEPTH} segments`
  return (
    segments.every((segment) => SEGMENT.test(segment)) ||
    "a namespace is one or more '/'-separated segments of 1-64 letters, digits, '.', '_' or '-' (each starting and ending with a letter or digit), such as team/runbooks"
  )
}

export const MemoryNamespace = Schema.String.check(Schema.makeFilter(namespaceRule))

/** SQLite stores text as UTF-8: a lone surrogate would come back as U+FFFD, another key. */
const wellFormed = Schema.makeFilter((s: string) => s.isWellFormed() || "must be well-formed Unicode (no lone surrogates)")

/** No '/': the last segment of `berth://memory/<namespace>/<key>` is the key. */
export const MemoryKey = Schema.String.check(
  wellFormed,
  Schema.isPattern(/^[^/\u0000-\u001f\u007f-\u009f]{1,256}$/, { message: "a key is 1-256 characters, without '/' or control characters" })
)

export const MemoryTag = Schema.String.check(
  wellFormed,
  Schema.isPattern(/^[^\s,\u0000-\u001f\u007f-\u009f]{1,64}$/, { message: "a tag is 1-64 characters, without spaces, commas or control characters" })
)
export const MAX_TAGS = 16

/** A namespace and each namespace above it, nearest first: `team/runbooks` → [`team`]. */
export const parentNamespaces = (namespace: string): Array<string> => {
  const segments = namespace.split("/")
  return segments.slice(0, -1).map((_, i) => segments.slice(0, segments.length - 1 - i).join("/"))
}

/** The agent a namespace belongs to: `agent/<name>` and everything under it. */
export const namespaceAgent = (namespace: string): string | undefined => {
  const [first, second] = namespace.split("/")
  return first === "agent" && second !== undefined ? second : undefined
}

/** Whether `namespace` is `prefix` or sits under it. */
export const withinNamespace = (namespace: string, prefix: string) => namespace === prefix || namespace.startsWith(`${prefix}/`)
