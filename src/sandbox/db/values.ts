// SQL values as they cross the RPC boundary: which parameters SQLite keeps as sent, and what a row's
// values come back as. workerd binds `true` as the text "true", an object as "[object Object]" and
// NaN as NULL without a word, so anything but text, a finite number, null or bytes is refused here.

/** A value in a row: TEXT, INTEGER or REAL (a number; integers past 2^53 lose precision), NULL, BLOB. */
export type SqlValue = string | number | null | Uint8Array

/** A bound parameter: a row value, or bytes as an ArrayBuffer. */
export type SqlParam = SqlValue | ArrayBuffer

const utf8 = new TextEncoder()

const describe = (value: unknown): string =>
  value === undefined ? "undefined" : typeof value === "number" ? String(value) : typeof value === "object" ? "an object" : `a ${typeof value}`

/** Why `params` is refused (naming the first bad one by its 1-based `?` position), or undefined. */
export const paramsRule = (params: unknown): string | undefined => {
  if (!Array.isArray(params)) return "params is an array of values"
  for (const [index, value] of params.entries()) {
    const ok =
      value === null ||
      typeof value === "string" ||
      (typeof value === "number" && Number.isFinite(value)) ||
      value instanceof Uint8Array ||
      value instanceof ArrayBuffer
    if (!ok)
      return `parameter ${index + 1} is ${describe(value)}: a parameter is text, a finite number, null or bytes (a boolean goes in as 1 or 0)`
  }
  return undefined
}

/** A row value as the caller receives it: BLOBs, which the cursor gives as ArrayBuffer, as Uint8Array. */
export const rowValue = (value: SqlStorageValue): SqlValue => (value instanceof ArrayBuffer ? new Uint8Array(value) : value)

/** A value's share of a result's size. */
export const valueBytes = (value: SqlValue): number =>
  value === null ? 0 : typeof value === "number" ? 8 : typeof value === "string" ? utf8.encode(value).byteLength : value.byteLength
