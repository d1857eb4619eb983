// Memory commands. A put or delete is one event whose actor is whoever wrote it; `ifVersion` makes it
// conditional (0: the entry must not exist). The vault's own values are checked at the object's
// boundary (memory.ts: the scrubber is async); decide checks everything else, reading only the state.
import canonicalize from "canonicalize"
import { Effect, Schema } from "effect"
import { event, ISO_8601_WITH_ZONE } from "../../events/index.ts"
import { memoryKey, type WorkspaceState } from "../../projections/state.ts"
import { SHAPES_ONLY } from "../runs/redact.ts"
import { requireWorkspace } from "../workspace/decider.ts"
import { MemoryNotFound, MemoryValueHasSecret, MemoryValueTooLarge, MemoryVersionConflict } from "./errors.ts"
import { MAX_TAGS, MemoryKey, MemoryNamespace, MemoryTag } from "./names.ts"

export const MAX_VALUE_BYTES = 64 * 1024

const IsoTime = Schema.String.check(
  Schema.makeFilter((s: string) => (ISO_8601_WITH_ZONE.test(s) && !Number.isNaN(Date.parse(s))) || "expected an ISO-8601 time with a zone")
)
const Version = Schema.Int.check(Schema.isGreaterThanOrEqualTo(0))

export class PutMemory extends Schema.TaggedClass<PutMemory>()("PutMemory", {
  namespace: MemoryNamespace,
  key: MemoryKey,
  value: Schema.Unknown,
  tags: Schema.optional(Schema.Array(MemoryTag).check(Schema.isMaxLength(MAX_TAGS))),
  /** Filled in at the object from the caller's `ttlSeconds`. */
  expiresAt: Schema.optional(IsoTime),
  ifVersion: Schema.optional(Version)
}) {}

export class DeleteMemory extends Schema.TaggedClass<DeleteMemory>()("DeleteMemory", {
  namespace: MemoryNamespace,
  key: MemoryKey,
  ifVersion: Schema.optional(Version)
}) {}

/** Appended by the workspace's alarm when an entry's TTL has run out. */
export class ExpireMemory extends Schema.TaggedClass<ExpireMemory>()("ExpireMemory", {
  namespace: MemoryNamespace,
  key: MemoryKey,
  version: Version
}) {}

/** The value as recorded: its JSON text, which is what the size limit and the secret check read. */
export const valueText = (value: unknown): string => JSON.stringify(value ?? null)

const checkVersion = (state: WorkspaceState, namespace: string, key: string, ifVersion: number | undefined) => {
  const current = state.memory[memoryKey(namespace, key)]?.version ?? 0
  return ifVersion === undefined || ifVersion === current
    ? Effect.succeed(current)
    : Effect.fail(new MemoryVersionConflict({ namespace, key, expected: ifVersion, current }))
}

export const decidePutMemory = Effect.fnUntraced(function* (state: WorkspaceState, command: PutMemory, slug: string) {
  yield* requireWorkspace(state, slug)
  const { namespace, key, value, tags, expiresAt, ifVersion } = command
  const text = valueText(value)
  const bytes = new TextEncoder().encode(text).byteLength
  if (bytes > MAX_VALUE_BYTES) return yield* new MemoryValueTooLarge({ namespace, key, bytes, limit: MAX_VALUE_BYTES })
  const tagText = (tags ?? []).join(" ")
  if (SHAPES_ONLY.text(text) !== text || SHAPES_ONLY.text(tagText) !== tagText) return yield* new MemoryValueHasSecret({ namespace, key })
  const current = yield* checkVersion(state, namespace, key, ifVersion)
  return [
    event("MemoryPut", {
      namespace,
      key,
      // As the log stores it (JCS): the live state then equals a replay, key order included.
      value: JSON.parse(canonicalize(value ?? null) ?? "null"),
      version: current + 1,
      ...(tags === undefined || tags.length === 0 ? {} : { tags: [...new Set(tags)] }),
      ...(expiresAt === undefined ? {} : { expiresAt: new Date(expiresAt).toISOString() })
    })
  ]
})

export const decideDeleteMemory = Effect.fnUntraced(function* (state: WorkspaceState, command: DeleteMemory, slug: string) {
  yield* requireWorkspace(state, slug)
  const { namespace, key, ifVersion } = command
  const current = yield* checkVersion(state, namespace, key, ifVersion)
  if (current === 0) return yield* new MemoryNotFound({ namespace, key })
  return [event("MemoryDeleted", { namespace, key, version: current })]
})

export const decideExpireMemory = Effect.fnUntraced(function* (state: WorkspaceState, command: ExpireMemory, slug: string) {
  yield* requireWorkspace(state, slug)
  const entry = state.memory[memoryKey(command.namespace, command.key)]
  // Put again (or deleted) since the alarm looked: nothing to expire.
  if (!entry || entry.version !== command.version || entry.expiresAt === undefined) return []
  return [event("MemoryExpired", { namespace: command.namespace, key: command.key, version: entry.version, expiresAt: entry.expiresAt })]
})
