// The Cedar policy set of one workspace, parsed once and kept until its policies change: decides each
// MCP call (`authorize`) and whether a tool belongs in an agent's tools/list (`couldCall`). A set's
// parse (its policies' ids, texts and JSON) can be kept in a `ParsedSets` cache, which the
// workspace's object keeps in its storage: Cedar's parser is then not run at all when the object
// wakes, since subsets are preparsed from the JSON. In a fresh isolate that parser is tens of
// milliseconds of WebAssembly compiled on first use.
import { toolId, type WorkspaceState } from "../../projections/state.ts"
import {
  cedar,
  datetimeValue,
  unknownValue,
  type AuthorizationAnswer,
  type CedarValueJson,
  type EntityJson,
  type PolicyJson,
  type TypeAndId
} from "./cedar.ts"
import { namespaceAgent, parentNamespaces } from "../memory/names.ts"
import { toCedarRecord } from "./cedar-value.ts"
import { decide, isReachable, NO_PERMIT, type PolicyDecision } from "./decision.ts"
import type { PolicyAction } from "./schema.ts"
import { addReads, couldMatch, couldMatchSomeResource, noReads, type Reads, type Scoped } from "./scope.ts"
import { splitPolicySet } from "./validate.ts"

export interface AgentFacts {
  readonly name: string
  readonly owner?: string | undefined
  readonly status: string
}

export interface ToolFacts {
  readonly plugin: string
  readonly name: string
  readonly approved: boolean
}

/** One call to decide. The resource follows from the action: a tool, a plugin, or the workspace. */
export type PolicyRequest = {
  readonly agent: AgentFacts
  /** The call's JSON arguments, as the agent sent them. */
  readonly args?: unknown
  /** ISO 8601, e.g. `2026-11-20T10:00:00Z`; policies see it as `context.time`, a `datetime`. */
  readonly time: string
} & (
  | { readonly action: "call_tool"; readonly tool: ToolFacts }
  | { readonly action: "read_resource" | "get_prompt"; readonly plugin: string }
  | { readonly action: "read_memory" | "write_memory"; readonly namespace: string }
  | { readonly action: Exclude<PolicyAction, "call_tool" | "read_resource" | "get_prompt" | "read_memory" | "write_memory"> }
)

export { NO_PERMIT, type PolicyDecision } from "./decision.ts"

type StoredPolicies = WorkspaceState["policies"]

export interface CompiledPolicy {
  readonly id: string
  readonly text: string
  readonly json: PolicyJson
}

/** One stored set as parsed: its policies in source order, each with its Berth id, text and JSON. */
export type ParsedSet = ReadonlyArray<CompiledPolicy>

/**
 * Parses kept between wakes, by set id and text sha256 (the ids of a set's policies follow from its
 * id). Only `compile` writes them, from Cedar's own parse.
 */
export interface ParsedSets {
  get(setId: string, sha256: string): ParsedSet | undefined
  set(setId: string, sha256: string, parsed: ParsedSet): void
  /** Forgets the parses of every set but these (the stored ones): a removed set's parse is not kept. */
  retain(setIds: ReadonlySet<string>): void
}

const PARSED_KEY = "policy-parse:"

/**
 * Parses in a Durable Object's synchronous key-value storage, one entry per set id (a new text
 * replaces it, and a removed set's goes when the engine next compiles). An entry names the Cedar
 * version that parsed it, since the JSON form is Cedar's: a plane upgraded to another Cedar parses again.
 */
export const storedParsedSets = (kv: SyncKvStorage): ParsedSets => ({
  get: (setId, sha256) => {
    const entry = kv.get<{ sha256: string; cedar: string; parsed: ParsedSet }>(PARSED_KEY + setId)
    return entry && entry.sha256 === sha256 && entry.cedar === cedarVersion() ? entry.parsed : undefined
  },
  set: (setId, sha256, parsed) => kv.put(PARSED_KEY + setId, { sha256, cedar: cedarVersion(), parsed }),
  retain: (setIds) => {
    for (const [key] of kv.list({ prefix: PARSED_KEY })) if (!setIds.has(key.slice(PARSED_KEY.length))) kv.delete(key)
  }
})

let version: string | undefined
const cedarVersion = () => (version ??= cedar().getCedarVersion())

type Compiled =
  | { readonly ok: true; readonly policies: ReadonlyArray<CompiledPolicy>; readonly forbids: ReadonlySet<string> }
  | { readonly ok: false; readonly problem: string }

/** A preparsed subset of the policies, and the fields they read. */
interface Subset {
  readonly id: string
  readonly reads: Reads
}

