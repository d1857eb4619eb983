// What a policy can match and what it reads, from its JSON form. Cedar does not index policies: each
// one in the set costs 2–2.5 µs per evaluation even when its scope cannot match, and each attribute or
// argument passed costs more, so the engine evaluates only the policies that could match and passes
// only the fields they read (docs/notes/cedar.md, "the fast path"). Both are conservative.
import type { ActionConstraint, PolicyJson, PrincipalConstraint, ResourceConstraint, TypeAndId } from "./cedar.ts"

/** A request's principal or resource: its uid and all its ancestors, which Berth knows without Cedar. */
export interface Scoped {
  readonly uid: TypeAndId
  readonly ancestors: ReadonlyArray<TypeAndId>
}

const uidOf = (e: unknown): TypeAndId | undefined => {
  if (!e || typeof e !== "object") return undefined
  if ("__entity" in e) return uidOf(e.__entity)
  return "type" in e && "id" in e && typeof e.type === "string" && typeof e.id === "string" ? { type: e.type, id: e.id } : undefined
}
const same = (a: TypeAndId | undefined, b: TypeAndId) => a !== undefined && a.type === b.type && a.id === b.id

/** Could this `principal` or `resource` constraint hold? Anything not understood (a slot) could. */
const entityMay = (c: PrincipalConstraint | ResourceConstraint, s: Scoped): boolean => {
  const within = (target: unknown) => {
    const t = uidOf(target)
    return t === undefined || same(t, s.uid) || s.ancestors.some((a) => same(t, a))
  }
  switch (c.op) {
    case "All":
      return true
    case "==":
      return "slot" in c || same(uidOf(c.entity), s.uid)
    case "in":
      return "slot" in c || within(c.entity)
    case "is":
      return c.entity_type === s.uid.type && (c.in === undefined || "slot" in c.in || within(c.in.entity))
  }
}

/** Berth declares no action groups, so `action in [...]` is membership in the listed actions. */
const actionMay = (c: ActionConstraint, action: string): boolean => {
  switch (c.op) {
    case "All":
      return true
    case "==":
      return "slot" in c || uidOf(c.entity)?.id === action
    case "in":
      return ("entities" in c ? c.entities : [c.entity]).some((e) => uidOf(e)?.id === action)
  }
}

/** False only if the policy's scope excludes this request: then it can be neither satisfied nor erroring. */
export const couldMatch = (policy: PolicyJson, principal: Scoped, action: string, resource: Scoped) =>
  actionMay(policy.action, action) && entityMay(policy.principal, principal) && entityMay(policy.resource, resource)

/** Could this policy's scope hold for this principal and action, for some resource? */
export const couldMatchSomeResource = (policy: PolicyJson, principal: Scoped, action: string) =>
  actionMay(policy.action, action) && entityMay(policy.principal, principal)

/** The fields a set of policies reads. `allContext`/`allArgs`: a policy uses the record as a whole. */
export interface Reads {
  readonly context: Set<string>
  readonly args: Set<string>
  readonly principal: Set<string>
  readonly resource: Set<string>
  allContext: boolean
  allArgs: boolean
}

export const noReads = (): Reads => ({
  context: new Set(),
  args: new Set(),
  principal: new Set(),
  resource: new Set(),
  allContext: false,
  allArgs: false
})

const isVar = (e: unknown, v: string) => typeof e === "object" && e !== null && "Var" in e && e.Var === v
/** `context.args` (or `context["args"]`, the same JSON). */
const isArgs = (e: unknown) => {
  const dot = field(e, ".")
  return dot !== undefined && isVar(dot.left, "context") && dot.attr === "args"
}
const field = (e: unknown, op: "." | "has") => {
  const node = typeof e === "object" && e !== null && op in e ? (e as Record<string, unknown>)[op] : undefined
  if (typeof node !== "object" || node === null || !("left" in node) || !("attr" in node)) return undefined
  // `has a.b.c` carries the path as an array; its first step is what is read on `left`.
  const attr = Array.isArray(node.attr) ? node.attr[0] : node.attr
  return typeof attr === "string" ? { left: node.left, attr } : undefined
}

/** Adds what one policy reads to `into`. */
export const addReads = (into: Reads, policy: PolicyJson): Reads => {
  const walk = (e: unknown): void => {
    if (typeof e !== "object" || e === null) return
    if (Array.isArray(e)) return e.forEach(walk)
    if (isVar(e, "context")) return void (into.allContext = true)
    const access = field(e, ".") ?? field(e, "has")
    if (access) {
      const { left, attr } = access
      if (isArgs(left)) return void into.args.add(attr)
      if (isVar(left, "context")) {
        into.context.add(attr)
        // `context.args` used whole (say `context.args == {}`) needs every argument.
        if (attr === "args" && field(e, ".")) into.allArgs = true
        return
      }
      if (isVar(left, "principal")) return void into.principal.add(attr)
      if (isVar(left, "resource")) return void into.resource.add(attr)
      // An attribute of anything else (an entity literal such as `Agent::"bot".owner`, an if-then-else)
      // may be the principal's or the resource's: keep it on both.
      into.principal.add(attr)
      into.resource.add(attr)
      return walk(left)
    }
    Object.values(e).forEach(walk)
  }
  policy.conditions.forEach((c) => walk(c.body))
  if (into.args.size > 0) into.context.add("args")
  return into
}
