// The Cedar policy set of one workspace, parsed once and kept until its policies change: decides each
// MCP call (`authorize`) and whether a tool belongs in an agent's tools/list (`couldCall`). Cedar's
// answer to each distinct request is remembered until the policies change. What the engine can keep
// in its object's storage (kept.ts: each set's parse, and answers that read no argument or time) spares
// a woken object Cedar's parser, and often Cedar altogether, on its first calls: in a fresh isolate
// that is tens of milliseconds of WebAssembly compiled on first use.
import { toolId, type WorkspaceState } from "../../projections/state.ts"
import {
  CEDAR_VERSION,
  cedar,
  datetimeValue,
  unknownValue,
  type AuthorizationAnswer,
  type CedarValueJson,
  type EntityJson,
  type StatefulAuthorizationCall,
  type TypeAndId
} from "./cedar.ts"
import { namespaceAgent, parentNamespaces } from "../memory/names.ts"
import { toCedarRecord } from "./cedar-value.ts"
import { decide, isReachable, NO_PERMIT, type PolicyDecision } from "./decision.ts"
import type { PolicyAction } from "./schema.ts"
import { addReads, couldMatch, couldMatchSomeResource, noReads, type Reads, type Scoped } from "./scope.ts"
import { splitPolicySet } from "./validate.ts"
import { sha256Hex } from "../workspace/sha256-hex.ts"
import type { CompiledPolicy, KeptAnswers, ParsedSet, ParsedSets } from "./kept.ts"

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

type Compiled =
  | { readonly ok: true; readonly policies: ReadonlyArray<CompiledPolicy>; readonly forbids: ReadonlySet<string> }
  | { readonly ok: false; readonly problem: string }

/** A subset of the policies, the fields they read, and Cedar's id for it once preparsed (on its first evaluation). */
interface Subset {
  /** Its policies' ids: its name in a remembered request, the same in every engine built from the same policies. */
  readonly name: string
  readonly policies: ReadonlyArray<CompiledPolicy>
  readonly reads: Reads
  id?: string
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
  /** The stored policies' digest, with the Cedar version (what kept answers are filed under), once asked for. */
  private digested: string | undefined
  // Everything below is derived from `compiled` and emptied when it changes.
  private readonly subsets = new Map<string, Subset>()
  private wholeSet: Subset | undefined
  /** How many subsets Cedar has preparsed: their ids, `${slot}#${n}`, are reused after each change. */
  private preparsedCount = 0
  private readonly scopes = new Map<string, Subset | null>()
  private readonly visible = new Map<string, boolean>()
  /** Cedar's answers, by the exact request it was given (see `evaluate`). */
  private readonly answers = new Map<string, AuthorizationAnswer>()

