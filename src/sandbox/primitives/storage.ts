// orbit.storage: objects in R2 under the workspace's own prefix (`storage/<workspace>/<key>`), each at
// most MAX_OBJECT_BYTES, kept with their kind (text, JSON, bytes) so a get returns what a put stored.
import { keyRule, scopedKey } from "./keys.ts"
import { decodeValue, encodeValue } from "./values.ts"

export const MAX_OBJECT_BYTES = 1024 * 1024
export const MAX_LIST = 1000

export type PrimitiveResult = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly _tag: string; readonly message: string }

const refuse = (_tag: string, message: string): PrimitiveResult => ({ ok: false, _tag, message })

export class WorkspaceStorage {
  readonly #bucket: R2Bucket
  readonly #prefix: string

  constructor(bucket: R2Bucket, workspace: string) {
    this.#bucket = bucket
    this.#prefix = scopedKey("storage", workspace, "")
  }

  async get(args: { key?: unknown }): Promise<PrimitiveResult> {
    const problem = keyRule(args.key)
    if (problem) return refuse("InvalidArguments", `orbit.storage.get: ${problem}`)
    const object = await this.#bucket.get(this.#prefix + (args.key as string))
    if (!object) return { ok: true, value: null }
    return { ok: true, value: await decodeValue(object.customMetadata?.kind, () => object.text(), () => object.arrayBuffer()) }
  }

  async put(args: { key?: unknown; value?: unknown }): Promise<PrimitiveResult> {
    const problem = keyRule(args.key)
    if (problem) return refuse("InvalidArguments", `orbit.storage.put: ${problem}`)
    const encoded = encodeValue(args.value)
    if (typeof encoded === "string") return refuse("InvalidArguments", `orbit.storage.put: ${encoded}`)
    if (encoded.bytes > MAX_OBJECT_BYTES)
      return refuse("StorageObjectTooLarge", `orbit.storage.put: the value is ${encoded.bytes} bytes; an object may be at most ${MAX_OBJECT_BYTES}`)
    await this.#bucket.put(this.#prefix + (args.key as string), encoded.body, { customMetadata: { kind: encoded.kind } })
    return { ok: true, value: { key: args.key, bytes: encoded.bytes } }
  }

  async delete(args: { key?: unknown }): Promise<PrimitiveResult> {
    const problem = keyRule(args.key)
    if (problem) return refuse("InvalidArguments", `orbit.storage.delete: ${problem}`)
    await this.#bucket.delete(this.#prefix + (args.key as string))
    return { ok: true, value: { key: args.key, deleted: true } }
  }

  async list(args: { prefix?: unknown; cursor?: unknown; limit?: unknown }): Promise<PrimitiveResult> {
    if (args.prefix !== undefined && typeof args.prefix !== "string") return refuse("InvalidArguments", "orbit.storage.list: prefix is a string")
    if (args.cursor !== undefined && typeof args.cursor !== "string") return refuse("InvalidArguments", "orbit.storage.list: cursor is the string a list returned")
    const limit = args.limit ?? 100
    if (!Number.isInteger(limit) || (limit as number) < 1 || (limit as number) > MAX_LIST)
      return refuse("InvalidArguments", `orbit.storage.list: limit is a whole number from 1 to ${MAX_LIST}`)
    const listed = await this.#bucket.list({
      prefix: this.#prefix + ((args.prefix as string | undefined) ?? ""),
      limit: limit as number,
      ...(args.cursor === undefined ? {} : { cursor: args.cursor as string })
    })
    return {
      ok: true,
      value: {
        objects: listed.objects.map((o) => ({ key: o.key.slice(this.#prefix.length), bytes: o.size, uploaded: o.uploaded.toISOString() })),
        cursor: listed.truncated ? listed.cursor : null
      }
    }
  }
}