/** Preparsed sets live in the isolate's wasm store, which has no delete: each engine owns its ids and reuses them. */
let enginesCreated = 0
/** Distinct scope subsets preparsed per engine before it falls back to the whole set: bounds the store. */
const MAX_SUBSETS = 64
/** Per-request answers remembered until the next change (which subset; tools/list visibility). */
const MAX_REMEMBERED = 4096
/** Longer requests (a policy reading long arguments) are evaluated each time rather than remembered. */
const MAX_REMEMBERED_REQUEST = 2048

export class PolicyEngine {
  private readonly slot: string
  private source: StoredPolicies | undefined
  private fingerprint: string | undefined
  private compiled: Compiled = { ok: false, problem: "no policies loaded" }
  private rebuilds = 0
  private cedarCalls = 0
  // Everything below is derived from `compiled` and emptied when it changes.
  private readonly subsets = new Map<string, Subset>()
  private wholeSet: Subset | undefined
  private readonly scopes = new Map<string, Subset | null>()
  private readonly visible = new Map<string, boolean>()
  /** Cedar's answers, by the exact request it was given (see `evaluate`). */
  private readonly answers = new Map<string, AuthorizationAnswer>()

  constructor(
    /** The workspace slug: agents, plugins and tools are all `in Workspace::"<slug>"`. */
    readonly workspace: string,
    policies: StoredPolicies = {},
    private readonly parsedSets?: ParsedSets,
    /** `rememberAnswers: false` has Cedar evaluate every request (bench/policy.bench.ts measures both). */
    private readonly options: { readonly rememberAnswers?: boolean } = {}
  ) {
    this.slot = `berth:${workspace}:${++enginesCreated}`
    this.sync(policies)
  }

  /** How many times the policy set has been parsed: once per change of the workspace's policies. */
  get builds() {
    return this.rebuilds
  }

  /** How many requests Cedar has evaluated: one per distinct request (see `evaluate`), not per call. */
  get evaluations() {
    return this.cedarCalls
  }

  /** Brings the engine up to date with the workspace's policies; parses only if they changed. */
  sync(policies: StoredPolicies): this {
    if (policies === this.source) return this
    // The constructor's policies may be a placeholder (the workspace's object builds its engine
    // before its state is loaded), so kept parses are pruned from the first sync after it on.
    const pruning = this.source !== undefined
    this.source = policies
    const fingerprint = Object.keys(policies)
      .sort()
      .map((id) => `${id} ${policies[id]!.sha256}`)
      .join("\n")
    if (fingerprint === this.fingerprint) return this
    this.fingerprint = fingerprint
    if (pruning) this.parsedSets?.retain(new Set(Object.keys(policies)))
    this.compiled = compile(policies, this.parsedSets)
    this.subsets.clear()
    this.wholeSet = undefined
    this.scopes.clear()
    this.visible.clear()
    this.answers.clear()
    this.rebuilds++
    return this
  }

  authorize(request: PolicyRequest): PolicyDecision {
    const { compiled } = this
    if (!compiled.ok) return { decision: "deny", policies: [], reason: compiled.problem, errors: [compiled.problem] }
    const args = isRecord(request.args) ? request.args : {}
    const context: ContextFields = {
      // Converting an argument to a Cedar value is most of a call's cost: only those some policy reads.
      args: (reads) => toCedarRecord(args, reads.allContext || reads.allArgs ? undefined : reads.args),
      time: () => datetimeValue(request.time),
      agent: () => toCedarRecord({ ...request.agent })
    }
    const answer = this.evaluate(this.agentEntity(request.agent), request.action, this.resourceOf(request), context)
    return answer ? decide(answer, compiled.forbids) : { decision: "deny", policies: [], reason: NO_PERMIT, errors: [] }
  }

  /**
   * Could this agent call this tool with some arguments (tools/list)? Evaluates with the arguments and
   * the time unknown (decision.ts). It may show a tool whose every call is then denied; it never hides
   * one that some call may use.
   */
  couldCall(agent: AgentFacts, tool: ToolFacts): boolean {
    if (!this.compiled.ok) return false
    const key = JSON.stringify([agent.name, agent.owner ?? null, agent.status, tool.plugin, tool.name, tool.approved])
    let visible = this.visible.get(key)
    if (visible === undefined) {
      const context: ContextFields = {
        args: () => unknownValue("args"),
        time: () => unknownValue("time"),
        agent: () => toCedarRecord({ ...agent })
      }
      visible = isReachable(this.evaluate(this.agentEntity(agent), "call_tool", this.toolEntity(tool), context), this.compiled.forbids)
      if (this.visible.size < MAX_REMEMBERED) this.visible.set(key, visible)
    }
    return visible
  }

