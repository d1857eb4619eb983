// A value a script stores: text, JSON, or bytes, kept with its kind so it comes back as it went in.
export type StoredKind = "text" | "json" | "bytes"

const utf8 = new TextEncoder()

export interface Encoded {
  readonly kind: StoredKind
  readonly body: string | Uint8Array
  readonly bytes: number
}

export const encodeValue = (value: unknown): Encoded | string => {
  if (typeof value === "string") return { kind: "text", body: value, bytes: utf8.encode(value).byteLength }
  if (value instanceof Uint8Array) return { kind: "bytes", body: value, bytes: value.byteLength }
  if (value instanceof ArrayBuffer) return { kind: "bytes", body: new Uint8Array(value), bytes: value.byteLength }
  if (value === undefined) return "the value is missing: store text, bytes or any JSON value"
  let json: string | undefined
  try {
    json = JSON.stringify(value)
  } catch (error) {
    return `the value is not JSON: ${error instanceof Error ? error.message : String(error)}`
  }
  if (json === undefined) return "the value is not JSON (a function or a symbol)"
  return { kind: "json", body: json, bytes: utf8.encode(json).byteLength }
}

export const decodeValue = (kind: string | undefined, text: () => Promise<string>, bytes: () => Promise<ArrayBuffer>): Promise<unknown> =>
  kind === "bytes" ? bytes().then((b) => new Uint8Array(b)) : kind === "json" ? text().then((t) => JSON.parse(t) as unknown) : text()
