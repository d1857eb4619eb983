// A call's JSON arguments as Cedar values. Cedar's JSON has no null and no fractions, and it reads
// `__entity`/`__extn` keys as entity references and extension values, which an agent must not forge.
import type { CedarValueJson } from "./cedar.ts"

const RESERVED = new Set(["__entity", "__extn", "__expr"])

/**
 * `null` and `undefined` become absent (so `has` is false); a number that is not a safe integer
 * becomes its decimal string, since Cedar's only number is a 64-bit Long and a fraction would fail
 * the whole request; a reserved key is dropped.
 */
export const toCedarValue = (value: unknown): CedarValueJson | undefined => {
  switch (typeof value) {
    case "string":
    case "boolean":
      return value
    case "number":
      return Number.isSafeInteger(value) ? value : String(value)
    case "object": {
      if (value === null) return undefined
      if (Array.isArray(value)) return value.map(toCedarValue).filter((v) => v !== undefined)
      return toCedarRecord(value as Record<string, unknown>)
    }
    default:
      return undefined
  }
}

/** A record's fields, or only those in `pick` when given (the fields some policy reads). */
export const toCedarRecord = (record: Record<string, unknown>, pick?: Iterable<string>): Record<string, CedarValueJson> => {
  const out: Record<string, CedarValueJson> = {}
  for (const key of pick ?? Object.keys(record)) {
    if (RESERVED.has(key) || !Object.hasOwn(record, key)) continue
    const v = toCedarValue(record[key])
    if (v !== undefined) out[key] = v
  }
  return out
}