  /**
   * Could some permit let this agent read or write some memory namespace? tools/list shows Berth's
   * memory tools only then; each call is still decided per namespace.
   */
  mayUseMemory(agent: AgentFacts): boolean {
    if (!this.compiled.ok) return false
    const principal = this.agentEntity(agent)
    return this.compiled.policies.some(
      (p) =>
        p.json.effect === "permit" &&
        (couldMatchSomeResource(p.json, principal, "read_memory") || couldMatchSomeResource(p.json, principal, "write_memory"))
    )
  }

  /** Whether some permit policy could let this agent submit code (run_code is then listed for it). */
  mayRunCode(agent: AgentFacts): boolean {
    if (!this.compiled.ok) return false
    const principal = this.agentEntity(agent)
    return this.compiled.policies.some((p) => p.json.effect === "permit" && couldMatchSomeResource(p.json, principal, "run_code"))
  }

  /** Evaluates the policies whose scope could match, with only the fields they read; undefined if none could. */
  private evaluate(principal: Entity, action: string, resource: Entity, context: ContextFields): AuthorizationAnswer | undefined {
    try {
      const subset = this.subsetFor(principal, action, resource)
      if (!subset) return undefined
      const { reads } = subset
      const fields = (Object.keys(context) as Array<keyof ContextFields>).filter((k) => reads.allContext || reads.context.has(k))
      const call = {
        principal: principal.uid,
        action: { type: "Action", id: action },
        resource: resource.uid,
        context: Object.fromEntries(fields.map((k) => [k, context[k](reads)])),
        // Each entity lists all its ancestors as parents, so Cedar needs no Plugin or Workspace entity.
        entities: [project(principal, reads.principal), project(resource, reads.resource)],
        preparsedPolicySetId: subset.id
      }
      // Cedar's answer follows from exactly what it is given, and the request holds only what the
      // policies read: under the starter policy (which reads `resource.approved`) an agent's calls of
      // one tool are one request whatever their arguments. Remembered until the policies change.
      const key = JSON.stringify(call)
      const known = this.answers.get(key)
      if (known) return known
      this.cedarCalls++
      const answer = cedar().statefulIsAuthorized(call)
      if (answer.type === "success" && key.length <= MAX_REMEMBERED_REQUEST && this.answers.size < MAX_REMEMBERED && this.options.rememberAnswers !== false)
        this.answers.set(key, answer)
      return answer
    } catch (e) {
      // A malformed call, or a set that failed to preparse, throws: fail closed.
      const message = e instanceof Error ? e.message : String(e)
      return { type: "failure", errors: [{ message, help: null, code: null, url: null, severity: "error" }], warnings: [] }
    }
  }

  /** The policies whose scope could match this request, preparsed; undefined if none could. */
  private subsetFor(principal: Entity, action: string, resource: Entity): Subset | undefined {
    if (!this.compiled.ok) return undefined
    // Ancestors follow from the uids (a tool's plugin is part of its id), so the uids decide the scope.
    const key = `${principal.uid.id}\n${action}\n${resource.uid.type}\n${resource.uid.id}`
    let subset = this.scopes.get(key)
    if (subset === undefined) {
      const relevant = this.compiled.policies.filter((p) => couldMatch(p.json, principal, action, resource))
      subset = relevant.length === 0 ? null : this.preparsed(relevant)
      if (this.scopes.size < MAX_REMEMBERED) this.scopes.set(key, subset)
    }
    return subset ?? undefined
  }

  /** This subset of the policies, preparsed the first time it is needed. */
  private preparsed(relevant: ReadonlyArray<CompiledPolicy>): Subset {
    const key = relevant.map((p) => p.id).join("\n")
    const known = this.subsets.get(key)
    if (known) return known
    if (this.subsets.size >= MAX_SUBSETS) {
      const all = this.compiled.ok ? this.compiled.policies : []
      this.wholeSet ??= preparse(this.slot, all)
      return this.wholeSet
    }
    const subset = preparse(`${this.slot}#${this.subsets.size}`, relevant)
    this.subsets.set(key, subset)
    return subset
  }

  private agentEntity(agent: AgentFacts): Entity {
    const attrs: Record<string, CedarValueJson> = { name: agent.name, status: agent.status }
    if (agent.owner !== undefined) attrs["owner"] = agent.owner
    return { uid: uid("Agent", agent.name), ancestors: [this.workspaceUid()], attrs }
  }