  constructor(
    /** The workspace slug: agents, plugins and tools are all `in Workspace::"<slug>"`. */
    readonly workspace: string,
    policies: StoredPolicies = {},
    private readonly parsedSets?: ParsedSets,
    private readonly options: {
      /** `false` has Cedar evaluate every request, remembering and keeping nothing (bench/policy.bench.ts measures both). */
      readonly rememberAnswers?: boolean
      /** Where answers that read no argument and no time are kept across wakes (kept.ts). */
      readonly keptAnswers?: KeptAnswers
    } = {}
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

  /** What kept answers are filed under: computed when first needed, so building an engine asks nothing of Cedar. */
  private get digest(): string {
    return (this.digested ??= sha256Hex(`${CEDAR_VERSION}\n${this.fingerprint}`).slice(0, 32))
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
    this.digested = undefined
    if (pruning) {
      this.parsedSets?.retain(new Set(Object.keys(policies)))
      this.options.keptAnswers?.retain(this.digest)
    }
    this.compiled = compile(policies, this.parsedSets)
    this.subsets.clear()
    this.wholeSet = undefined
    this.preparsedCount = 0
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
        entities: [project(principal, reads.principal), project(resource, reads.resource)]
      }
      // Cedar's answer follows from exactly what it is given, and the request holds only what the
      // policies read: under the starter policy (which reads `resource.approved`) an agent's calls of
      // one tool are one request whatever their arguments. Remembered until the policies change, and
      // kept across wakes unless it reads the arguments or the time, which rarely repeat.
      const remembering = this.options.rememberAnswers !== false
      const key = JSON.stringify({ ...call, policies: subset.name })
      const known = remembering ? this.answers.get(key) : undefined
      if (known) return known
      const rememberable = remembering && key.length <= MAX_REMEMBERED_REQUEST
      const keeping = rememberable && !fields.includes("args") && !fields.includes("time")
      const kept = keeping ? this.options.keptAnswers?.get(this.digest, key) : undefined
      const answer = kept ?? this.ask(call, subset)
      if (answer.type === "success" && rememberable && this.answers.size < MAX_REMEMBERED) {
        this.answers.set(key, answer)
        if (keeping && !kept) this.options.keptAnswers?.set(this.digest, key, answer)
      }
      return answer
    } catch (e) {
      // A malformed call, or a set that failed to preparse, throws: fail closed.
      const message = e instanceof Error ? e.message : String(e)
      return { type: "failure", errors: [{ message, help: null, code: null, url: null, severity: "error" }], warnings: [] }
    }
  }

  /** Cedar's answer, with the subset preparsed the first time Cedar is asked about it. */
  private ask(call: Omit<StatefulAuthorizationCall, "preparsedPolicySetId">, subset: Subset): AuthorizationAnswer {
    if (subset.id === undefined) {
      const id = subset === this.wholeSet ? this.slot : `${this.slot}#${this.preparsedCount++}`
      preparse(id, subset.policies)
      subset.id = id
    }
    this.cedarCalls++
    return cedar().statefulIsAuthorized({ ...call, preparsedPolicySetId: subset.id })
  }

  /** The policies whose scope could match this request; undefined if none could. */
  private subsetFor(principal: Entity, action: string, resource: Entity): Subset | undefined {
    if (!this.compiled.ok) return undefined
    // Ancestors follow from the uids (a tool's plugin is part of its id), so the uids decide the scope.
    const key = `${principal.uid.id}\n${action}\n${resource.uid.type}\n${resource.uid.id}`
    let subset = this.scopes.get(key)
    if (subset === undefined) {
      const relevant = this.compiled.policies.filter((p) => couldMatch(p.json, principal, action, resource))
      subset = relevant.length === 0 ? null : this.subsetOf(relevant)
      if (this.scopes.size < MAX_REMEMBERED) this.scopes.set(key, subset)
    }
    return subset ?? undefined
  }

  /** This subset of the policies (preparsed only when Cedar is first asked about it, see `ask`). */
  private subsetOf(relevant: ReadonlyArray<CompiledPolicy>): Subset {
    const key = relevant.map((p) => p.id).join("\n")
    const known = this.subsets.get(key)
    if (known) return known
    if (this.subsets.size >= MAX_SUBSETS) {
      const all = this.compiled.ok ? this.compiled.policies : []
      this.wholeSet ??= subsetOf("*", all)
      return this.wholeSet
    }
    const subset = subsetOf(key, relevant)
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

const subsetOf = (name: string, policies: ReadonlyArray<CompiledPolicy>): Subset => ({
  name,
  policies,
  reads: policies.reduce((r, p) => addReads(r, p.json), noReads())
})

const preparse = (id: string, policies: ReadonlyArray<CompiledPolicy>): void => {
  // Keyed by Berth id, so that Cedar's `reason` and `errors` name policies as admins do. From the
  // JSON, not the text: the policies were parsed once already, and a woken object need not parse again.
  const answer = cedar().preparsePolicySet(id, { staticPolicies: Object.fromEntries(policies.map((p) => [p.id, p.json])) })
  if (answer.type !== "success") throw new Error(`the policies could not be prepared: ${answer.errors[0]?.message}`)
}
