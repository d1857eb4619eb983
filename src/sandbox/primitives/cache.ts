// orbit.cache: values in KV under the workspace's own prefix (`cache/<workspace>/<key>`), each with a
// TTL. KV is eventually consistent across locations and its shortest TTL is 60 s: a cache, not a store.
import { keyRule, scopedKey } from "./keys.ts"
import type { PrimitiveResult } from "./storage.ts"
import { decodeValue, encodeValue } from "./values.ts"

export const MAX_CACHE_VALUE_BYTES = 256 * 1024
/** KV's own floor, and a day by default. */
export const MIN_TTL_SECONDS = 60
export const DEFAULT_TTL_SECONDS = 86_400
export const MAX_TTL_SECONDS = 30 * 86_400

const refuse = (_tag: string, message: string): PrimitiveResult => ({ ok: false, _tag, message })

export class WorkspaceCache {
  readonly #kv: KVNamespace
  readonly #prefix: string

  constructor(kv: KVNamespace, workspace: string) {
    this.#kv = kv
    this.#prefix = scopedKey("cache", workspace, "")
  }

  async get(args: { key?: unknown }): Promise<PrimitiveResult> {
    const problem = keyRule(args.key)
    if (problem) return refuse("InvalidArguments", `orbit.cache.get: ${problem}`)
    const found = await this.#kv.getWithMetadata<{ kind?: string }>(this.#prefix + (args.key as string), "arrayBuffer")
    if (found.value === null) return { ok: true, value: null }
    const buffer = found.value
    return { ok: true, value: await decodeValue(found.metadata?.kind, async () => new TextDecoder().decode(buffer), async () => buffer) }
  }

  async put(args: { key?: unknown; value?: unknown; ttlSeconds?: unknown }): Promise<PrimitiveResult> {
    const problem = keyRule(args.key)
    if (problem) return refuse("InvalidArguments", `orbit.cache.put: ${problem}`)
    const ttl = args.ttlSeconds ?? DEFAULT_TTL_SECONDS
    if (!Number.isInteger(ttl) || (ttl as number) < MIN_TTL_SECONDS || (ttl as number) > MAX_TTL_SECONDS)
      return refuse("InvalidArguments", `orbit.cache.put: ttlSeconds is a whole number from ${MIN_TTL_SECONDS} (KV's shortest) to ${MAX_TTL_SECONDS}`)
    const encoded = encodeValue(args.value)
    if (typeof encoded === "string") return refuse("InvalidArguments", `orbit.cache.put: ${encoded}`)
    if (encoded.bytes > MAX_CACHE_VALUE_BYTES)
      return refuse("CacheValueTooLarge", `orbit.cache.put: the value is ${encoded.bytes} bytes; a cached value may be at most ${MAX_CACHE_VALUE_BYTES}`)
    await this.#kv.put(this.#prefix + (args.key as string), encoded.body, { expirationTtl: ttl as number, metadata: { kind: encoded.kind } })
    return { ok: true, value: { key: args.key, bytes: encoded.bytes, ttlSeconds: ttl } }
  }

  async delete(args: { key?: unknown }): Promise<PrimitiveResult> {
    const problem = keyRule(args.key)
    if (problem) return refuse("InvalidArguments", `orbit.cache.delete: ${problem}`)
    await this.#kv.delete(this.#prefix + (args.key as string))
    return { ok: true, value: { key: args.key, deleted: true } }
  }
}
