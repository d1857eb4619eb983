// Checks tool-call arguments against the upstream's inputSchema before dispatch (issue 4): refusals give a JSON pointer, never a value.
import { type OutputUnit, type Schema, type SchemaDraft, Validator } from "@cfworker/json-schema"
import canonicalize from "canonicalize"
import { sha256Hex } from "../workspace/sha256-hex.ts"

export type ArgumentsCheck =
  | { readonly ok: true }
  | { readonly ok: false; readonly pointer: string; readonly message: string }

const CACHE_LIMIT = 256

// Two levels, because this runs on every tools/call: the projection hands us the same definition object
// call after call (a WeakMap hit, no hashing), and a rebuilt projection with an equal schema still finds
// its validator by content. The validator depends only on the schema, so equal schemas share one.
// `null` caches a schema that cannot be compiled, so it is not retried on every call.
const byIdentity = new WeakMap<object, Validator | null>()
const byContent = new Map<string, Validator | null>()
let compiled = 0

/** How many schemas have been compiled since the isolate started; tests use it to see the cache work. */
export const compiledSchemas = (): number => compiled

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

// MCP servers send both: the TypeScript SDK's zod output says draft-07, newer servers 2020-12.
const draftOf = ($schema: unknown): SchemaDraft => {
  if (typeof $schema !== "string") return "2020-12"
  if (/draft-0[67]\b/.test($schema)) return "7"
  if (/draft-0[34]\b/.test($schema)) return "4"
  if ($schema.includes("2019-09")) return "2019-09"
  return "2020-12"
}

const compile = (canonical: string): Validator | null => {
  compiled++
  try {
    // Compiling from the canonical JSON copy matters: cfworker's dereference() writes hidden
    // properties onto every subschema, and the projection's definition must stay untouched (and may be frozen).
    const schema = JSON.parse(canonical) as Schema
    return new Validator(schema, draftOf(schema.$schema), true)
  } catch {
    return null // e.g. an `$id` that is not a URI, or a duplicate schema URI
  }
}

const validatorFor = (schema: Record<string, unknown>): Validator | null => {
  const known = byIdentity.get(schema)
  if (known !== undefined) return known
  const canonical = canonicalize(schema) ?? "{}"
  const key = sha256Hex(canonical)
  let validator = byContent.get(key)
  if (validator !== undefined) {
    byContent.delete(key) // re-insert: Map order is the LRU order
  } else {
    validator = compile(canonical)
    if (byContent.size >= CACHE_LIMIT) byContent.delete(byContent.keys().next().value!)
  }
  byContent.set(key, validator)
  byIdentity.set(schema, validator)
  return validator
}

const refuse = (tool: string, pointer: string, rule: string, keyword: string): ArgumentsCheck => ({
  ok: false,
  pointer,
  message: `${tool}: ${pointer === "" ? "arguments" : pointer} ${rule} (${keyword})`
})

const kindOf = (value: unknown) => (value === null ? "null" : Array.isArray(value) ? "an array" : `a ${typeof value}`)

export const validateArguments = (tool: string, inputSchema: unknown, args: unknown): ArgumentsCheck => {
  // MCP's `arguments` is optional; an absent one is the empty object, which `required` still catches.
  const instance = args === undefined ? {} : args
  if (!isObject(instance)) return refuse(tool, "", `must be an object, not ${kindOf(instance)}`, "type")
  if (!isObject(inputSchema)) return { ok: true }
  const validator = validatorFor(inputSchema)
  if (validator === null) return refuse(tool, "", "cannot be checked: the tool's inputSchema is not a usable JSON Schema", "inputSchema")
  let errors: ReadonlyArray<OutputUnit>
  try {
    const result = validator.validate(instance)
    if (result.valid) return { ok: true }
    errors = result.errors
  } catch {
    // cfworker throws on an unresolvable $ref (e.g. a remote one) and on non-JSON values; fail closed.
    return refuse(tool, "", "cannot be checked against the tool's inputSchema", "inputSchema")
  }
  return explain(tool, inputSchema, errors)
}

// Keywords whose unit only says "a subschema had errors"; the unit after it at the same location says what.
const passThrough = new Set([
  "$ref", "$recursiveRef", "allOf", "if", "dependentSchemas", "properties", "patternProperties",
  "additionalProperties", "unevaluatedProperties", "items", "prefixItems", "additionalItems", "unevaluatedItems",
  "propertyNames"
])

const depth = (location: string) => location.split("/").length

// cfworker's locations are URI fragments ("#/a%20b"); the refusal speaks plain JSON pointers ("/a b").
const toPointer = (location: string) => {
  try {
    return decodeURIComponent(location.slice(1))
  } catch {
    return location.slice(1)
  }
}

