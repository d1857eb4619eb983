// The Workspace Durable Object: one per workspace, the single writer of its log. It wires SQLite,
// the alarm (fan-out to D1 and R2, retention), the MCP endpoint and RPC methods to the command
// pipeline and the history readers; rules live elsewhere.
import { DurableObject } from "cloudflare:workers"
import type { Envelope, Point } from "../../events/index.ts"
import type { WorkspaceState } from "../../projections/state.ts"
import type { Env } from "../env.ts"
import { AlarmClock } from "../fanout/alarm-clock.ts"
import { Archiver, archiveSettings } from "../fanout/archiver.ts"
import { Cursors } from "../fanout/cursors.ts"
import { D1_PUSH_INTERVAL_MS, D1Pusher } from "../fanout/d1-pusher.ts"
import { Retention } from "../fanout/retention.ts"
import type { ArchiveStatus, ProjectionLag, Projections } from "../fanout/status.ts"
import { visibleTools } from "../mcp/authorize.ts"
import { discover } from "../mcp/discover.ts"
import type { LoggingLevel } from "@modelcontextprotocol/server"
import { McpEndpoint } from "../mcp/endpoint.ts"
import { RequestStates } from "../mcp/request-state.ts"
import { AgentRequests } from "../mcp/agent-requests.ts"
import type { PendingCall } from "../mcp/call-tool.ts"
import { InFlightCalls } from "../mcp/in-flight.ts"
import { ParkedCalls } from "../mcp/parked-calls.ts"
import { answerLimitMs } from "../mcp/upstream-call.ts"
import type { WorkspaceHost } from "../mcp/host.ts"
import { storedPriors, UpstreamPool } from "../mcp/upstream-pool.ts"
import { listChanges } from "../mcp/list-changes.ts"
import { LIST_CHANGED, Rediscovery, sameDiscovery } from "../registry/rediscovery.ts"
import { revokeAgentGrants } from "../oauth/revoke-agent.ts"
import { workersAi } from "../sandbox/primitives/ai.ts"
import type { SandboxRunner } from "../sandbox/runner.ts"
import { type CodeRunInput, type CodeRunResult, type CodeRunStarted, Sandbox, type SandboxHost } from "../sandbox/sandbox.ts"
import { Jobs, type JobView } from "../jobs/jobs.ts"
import { Memory, type ListOptions, type MemoryEntry, type PutInput } from "../memory/memory.ts"
import { memoryHistory } from "../memory/history.ts"
import type { MemoryNotFound } from "../memory/errors.ts"
import { PolicyEngine } from "../policy/engine.ts"
import { storedAnswers, storedParsedSets } from "../policy/kept.ts"
import { RateLimiter } from "../policy/rate-limiter.ts"
import { recordedCalls, type Simulation, type SimulationOutcome, simulate } from "../policy/simulate.ts"
import { type TrialCall, type TrialOutcome, tryCall } from "../policy/try-call.ts"
import { PluginUnreachable } from "../registry/errors.ts"
import { listRuns, type RunFilter, runEvents, type RunSummary } from "../runs/run-queries.ts"
import { isUnauthorized, unauthorizedHint } from "../vault/errors.ts"
import { credentialForDiscovery } from "../vault/grants.ts"
import { type CallbackOutcome, type CallbackParams, type ConnectStart, OAuthConnector } from "../vault/oauth/connector.ts"
import { Vault } from "../vault/vault.ts"
import type { ChainCheck } from "./chain.ts"
import { Directory } from "./directory.ts"
import { EventLog, toEnvelope } from "./event-log.ts"
import {
  type CommandOptions,
  type CommandOutcome,
  executeCommand,
  precheckCommand,
  rejected,
  type WorkspaceStores
} from "./execute.ts"
import { FullLog } from "./full-log.ts"
import { type StateAt, verifyLog } from "./history.ts"
import { IdempotencyStore } from "./idempotency-store.ts"
import { ProjectionStore } from "./projection-store.ts"
import { recordedText } from "../runs/redact.ts"

