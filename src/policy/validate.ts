// Checks a policy file before SetPolicy appends it: splits it into policies with Berth ids (`<set>` or
// `<set>.1`, `<set>.2`, … in source order) and validates them against the schema, Cedar's message and
// location in hand.
import { cedar, type DetailedError, type ValidationError } from "./cedar.ts"
import { CEDAR_SCHEMA } from "./schema.ts"

/** Where an error is: `start`/`end` index the text as a JS string; `line`/`column` count from 1. */
export interface PolicyLocation {
  readonly start: number
  readonly end: number
  readonly line: number
  readonly column: number
}

export interface NamedPolicy {
  readonly id: string
  readonly text: string
}

export type PolicySetCheck =
  | { readonly ok: true; readonly policies: ReadonlyArray<NamedPolicy> }
  | { readonly ok: false; readonly message: string; readonly location?: PolicyLocation }

/** Splits a file into its policies, named in source order. Parses, does not check against the schema. */
export const splitPolicySet = (setId: string, text: string): PolicySetCheck => {
  const parts = guarded(() => cedar().policySetTextToParts(text))
  if ("refused" in parts) return parts.refused
  if (parts.type === "failure") return refusal(text, parts.errors)
  if (parts.policy_templates.length > 0)
    return { ok: false, message: "a policy set may not hold templates (?principal, ?resource): Berth links none" }
  const n = parts.policies.length
  if (n === 0) return { ok: false, message: "the policy set holds no policy" }
  // Cedar names the policies policy0…policy{n-1} in source order, but returns them sorted by that name
  // as a string (policy10 before policy2): the k-th part is the policy whose name sorts k-th.
  const sortedNames = Array.from({ length: n }, (_, i) => `policy${i}`).sort()
  const inSourceOrder: string[] = new Array(n)
  sortedNames.forEach((name, k) => (inSourceOrder[Number(name.slice("policy".length))] = parts.policies[k]!))
  return { ok: true, policies: inSourceOrder.map((policy, i) => ({ id: n === 1 ? setId : `${setId}.${i + 1}`, text: policy })) }
}

/** What SetPolicy runs: the policies with their ids, or the first error, which refuses the whole set. */
export const validatePolicySet = (setId: string, text: string): PolicySetCheck => {
  const split = splitPolicySet(setId, text)
  if (!split.ok) return split
  // Validate the file as written, so that Cedar's spans are offsets into the admin's text.
  const answer = guarded(() => cedar().validate({ schema: CEDAR_SCHEMA, policies: { staticPolicies: text } }))
  if ("refused" in answer) return answer.refused
  if (answer.type === "failure") return refusal(text, answer.errors)
  const errors = answer.validationErrors.filter((e) => !isArgsAttributeError(text, e))
  if (errors.length === 0) return split
  // Cedar's messages name policies `policyN`; admins know them by their Berth ids.
  const berthId = (n: string) => split.policies[Number(n)]?.id ?? `policy${n}`
  const renamed = errors.map((e) => ({
    ...e.error,
    message: e.error.message.replace(/`policy(\d+)`/g, (_, n: string) => `\`${berthId(n)}\``).replace(/ for Action::"[^"]+"/, "")
  }))
  return refusal(text, renamed)
}

/**
 * The one validation error Berth ignores: `args` is declared as the closed record `{}` (schema.ts), so
 * every `context.args.<field>` is "not found". Its span must be exactly such an access, so that a typo
 * elsewhere (say `context.arsg`) still refuses.
 */
const isArgsAttributeError = (text: string, e: ValidationError) =>
  /^for policy `[^`]*`, attribute `args\.[^`]+` in context for Action::"[^"]+" not found$/.test(e.error.message) &&
  (e.error.sourceLocations ?? []).every((l) => {
    const at = locate(text, l.start, l.end)
    return /^context\s*\.\s*args\b/.test(text.slice(at.start, at.end))
  })

/** Refuses with the first error in the text, its label and help, and how many more there are. */
const refusal = (text: string, errors: ReadonlyArray<DetailedError>): PolicySetCheck => {
  // The validator repeats a context error once per action; the same message at the same span is one error.
  const unique = [...new Map(errors.map((e) => [`${e.message}|${JSON.stringify(e.sourceLocations ?? [])}`, e])).values()]
  const first = [...unique].sort((a, b) => (a.sourceLocations?.[0]?.start ?? Infinity) - (b.sourceLocations?.[0]?.start ?? Infinity))[0]
  if (!first) return { ok: false, message: "Cedar refused the policy set without saying why" }
  const span = first.sourceLocations?.[0]
  const label = span?.label
  const more = unique.length - 1
  const message =
    first.message +
    (label ? ` (${label})` : "") +
    (first.help ? `; ${first.help}` : "") +
    (more > 0 ? ` (and ${more} more error${more > 1 ? "s" : ""})` : "")
  return span ? { ok: false, message, location: locate(text, span.start, span.end) } : { ok: false, message }
}

/** Cedar's spans are UTF-8 byte offsets; JS strings index UTF-16 code units. */
export const locate = (text: string, byteStart: number, byteEnd: number): PolicyLocation => {
  const bytes = new TextEncoder().encode(text)
  const decoder = new TextDecoder()
  const before = decoder.decode(bytes.subarray(0, byteStart))
  const lineStart = before.lastIndexOf("\n") + 1
  return {
    start: before.length,
    end: before.length + decoder.decode(bytes.subarray(byteStart, byteEnd)).length,
    line: before.split("\n").length,
    column: [...before.slice(lineStart)].length + 1
  }
}

/** A malformed call throws instead of answering (docs/notes/cedar.md); a refusal is the safe reading. */
const guarded = <A>(run: () => A): A | { refused: PolicySetCheck } => {
  try {
    return run()
  } catch (e) {
    return { refused: { ok: false, message: `Cedar could not check the policy set: ${e instanceof Error ? e.message : String(e)}` } }
  }
}