  private toolEntity({ plugin, name, approved }: ToolFacts): Entity {
    const ancestors = [uid("Plugin", plugin), this.workspaceUid()]
    return { uid: uid("Tool", toolId(plugin, name)), ancestors, attrs: { approved, plugin, name } }
  }

  /** A namespace sits in each namespace above it: `team/runbooks` in `team`. */
  private memoryEntity(namespace: string): Entity {
    const ancestors = [...parentNamespaces(namespace).map((p) => uid("Memory", p)), this.workspaceUid()]
    const agent = namespaceAgent(namespace)
    return { uid: uid("Memory", namespace), ancestors, attrs: { namespace, ...(agent === undefined ? {} : { agent }) } }
  }

  /** call_tool acts on a Tool, read_resource and get_prompt on a Plugin, memory on a Memory namespace, the rest on the Workspace (schema.ts). */
  private resourceOf(request: PolicyRequest): Entity {
    switch (request.action) {
      case "call_tool":
        return this.toolEntity(request.tool)
      case "read_resource":
      case "get_prompt":
        return { uid: uid("Plugin", request.plugin), ancestors: [this.workspaceUid()], attrs: {} }
      case "read_memory":
      case "write_memory":
        return this.memoryEntity(request.namespace)
      default:
        return { uid: this.workspaceUid(), ancestors: [], attrs: {} }
    }
  }

  private workspaceUid() {
    return uid("Workspace", this.workspace)
  }
}

/** The request's context, each field built only if some policy reads it. */
interface ContextFields {
  readonly args: (reads: Reads) => CedarValueJson
  readonly time: () => CedarValueJson
  readonly agent: () => CedarValueJson
}

interface Entity extends Scoped {
  readonly attrs: Record<string, CedarValueJson>
}

const uid = (type: string, id: string): TypeAndId => ({ type, id })

const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === "object" && x !== null && !Array.isArray(x)

/** The entity as Cedar needs it: each attribute passed costs about 7 µs, so only those some policy reads. */
const project = (e: Entity, read: ReadonlySet<string>): EntityJson => ({
  uid: e.uid,
  parents: [...e.ancestors],
  attrs: Object.fromEntries(Object.entries(e.attrs).filter(([k]) => read.has(k)))
})

/** One set parsed: its policies with their ids, texts and JSON, or why it does not parse. */
const parseSet = (setId: string, text: string): ParsedSet | string => {
  const split = splitPolicySet(setId, text)
  // Sets are validated before they are stored; one that no longer parses must not let calls through.
  if (!split.ok) return `policy set '${setId}' could not be parsed: ${split.message}`
  const parsed: CompiledPolicy[] = []
  for (const { id, text } of split.policies) {
    const json = cedar().policyToJson(text)
    if (json.type !== "success") return `policy '${id}' could not be parsed: ${json.errors[0]?.message}`
    parsed.push({ id, text, json: json.json })
  }
  return parsed
}

/** Parses every stored set once (or takes its kept parse): each policy's id, text and JSON (for its scope, effect and reads). */
const compile = (stored: StoredPolicies, kept: ParsedSets | undefined): Compiled => {
  const policies: CompiledPolicy[] = []
  const ids = new Set<string>()
  try {
    for (const setId of Object.keys(stored).sort()) {
      const { text, sha256 } = stored[setId]!
      let parsed = kept?.get(setId, sha256)
      if (parsed === undefined) {
        const fresh = parseSet(setId, text)
        if (typeof fresh === "string") return { ok: false, problem: fresh }
        kept?.set(setId, sha256, fresh)
        parsed = fresh
      }
      for (const policy of parsed) {
        if (ids.has(policy.id)) return { ok: false, problem: `policy id '${policy.id}' is defined twice (by set '${setId}' and another)` }
        ids.add(policy.id)
        policies.push(policy)
      }
    }
  } catch (e) {
    return { ok: false, problem: `the policies could not be parsed: ${e instanceof Error ? e.message : String(e)}` }
  }
  return { ok: true, policies, forbids: new Set(policies.filter((p) => p.json.effect === "forbid").map((p) => p.id)) }
}

const preparse = (id: string, policies: ReadonlyArray<CompiledPolicy>): Subset => {
  // Keyed by Berth id, so that Cedar's `reason` and `errors` name policies as admins do. From the
  // JSON, not the text: the policies were parsed once already, and a woken object need not parse again.
  const answer = cedar().preparsePolicySet(id, { staticPolicies: Object.fromEntries(policies.map((p) => [p.id, p.json])) })
  if (answer.type !== "success") throw new Error(`the policies could not be prepared: ${answer.errors[0]?.message}`)
  return { id, reads: policies.reduce((r, p) => addReads(r, p.json), noReads()) }
}