export interface AgentAt extends StateAt {
  readonly agent: string
  /** The tools the agent could call with some arguments then, by `{plugin}__{tool}`. */
  readonly callableTools: ReadonlyArray<string>
}

export interface Snapshot {
  readonly seq: number
  readonly hash: string
  readonly state: WorkspaceState
  /** How far each async projection trails the log. */
  readonly projections: Projections
}

type ToolCall = { name: string; arguments: Record<string, unknown> }

export class Workspace extends DurableObject<Env> {
  #stores!: WorkspaceStores
  #state!: WorkspaceState
  readonly #directory: Directory
  /** An upstream's list_changed rediscovers its plugin, quarantining a changed approved tool. */
  readonly #rediscovery = new Rediscovery((plugin) => this.#rediscover(plugin))
  readonly #pool = new UpstreamPool({
    onListChanged: (plugin, list) => {
      // A prompt or resource list is relayed live, so agents may list again at once; tools once re-pinned (#rediscover).
      if (list !== "tools") this.#mcp.listChanged(plugin, list)
      this.#rediscovery.changed(plugin)
    },
    onResourceUpdated: (plugin, uri) => this.#mcp.resourceUpdated(plugin, uri)
  }, storedPriors(this.ctx.storage.kv))
  /** Parsed once per change of the workspace's policy sets, not per call. */
  #engine!: PolicyEngine
  readonly #limiter = new RateLimiter()
  readonly #inFlight = new InFlightCalls()
  readonly #agentRequests = new AgentRequests()
  readonly #parked = new ParkedCalls<PendingCall>()
  readonly #logLevels = new Map<string, LoggingLevel>()
  readonly #requestStates: RequestStates
  readonly #answerLimitMs: number
  /** A second engine for `policy test`, reused so trial sets do not pile up in Cedar's cache. */
  #trialEngine!: PolicyEngine
  readonly #mcp: McpEndpoint
  #d1!: D1Pusher
  #archiver!: Archiver
  #retention!: Retention
  /** The log including what retention pruned to the archive: for readers of all of history. */
  #fullLog!: FullLog
  #clock!: AlarmClock
  /** The credential vault: its table, its rows written with their events, its headers at dispatch. */
  #vault!: Vault
  /** Upstream OAuth: the team's clients, connects in progress, and OAuth credentials' sessions. */
  #oauth!: OAuthConnector
  /** Workspace memory: its search index, its boundary checks, its expiries. */
  #memory!: Memory
  /** Server-side execution: code runs in isolates, with orbit bound to each run. */
  readonly #sandbox: Sandbox
  /** Jobs scripts scheduled, fired by the alarm through the sandbox. */
  #jobs!: Jobs

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env)
    this.#directory = new Directory(env.DIRECTORY, ctx.storage)
    // Policy sets' parses and Cedar's answers are kept beside the log, so a woken object runs Cedar
    // only for what it has not seen decided.
    this.#engine = new PolicyEngine(this.#slug, {}, storedParsedSets(ctx.storage.kv), { keptAnswers: storedAnswers(ctx.storage.kv) })
    this.#trialEngine = new PolicyEngine(this.#slug)
    this.#answerLimitMs = answerLimitMs(env)
    // A state outlives its parked call by a minute, so a late retry hears that the call is gone rather than that its state expired.
    this.#requestStates = new RequestStates(Math.ceil(this.#answerLimitMs / 1000) + 60)
    const host = this.#hostFor(this.#slug)
    this.#sandbox = new Sandbox({
      ...host,
      // A stateless entrypoint, so that the script ends when its call returns (src/sandbox/runner.ts).
      runner: () => (ctx.exports as unknown as { SandboxRunner: (options: { props: object }) => SandboxRunner }).SandboxRunner({ props: {} }),
      codeBucket: env.AUDIT,
      storageBucket: env.STORAGE,
      cacheKv: env.CACHE,
      workspace: () => this.#state.workspace?.slug ?? this.#slug,
      database: () => env.WORKSPACE_DB.getByName(this.#state.workspace?.slug ?? this.#slug) as unknown as ReturnType<SandboxHost["database"]>,
      jobs: () => this.#jobs,
      ai: workersAi(env)
    })
    this.#mcp = new McpEndpoint(host, (env.BERTH_ALLOWED_ORIGINS ?? "").split(",").map((s) => s.trim()).filter(Boolean))
    void ctx.blockConcurrencyWhile(async () => {
      const sql = ctx.storage.sql
      const projection = new ProjectionStore(sql)
      this.#stores = {
        log: new EventLog(sql),
        projection,
        idempotency: new IdempotencyStore(sql),
        transactionSync: (fn) => ctx.storage.transactionSync(fn)
      }
      this.#state = projection.load()
      this.#vault = new Vault(sql, { current: env.BERTH_VAULT_KEY, previous: env.BERTH_VAULT_KEY_PREVIOUS }, {
        workspace: () => this.#state.workspace?.slug ?? this.#slug,
        precheck: (command, options) => precheckCommand(this.#stores, this.#slug, this.#state, command, options),
        execute: (command, options) => this.#execute(command, options),
        forget: (credential) => void this.#pool.dropCredential(credential)
      })
      await this.#vault.start()
      this.#oauth = new OAuthConnector(sql, this.#vault, {
        workspace: () => this.#state.workspace?.slug ?? this.#slug,
        state: () => this.#state,
        precheck: (command, options) => precheckCommand(this.#stores, this.#slug, this.#state, command, options),
        execute: (command, options) => this.#execute(command, options)
      })
      this.#vault.openSession = (chosen) => this.#oauth.session(chosen)
      this.#memory = new Memory(sql, {
        state: () => this.#state,
        precheck: (command, options) => precheckCommand(this.#stores, this.#slug, this.#state, command, options),
        execute: (command, options) => this.#execute(command, options),
        scrubber: () => this.#vault.scrubber()
      })
      await this.#memory.start()
      const sandbox = this.#sandbox
      this.#jobs = new Jobs({
        state: () => this.#state,
        execute: (command, options) => this.#execute(command, options),
        newId: () => this.#stores.log.newId(),
        scrubber: () => this.#vault.scrubber(),
        code: { keep: (hash, source) => sandbox.keep(hash, source), read: (hash) => sandbox.read(hash), run: (agent, input, options) => sandbox.run(agent, input, options) }
      })
      const cursors = new Cursors(sql)
      const log = this.#stores.log
      // Rows in D1 and keys in R2 are named by the slug the log recorded, whatever woke the object.
      const slug = this.#state.workspace?.slug ?? this.#slug
      this.#archiver = new Archiver(env.AUDIT, slug, log, cursors, ctx.storage, env.BERTH_AUDIT_SIGNING_KEY, archiveSettings(env))
      this.#fullLog = new FullLog(log, env.AUDIT, (from, to) => this.#archiver.entries(from, to))
      // What was just appended comes from memory; anything older (after a restart, a rebuild) from the log.
      const readForD1 = async (from: number, limit: number) => log.recent(from, limit) ?? this.#fullLog.read(from, limit)
      this.#d1 = new D1Pusher(env.READ_MODELS, slug, log, readForD1, cursors)
      this.#retention = new Retention(log, cursors, () => this.#state.workspace?.retentionDays, (fn) => ctx.storage.transactionSync(fn))
      await this.#archiver.ready()
      this.#clock = new AlarmClock(ctx.storage, await ctx.storage.getAlarm())
      await this.#directory.ensure(this.#directoryEntry)
      // A job's firing an earlier life did not finish is finished as interrupted (jobs.ts).
      await this.#jobs.start()
      // Whatever an earlier life of this object left unpushed or half-sealed resumes from here.
      this.#reschedule()
    })
  }

  get #slug(): string {
    return this.ctx.id.name ?? this.ctx.id.toString()
  }

  get #directoryEntry() {
    const created = this.#state.workspace
    return created && { workspace: created.slug, createdAt: created.createdAt }
  }

  /** What the MCP endpoint sees of this workspace; its methods read the stores at call time. */
  #hostFor(slug: string): WorkspaceHost {
    return {
      slug,
      pool: this.#pool,
      state: () => this.#state,
      execute: (command, options) => this.#execute(command, options),
      newId: () => this.#stores.log.newId(),
      policies: () => this.#engine.sync(this.#state.policies),
      limiter: this.#limiter,
      inFlight: this.#inFlight,
      agentRequests: this.#agentRequests,
      parked: this.#parked,
      logLevels: this.#logLevels,
      requestStates: this.#requestStates,
      answerLimitMs: this.#answerLimitMs,
      vault: {
        upstream: (chosen) => this.#vault.upstream(chosen),
        scrubber: () => this.#vault.scrubber()
      },
      memory: () => this.#memory,
      sessionCapabilities: (session) => this.#mcp.sessionCapabilities(session),
      runCode: (agent, input, channel) => this.#sandbox.run(agent, input, { channel })
    }
  }

  #execute(command: unknown, options: CommandOptions): CommandOutcome {
    const { outcome, state } = executeCommand(this.#stores, this.#slug, this.#state, command, options, (events) => {
      this.#vault.withinAppend(events)
      this.#memory.withinAppend(events)
    })
    this.#state = state
    if (outcome.ok && !outcome.replayed) {
      this.#vault.onCommitted(outcome.events)
      this.#memory.onCommitted(outcome.events)
      this.#reschedule()
    }
    return outcome
  }

  /** Keeps the alarm at the earliest moment some fan-out job (or the directory retry) is due. */
  #reschedule(): void {
    // Under load the alarm is already set to fire within a push interval: the jobs run then and
    // reschedule themselves, so an append need not ask each of them again.
    if (this.#clock.armedBy(Date.now() + D1_PUSH_INTERVAL_MS)) return
    this.#clock.schedule([this.#d1.due(), this.#archiver.due(), this.#retention.due(), this.#directory.due(), this.#memory.due(), this.#jobs.due()])
  }

  get #projections(): Projections {
    return { d1: this.#d1.lag(), archive: this.#archiver.status() }
  }

  /** The hosted MCP endpoint, /w/{workspace}/mcp. */
  override async fetch(request: Request): Promise<Response> {
    return this.#mcp.handle(request)
  }

  async execute(command: unknown, options: CommandOptions): Promise<CommandOutcome> {
    const outcome = this.#execute(command, options)
    if (outcome.ok && outcome.events.some((e) => e.type === "WorkspaceCreated")) {
      await this.#directory.ensure(this.#directoryEntry)
      this.#reschedule()
    }
    if (outcome.ok && !outcome.replayed) for (const [plugin, list] of listChanges(outcome.events)) this.#mcp.listChanged(plugin, list)
    if (outcome.ok && !outcome.replayed)
      for (const e of outcome.events) {
        if (e.type === "PluginRemoved") await this.#pool.dropPlugin((e.data as { plugin: string }).plugin)
        // A revoked OAuth agent's grants and tokens go with it (the log already refuses it).
        const revoked = e.type === "AgentRevoked" ? (e.data as { agent: string }).agent : undefined
        if (revoked !== undefined && this.#state.agents[revoked]?.via === "oauth") await revokeAgentGrants(this.env, this.#slug, revoked)
      }
    return outcome
  }

  /** InstallPlugin as an admin sends it: connect and discover first, then record it all in one append. */
  async installPlugin(input: Record<string, unknown>, options: CommandOptions): Promise<CommandOutcome> {
    const manifest = { ...input, _tag: "InstallPlugin" }
    const refused = precheckCommand(this.#stores, this.#slug, this.#state, manifest, options)
    if (refused) return refused
    const { plugin, url, transport } = manifest as unknown as { plugin: string; url: string; transport: "streamable-http" | "sse" }
    const discovery = await this.#discover({ plugin, url, transport })
    // An OAuth upstream answers 401 until a credential is connected, and connecting needs the plugin's
    // URL: it is recorded without discovery, and `plugin refresh` discovers once a credential is granted.
    if (!discovery.ok && discovery.unauthorized && (manifest as { auth?: string }).auth === "oauth" && !credentialForDiscovery(this.#state, plugin))
      return this.execute(manifest, options)
    if (!discovery.ok) return discovery.error
    return this.execute({ ...manifest, discovery: discovery.found }, options)
  }

  /** Rediscovers a plugin; an approved tool whose definition changed is quarantined. */
  async refreshPlugin(input: Record<string, unknown> & { plugin: string }, options: CommandOptions): Promise<CommandOutcome> {
    // Every field the admin sent is checked (an unknown one is refused); discovery is filled in below.
    const command = { ...input, _tag: "RefreshPlugin", discovery: { tools: [] } }
    const refused = precheckCommand(this.#stores, this.#slug, this.#state, command, options)
    if (refused) return refused
    const installed = this.#state.plugins[input.plugin]!
    const discovery = await this.#discover({ plugin: input.plugin, url: installed.url, transport: installed.transport })
    if (!discovery.ok) return discovery.error
    return this.execute({ ...command, discovery: discovery.found }, options)
  }

  /** After an upstream's list_changed: `plugin refresh` by the system, appending nothing when no tool changed (agents are told either way). */
  async #rediscover(plugin: string): Promise<void> {
    const installed = this.#state.plugins[plugin]
    if (!installed) return
    const discovery = await this.#discover({ plugin, url: installed.url, transport: installed.transport })
    if (!discovery.ok) throw new Error(discovery.error.error.message)
    // Nothing to re-pin: the agents' lists are as they were, but they hear the upstream's word, as they would directly.
    if (sameDiscovery(this.#state, plugin, discovery.found)) return this.#mcp.listChanged(plugin, "tools")
    const outcome = await this.execute({ _tag: "RefreshPlugin", plugin, discovery: discovery.found }, { actor: LIST_CHANGED })
    if (!outcome.ok) throw new Error(outcome.error.message)
  }

  /** SetCredential: the value is sealed here, at the boundary, and never leaves the vault. */
  async setCredential(input: Record<string, unknown>, value: unknown, options: CommandOptions): Promise<CommandOutcome> {
    return this.#vault.set(input, value, options)
  }

  /** ConfigureOAuthClient: the client secret is sealed here, at the boundary, beside its event. */
  async configureOAuthClient(input: Record<string, unknown>, secret: unknown, options: CommandOptions): Promise<CommandOutcome> {
    return this.#oauth.configureClient(input, secret, options)
  }

  /** `berth credential connect`: the authorization URL to open. Appends nothing until the callback. */
  async startCredentialConnect(start: ConnectStart) {
    return this.#oauth.start(start)
  }

  /** The upstream's redirect back to the plane (/oauth/callback/{workspace}/{plugin}). */
  async completeCredentialConnect(plugin: string, origin: string, params: CallbackParams): Promise<CallbackOutcome> {
    return this.#oauth.complete(plugin, origin, params)
  }

  credentialConnectStatus(connect: string) {
    return this.#oauth.status(connect)
  }

  /** PutMemory: a TTL becomes an expiry time, and a value carrying a vault secret is refused, here at the boundary. */
  async putMemory(input: PutInput, options: CommandOptions): Promise<CommandOutcome> {
    return this.#memory.put(input, options)
  }

  getMemory(namespace: string, key: string): MemoryEntry | MemoryNotFound {
    return this.#memory.get(namespace, key)
  }

  listMemory(options: ListOptions) {
    return this.#memory.list(options)
  }

  searchMemory(query: string, options: { prefix?: string | undefined; limit?: number | undefined }) {
    return this.#memory.search(query, options)
  }

  /** Runs submitted code as an agent (the admin RPC's RunCode, `berth run submit`). */
  async runCode(agent: string, input: CodeRunInput, options: { wait: boolean } = { wait: true }): Promise<CodeRunResult | CodeRunStarted> {
    if (options.wait) return this.#sandbox.run(agent, input)
    // Answer once the run has started (or was refused before it could); it goes on after this returns.
    let started!: (run: string) => void
    const begun = new Promise<CodeRunStarted>((resolve) => (started = (run) => resolve({ run, status: "running" })))
    const finished = this.#sandbox.run(agent, input, { started })
    this.ctx.waitUntil(finished)
    return Promise.race([begun, finished])
  }

  /** The scheduled jobs, all or one agent's (`berth job list`). */
  jobs(agent?: string): Array<JobView> {
    return this.#jobs.list(agent)
  }

  /** Every version of one entry, from the log: who wrote it, when, and what. */
  memoryHistory(namespace: string, key: string): Array<Envelope> {
    return memoryHistory(this.ctx.storage.sql, namespace, key, toEnvelope)
  }

  /** What the memory search index holds (the replay-equals-projection property compares it). */
  memoryIndex() {
    return this.#memory.indexed()
  }

  async #discover(plugin: { plugin: string; url: string; transport: "streamable-http" | "sse" }) {
    // Discovery carries the plugin's team grant, if it has one.
    const credential = credentialForDiscovery(this.#state, plugin.plugin)
    const ref = { ...plugin, ...(credential ? { credential: this.#vault.upstream(credential) } : {}) }
    try {
      return { ok: true as const, found: await this.#pool.use(ref, discover) }
    } catch (error) {
      await this.#pool.drop(ref)
      // The upstream's words, which can quote the credential discovery carried: scrubbed and cut, as a run's are.
      const message = recordedText(await this.#vault.scrubber(), error instanceof Error ? error.message : String(error))
      const reason = message + unauthorizedHint(message, ref.plugin, credential?.credential)
      const refusal = rejected(new PluginUnreachable({ plugin: ref.plugin, url: ref.url, reason }))
      return { ok: false as const, unauthorized: isUnauthorized(message), error: refusal }
    }
  }

  /** Called by another workspace's edge when this workspace's key was presented there. */
  async refuseForeignKey(key: string, target: string, call: ToolCall | undefined): Promise<boolean> {
    return this.#mcp.refuseForeign(key, target, call)
  }

  /** Called by another workspace's edge when an OAuth token of this workspace's agent was presented there. */
  refuseForeignAgent(agent: string, target: string, call: ToolCall | undefined): Promise<void> {
    return this.#mcp.refuseForeignAgent(agent, target, call)
  }

  /** A command checked against the state without appending: its refusal, its replay, or undefined when it would go ahead. */
  precheck(command: unknown, options: CommandOptions): CommandOutcome | undefined {
    return precheckCommand(this.#stores, this.#slug, this.#state, command, options)
  }

  snapshot(): Snapshot {
    const { seq, hash } = this.#stores.log.head
    return { seq, hash, state: this.#state, projections: this.#projections }
  }

  /** Pushes the next batch to D1 now (a rebuild's progress steps); returns the new lag. */
  async pushReadModels(maxEvents?: number): Promise<ProjectionLag> {
    const lag = await this.#d1.push(maxEvents)
    this.#reschedule()
    return lag
  }

  /** Clears this workspace's D1 rows and rewinds its cursor; pushes then rebuild them from the log. */
  async resetReadModels(): Promise<ProjectionLag> {
    const lag = await this.#d1.reset()
    this.#reschedule()
    return lag
  }

  /** Seals everything appended so far into the archive (`berth audit seal`). */
  async sealArchive(): Promise<ArchiveStatus> {
    const status = await this.#archiver.sealAll()
    this.#reschedule()
    return status
  }

  /** One page of the whole log, reading pruned seqs from the archive. */
  async events(fromSeq: number, limit: number): Promise<ReadonlyArray<Envelope>> {
    return this.#fullLog.read(fromSeq, limit)
  }

  /** The state at a seq or a time, replayed from the archive (for pruned seqs) and the log. */
  async stateAt(point: Point): Promise<StateAt> {
    return this.#fullLog.stateAt(point)
  }

  /**
   * What one agent could do at a point in history: the state replayed to it, and the tools that
   * agent could then call with some arguments, under the policies then in force (as tools/list
   * would have shown them). Appends nothing.
   */
  async agentAt(point: Point, agent: string): Promise<AgentAt> {
    const replayed = await this.#fullLog.stateAt(point)
    const engine = this.#trialEngine.sync(replayed.state.policies)
    const tools = visibleTools(replayed.state, engine, agent).map(([id]) => id)
    return { ...replayed, agent, callableTools: tools }
  }

  /** The tools an agent's code may call now, with their pinned definitions: what `berth run types` types. */
  codeTools(agent: string): { seq: number; tools: Array<{ name: string; plugin: string; tool: string; description?: string; inputSchema: unknown }> } {
    const tools = visibleTools(this.#state, this.#engine.sync(this.#state.policies), agent).map(([name, t]) => ({
      name,
      plugin: t.plugin,
      tool: t.name,
      ...(t.definition.description === undefined ? {} : { description: t.definition.description }),
      inputSchema: t.definition.inputSchema
    }))
    return { seq: this.#stores.log.head.seq, tools }
  }

  /** Re-walks the chain of the rows this object holds (from the pruned horizon, if any). */
  verify(): ChainCheck & { readonly from: number } {
    return { ...verifyLog(this.#stores.log), from: (this.#stores.log.prunedThrough()?.seq ?? 0) + 1 }
  }

  runs(filter: RunFilter): Array<RunSummary> {
    return listRuns(this.ctx.storage.sql, filter)
  }

  run(run: string): Array<Envelope> {
    return runEvents(this.ctx.storage.sql, run, toEnvelope)
  }

  /** How a call would be decided, now or under a proposed policy set; appends nothing. */
  tryCall(call: TrialCall): TrialOutcome {
    return tryCall(this.#state, this.#trialEngine, call)
  }

  /** Which recorded calls a proposed policy set would flip; appends nothing. */
  simulatePolicy(sim: Simulation): SimulationOutcome {
    return simulate(this.#state, this.#trialEngine, recordedCalls(this.#stores.log.scan()), sim)
  }

  /** How many upstream connections this object has opened (the pool's measure). */
  upstreamConnects(): number {
    return this.#pool.connects
  }

  /** The one alarm: retries the directory entry, pushes to D1, seals the archive, prunes, expires memory and fires jobs, whichever is due. */
  override async alarm(): Promise<void> {
    this.#clock.fired()
    const now = Date.now()
    if ((this.#directory.due() ?? Number.POSITIVE_INFINITY) <= now) await this.#directory.ensure(this.#directoryEntry)
    if ((this.#d1.due() ?? Number.POSITIVE_INFINITY) <= now) await this.#d1.push()
    if ((this.#archiver.due() ?? Number.POSITIVE_INFINITY) <= now) await this.#archiver.seal()
    if ((this.#retention.due() ?? Number.POSITIVE_INFINITY) <= now) this.#retention.prune(now)
    if ((this.#memory.due() ?? Number.POSITIVE_INFINITY) <= now) this.#memory.onAlarm(now)
    // Jobs run past this alarm: the next one is set for whatever else is due meanwhile.
    if ((this.#jobs.due() ?? Number.POSITIVE_INFINITY) <= now) this.ctx.waitUntil(this.#jobs.onAlarm(now).finally(() => this.#reschedule()))
    this.#reschedule()
  }
}