/** The deepest failing field is the useful one: outer units only say that a property failed. */
const explain = (tool: string, schema: Record<string, unknown>, errors: ReadonlyArray<OutputUnit>): ArgumentsCheck => {
  const deepest = Math.max(...errors.map((unit) => depth(unit.instanceLocation)))
  let index = errors.findIndex((unit) => depth(unit.instanceLocation) === deepest && !passThrough.has(unit.keyword))
  if (index === -1) index = errors.findIndex((unit) => depth(unit.instanceLocation) === deepest)
  const unit = errors[index]!
  const parent = errors.findLast((other, i) => i < index && depth(other.instanceLocation) < deepest)
  const pointer = toPointer(unit.instanceLocation)
  // propertyNames validates each key as if it sat at /key, so its inner failure is about the name.
  if (parent?.keyword === "propertyNames") return refuse(tool, pointer, "is not an allowed property name", "propertyNames")
  if (unit.keyword === "false") {
    // A `false` subschema (additionalProperties: false, properties: {x: false}) names its container.
    return refuse(tool, pointer, "is not allowed", errors[index - 1]?.keyword ?? "false")
  }
  return refuse(tool, pointer, rule(unit, schema), unit.keyword)
}

const clip = (text: string, max = 120) => (text.length > max ? `${text.slice(0, max)}…` : text)
const match = (pattern: RegExp, text: string) => pattern.exec(text)?.[1]

// Only the schema's own numbers: cfworker's texts for minimum/maximum/multipleOf start with the argument's value.
const bound = (unit: OutputUnit) => match(/(-?\d+(?:\.\d+)?(?:e[+-]?\d+)?)\)?\.$/i, unit.error) ?? "the schema's limit"

const article = (type: string) => (type === "null" ? "null" : /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`)

/** The rule in words, from the schema's side only: cfworker's own `error` text can contain the value. */
const rule = (unit: OutputUnit, schema: Record<string, unknown>): string => {
  const text = unit.error
  switch (unit.keyword) {
    case "type": {
      const expected = match(/Expected "(.*)"\.$/s, text)?.split('", "') ?? []
      return `must be ${expected.map(article).join(" or ") || "of another type"}`
    }
    case "required":
      return `must have required property "${match(/required property "(.*)"\.$/s, text) ?? "?"}"`
    case "enum":
      return `must be one of ${clip(match(/any of (.*)\.$/s, text) ?? "the allowed values")}`
    case "const":
      return `must equal ${clip(match(/does not match (.*)\.$/s, text) ?? "the schema's constant")}`
    case "minimum":
      return text.includes("or equal to") ? `must be > ${bound(unit)}` : `must be >= ${bound(unit)}`
    case "maximum":
      return text.includes("or equal to") ? `must be < ${bound(unit)}` : `must be <= ${bound(unit)}`
    case "exclusiveMinimum":
      return `must be > ${bound(unit)}`
    case "exclusiveMaximum":
      return `must be < ${bound(unit)}`
    case "multipleOf":
      return `must be a multiple of ${bound(unit)}`
    case "minLength":
      return `must be at least ${bound(unit)} characters long`
    case "maxLength":
      return `must be at most ${bound(unit)} characters long`
    case "pattern": {
      const pattern = schemaAt(schema, unit.keywordLocation)
      return typeof pattern === "string" ? `must match the pattern ${clip(JSON.stringify(pattern))}` : "must match the schema's pattern"
    }
    case "format":
      return `must be a valid ${match(/format "(.*)"\.$/s, text) ?? "value for its format"}`
    case "minItems":
      return `must have at least ${bound(unit)} items`
    case "maxItems":
      return `must have at most ${bound(unit)} items`
    case "uniqueItems":
      return "must not contain duplicate items"
    case "contains":
    case "minContains":
    case "maxContains":
      return "must contain the number of items matching the schema that `contains` asks for"
    // cfworker says "at least" for maxProperties too, so the direction comes from the keyword.
    case "minProperties":
      return `must have at least ${match(/(\d+) properties\.$/, text) ?? "more"} properties`
    case "maxProperties":
      return `must have at most ${match(/(\d+) properties\.$/, text) ?? "fewer"} properties`
    case "dependentRequired":
    case "dependencies":
    case "dependentSchemas": {
      const [, key, needed] = /has "(.*)" but does not have "(.*)"\.$/s.exec(text) ?? []
      if (key !== undefined) return `must also have "${needed}" when it has "${key}"`
      return `must match the schema that "${match(/has "(.*)" but/s, text) ?? "?"}" requires`
    }
    case "anyOf":
      return "must match at least one of the schemas in anyOf"
    case "oneOf":
      return `must match exactly one of the schemas in oneOf (${match(/\((\d+) matches\)/, text) ?? "?"} matched)`
    case "allOf":
      return "must match every schema in allOf"
    case "not":
      return 'must not match the schema in "not"'
    case "if":
      return `must match the "${text.includes('"then"') ? "then" : "else"}" schema`
    default:
      return "does not match the schema"
  }
}

/** The schema value at a keywordLocation, when the path is literal (a path through $ref is not). */
const schemaAt = (schema: unknown, keywordLocation: string): unknown => {
  let node = schema
  for (const segment of keywordLocation.split("/").slice(1)) {
    if (typeof node !== "object" || node === null) return undefined
    const key = toPointer(`#${segment}`).replaceAll("~1", "/").replaceAll("~0", "~")
    node = (node as Record<string, unknown>)[key]
  }
  return node
}
