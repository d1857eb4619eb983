// One warm MCP client per plugin, held by the workspace's Durable Object and shared by every call
// and agent. Concurrent first calls share one connect; a client whose connection failed is dropped
// and reconnected (twice at most, with a short backoff), so a restarted upstream, or a keep-alive
// connection the upstream closed just as it was reused, is survivable. It never opens a session per call.
// A client is keyed by plugin and credential: two calls with different grants never share a
// connection's auth, and a client's credential headers are set once, when it connects.
// What a probe learned of an upstream's era (its `server/discover` answer, or that it speaks only
// 2025) is kept in the object's storage (`Priors`), so a woken object's first call connects without
// the probe's round trip.
import {
  Client,
  type PriorDiscovery,
  ProtocolError,
  ProtocolErrorCode,
  SdkError,
  SdkErrorCode,
  SSEClientTransport,
  StreamableHTTPClientTransport
} from "@modelcontextprotocol/client"
import { currentCall, outsideAnyCall, type UpstreamRequest } from "./call-scope.ts"
import type { UpstreamCredential } from "../vault/vault.ts"
import type { Release } from "./resource-subscriptions.ts"

export interface UpstreamRef {
  readonly plugin: string
  readonly url: string
  readonly transport: "streamable-http" | "sse"
  /** The credential the client's requests carry (src/vault), opened only when it connects. */
  readonly credential?: UpstreamCredential | undefined
  /**
   * `legacy`: the request is a 2025-era agent's, so it goes on a 2025 session of its own where the
   * upstream keeps 2025 sessions (see #connect). Otherwise the plugin's shared client.
   */
  readonly era?: "legacy" | undefined
  /**
   * An agent that declared `roots`. A 2025 connection declares its capabilities once, for
   * every request on it, and a server may cache a session's roots, so such an agent gets a 2025
   * session of its own that declares roots too: one agent's roots never reach another (see
   * #resolve). Ignored where the upstream speaks 2026-07-28, whose requests carry their agent's
   * capabilities. (Only roots: an SDK v1 server refuses by itself, with a generic error, to ask what
   * a session did not declare, where the shared session lets Berth answer MCP's -32021.)
   */
  readonly rootsOf?: string | undefined
}

const CLIENT_INFO = { name: "berth", version: "0.1.0" }
/** What Berth can relay to an agent, so upstreams may ask for it (call-scope.ts, agent-requests.ts); `roots` too where each request says whose it is, or where the session is one agent's own (see #open). */
const CLIENT_CAPABILITIES = { sampling: {}, elicitation: { form: {}, url: {} } }
const MODERN = "2026-07-28"
const CONNECT_TIMEOUT_MS = 10_000
/** Waits before each reconnect. */
const RECONNECT_BACKOFF_MS = [50, 250]

/** Failures where the request never reached the tool, so connecting again and retrying is safe. */
const isConnectionFailure = (error: unknown): boolean =>
  error instanceof TypeError ||
  (error instanceof SdkError &&
    error.code !== SdkErrorCode.RequestTimeout &&
    error.code !== SdkErrorCode.InvalidResult &&
    error.code !== SdkErrorCode.CapabilityNotSupported)

/**
 * An upstream's request to its client, passed to the agent whose request (tool call or read) it arrived in. Outside one
 * (on the legacy SSE transport's one shared stream, or between calls) no agent can be named.
 */
const relayToAgent = (request: UpstreamRequest, signal: AbortSignal): Promise<unknown> => {
  const call = currentCall()
  if (!call) {
    throw new ProtocolError(ProtocolErrorCode.InvalidRequest, `Berth relays ${request.method} only within an agent's request (a tool call, prompts/get or resources/read) on Streamable HTTP, where it can name the agent`)
  }
  return call.ask(request, signal)
}

/** Which of an upstream's lists changed. */
export type UpstreamList = "tools" | "prompts" | "resources"

export interface UpstreamEvents {
  /**
   * A plugin's upstream said a list changed: on a 2025 upstream's session stream, or on the
   * `subscriptions/listen` stream the client opens to a 2026-07-28 upstream that advertises
   * `listChanged` (the SDK opens neither for one that does not).
   */
  readonly onListChanged?: (plugin: string, list: UpstreamList) => void
  /** A resource the pool subscribed to (`watchResource`) changed. */
  readonly onResourceUpdated?: (plugin: string, uri: string) => void
}

/** What the SDK's `connect({ prior })` takes: a 2026-07-28 upstream's discover answer, or that it speaks 2025 only. */
export type Prior = PriorDiscovery

/**
 * Where the pool keeps what it learned of each upstream URL's era, across the object's wakes. A cache
 * of the last probe, not a record: never in the log, rewritten by each probe, forgotten when a
 * connection made from it fails.
 */
export interface Priors {
  get(url: string): Prior | undefined
  set(url: string, prior: Prior): void
  delete(url: string): void
}

/** How long a probe's answer is trusted without probing again. */
export const PRIOR_MAX_AGE_MS = 24 * 60 * 60 * 1000

const PRIOR_KEY = "upstream-prior:"

/** Priors in a Durable Object's synchronous key-value storage, each trusted for PRIOR_MAX_AGE_MS. */
export const storedPriors = (kv: SyncKvStorage, now: () => number = Date.now): Priors => ({
  get: (url) => {
    const kept = kv.get<{ at: number; prior: Prior }>(PRIOR_KEY + url)
    return kept && now() - kept.at < PRIOR_MAX_AGE_MS ? kept.prior : undefined
  },
  set: (url, prior) => kv.put(PRIOR_KEY + url, { at: now(), prior }),
  delete: (url) => void kv.delete(PRIOR_KEY + url)
})

const inMemoryPriors = (): Priors => {
  const kept = new Map<string, Prior>()
  return { get: (url) => kept.get(url), set: (url, prior) => void kept.set(url, prior), delete: (url) => void kept.delete(url) }
}

/** 2025 sessions of their own for agents that declared roots, per pool; past this the least recently used is closed. */
export const MAX_ROOTS_SESSIONS = 32

/** Waits after an upstream's list_changed before acting, so a burst of them is acted on once. */
const LIST_CHANGED_DEBOUNCE_MS = 100

export class UpstreamPool {
  readonly #clients = new Map<string, Promise<Client>>()
  /** Connects made since the pool was created: the measure that a pool, not a session per call, serves calls. */
  connects = 0

  readonly #events: UpstreamEvents
  readonly #priors: Priors

  /** `events`: what the pool is told by upstreams outside any call (see UpstreamEvents); `priors`: where probes' answers are kept. */
  constructor(events: UpstreamEvents = {}, priors: Priors = inMemoryPriors()) {
    this.#events = events
    this.#priors = priors
  }
  /** Upstreams that refused 2026-07-28 and spoke 2025: connected in 2025 straight away from then on. */
  readonly #legacyUrls = new Set<string>()
  /** URLs whose stored prior has been looked at since the pool was created (once each, off the hot path). */
  readonly #consulted = new Set<string>()
  /** Upstreams that offer no 2025 session (stateless, or 2026-07-28 only): their 2025 agents share the plugin's client. */
  readonly #noLegacySessions = new Set<string>()

  /** 2025 sessions of one agent's own, by key, least recently used first. */
  readonly #rootsSessions = new Set<string>()
  /** How many `use` calls each client is serving now. */
  readonly #users = new Map<Promise<Client>, number>()
  /** Clients evicted while serving a call: closed when their last call ends, not under it. */
  readonly #evicted = new Set<Promise<Client>>()

  #key(ref: UpstreamRef) {
    // The fingerprint too: a credential set again with a new value is a new client.
    const credential = ref.credential ? `${ref.credential.id}@${ref.credential.fingerprint}` : ""
    const roots = ref.rootsOf === undefined ? "" : `|roots:${ref.rootsOf}`
    return `${ref.plugin}|${credential}|${ref.transport}|${ref.url}${ref.era === "legacy" ? "|legacy" : ""}${roots}`
  }

  /** The connection a request goes on, as far as the pool knows the upstream yet. */
  #resolve(ref: UpstreamRef): UpstreamRef {
    // A 2025 agent shares the plugin's client where that is 2025 already, or where a 2025 session is not to be had.
    const shared = ref.era === "legacy" && (ref.transport === "sse" || this.#legacyUrls.has(ref.url) || this.#noLegacySessions.has(ref.url))
    const era = shared ? undefined : ref.era
    // An agent needs a session of its own only where the connection is 2025 (known once one connect
    // has found it so): a 2026-07-28 one carries each request's capabilities. The SSE transport's one
    // shared stream can name no call, so it asks nobody anyway.
    const own = ref.transport === "streamable-http" && ((this.#legacyUrls.has(ref.url) && era === undefined) || era === "legacy")
    const rootsOf = own ? ref.rootsOf : undefined
    return era === ref.era && rootsOf === ref.rootsOf ? ref : { ...ref, era, rootsOf }
  }

  /**
   * Keeps at most MAX_ROOTS_SESSIONS sessions of agents' own, evicting the least recently used: its
   * agent's next request opens a new one, and the evicted session is closed once no call is on it.
   */
  #touchRootsSession(key: string) {
    this.#rootsSessions.delete(key)
    this.#rootsSessions.add(key)
    for (const oldest of this.#rootsSessions) {
      if (this.#rootsSessions.size <= MAX_ROOTS_SESSIONS) break
      this.#rootsSessions.delete(oldest)
      const client = this.#clients.get(oldest)
      this.#clients.delete(oldest)
      if (client && this.#users.has(client)) this.#evicted.add(client)
      else void client?.then((c) => c.close()).catch(() => undefined)
    }
  }

  /** Runs `fn` on a client, counted as one of its users, and closes an evicted client after its last. */
  async #serve<T>(connecting: Promise<Client>, fn: (client: Client) => Promise<T>): Promise<T> {
    this.#users.set(connecting, (this.#users.get(connecting) ?? 0) + 1)
    try {
      return await fn(await connecting)
    } finally {
      const left = this.#users.get(connecting)! - 1
      if (left > 0) this.#users.set(connecting, left)
      else {
        this.#users.delete(connecting)
        if (this.#evicted.delete(connecting)) void connecting.then((c) => c.close()).catch(() => undefined)
      }
    }
  }

  #connect(given: UpstreamRef): Promise<Client> {
    // A probe before this wake found the URL speaks 2025 only: not probed in 2026-07-28 again.
    if (!this.#consulted.has(given.url)) {
      this.#consulted.add(given.url)
      if (given.transport === "streamable-http" && this.#priors.get(given.url)?.kind === "legacy") this.#legacyUrls.add(given.url)
    }
    const ref = this.#resolve(given)
    const key = this.#key(ref)
    if (ref.rootsOf !== undefined) this.#touchRootsSession(key)
    const existing = this.#clients.get(key)
    if (existing) return existing
    this.connects++
    // Outside any call: the connection's long-lived streams belong to no agent's call.
    const connecting: Promise<Client> = outsideAnyCall(async (): Promise<Client> => {
      if (ref.era === "legacy") {
        // Through a 2025 session, the upstream's own requests and a 2025 agent's cancellation reach the
        // call as they would directly. An upstream that serves 2025 without sessions (the SDK v2's
        // default) could do neither, so a 2025 agent is better served by the 2026-07-28 wire there.
        // Unreachable says nothing about sessions: the caller hears it, and the next call looks again.
        const legacy = await this.#open(ref, key, () => connecting, "legacy").catch((error: unknown) => {
          if (error instanceof TypeError) throw error
          return undefined
        })
        if ((legacy?.transport as StreamableHTTPClientTransport | undefined)?.sessionId !== undefined) return legacy!
        await legacy?.close().catch(() => undefined)
        this.#noLegacySessions.add(ref.url)
        if (this.#clients.get(key) === connecting) this.#clients.delete(key)
        return this.#connect({ ...ref, era: undefined })
      }
      // The SSE transport predates 2026-07-28; a URL that refused it once is not probed again.
      if (ref.transport === "streamable-http" && !this.#legacyUrls.has(ref.url)) {
        try {
          return await this.#open(ref, key, () => connecting, "modern")
        } catch (error) {
          // Unreachable is unreachable in either era; anything else may be a server that speaks only 2025.
          if (error instanceof TypeError) throw error
          const legacy = await this.#open(ref, key, () => connecting, "legacy").catch(() => Promise.reject(error))
          this.#legacyUrls.add(ref.url)
          this.#priors.set(ref.url, { kind: "legacy" })
          return legacy
        }
      }
      return this.#open(ref, key, () => connecting, "legacy")
    })
    this.#clients.set(key, connecting)
    connecting.catch(() => {
      if (this.#clients.get(key) === connecting) this.#clients.delete(key)
    })
    return connecting
  }

  /**
   * One connected client in one era. 2026-07-28 (pinned, no fallback) declares `roots`: each request
   * carries the calling agent's own capabilities, and a roots/list is asked within that agent's call.
   * A shared 2025 session does not: it serves every agent, and a server that caches a session's roots
   * (server-everything does) would hand one agent's roots to the next. Only an agent's own 2025
   * session (`rootsOf`) declares them.
   */
  async #open(ref: UpstreamRef, key: string, current: () => Promise<Client>, era: "modern" | "legacy"): Promise<Client> {
    // Berth rediscovers on its own terms (src/registry/rediscovery.ts), so the SDK need not fetch the lists itself.
    const changed = (list: UpstreamList) => ({
      autoRefresh: false,
      debounceMs: LIST_CHANGED_DEBOUNCE_MS,
      onChanged: () => this.#events.onListChanged?.(ref.plugin, list)
    })
    const client = new Client(CLIENT_INFO, {
      versionNegotiation: { mode: era === "modern" ? { pin: MODERN } : "legacy" },
      capabilities: era === "modern" || ref.rootsOf !== undefined ? { ...CLIENT_CAPABILITIES, roots: {} } : CLIENT_CAPABILITIES,
      listChanged: { tools: changed("tools"), prompts: changed("prompts"), resources: changed("resources") }
    })
    // On a 2025 session's stream, or a 2026-07-28 listen stream (watchResource): the same handler.
    client.setNotificationHandler("notifications/resources/updated", (n) => this.#events.onResourceUpdated?.(ref.plugin, n.params.uri))
    // A log on a call's own response is read, and handled, inside that call's async context: it reaches that call alone.
    client.setNotificationHandler("notifications/message", (n) => currentCall()?.log(n.params))
    // The request's id: for a 2026-07-28 upstream's input request, its key, which the agent is asked under.
    client.setRequestHandler("sampling/createMessage", (request, ctx) => relayToAgent({ ...request, id: ctx.mcpReq.id }, ctx.mcpReq.signal) as never)
    client.setRequestHandler("elicitation/create", (request, ctx) => relayToAgent({ ...request, id: ctx.mcpReq.id }, ctx.mcpReq.signal) as never)
    if (era === "modern" || ref.rootsOf !== undefined) client.setRequestHandler("roots/list", (request, ctx) => relayToAgent({ ...request, id: ctx.mcpReq.id }, ctx.mcpReq.signal) as never)
    const url = new URL(ref.url)
    // A static credential's headers are set once; an OAuth credential's token is asked for per request (src/vault/oauth).
    const authProvider = ref.credential?.auth
    const requestInit = ref.credential && !authProvider ? { headers: await ref.credential.headers() } : undefined
    const auth = { ...(requestInit && { requestInit }), ...(authProvider && { authProvider }) }
    const transport = ref.transport === "sse" ? new SSEClientTransport(url, auth) : new StreamableHTTPClientTransport(url, auth)
    client.onclose = () => {
      if (this.#clients.get(key) === current()) this.#clients.delete(key)
    }
    // A 2026-07-28 upstream a probe has answered before is connected without probing again.
    const prior = era === "modern" ? this.#priors.get(ref.url) : undefined
    if (prior?.kind === "modern") {
      await client.connect(transport, { timeout: CONNECT_TIMEOUT_MS, prior })
      return client
    }
    await client.connect(transport, { timeout: CONNECT_TIMEOUT_MS })
    const discover = era === "modern" ? client.getDiscoverResult() : undefined
    if (discover) this.#priors.set(ref.url, { kind: "modern", discover })
    return client
  }

  /** Runs `fn` with the plugin's client; on a connection-level failure, reconnects and retries. */
  async use<T>(ref: UpstreamRef, fn: (client: Client) => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.#serve(this.#connect(ref), fn)
      } catch (error) {
        const backoff = RECONNECT_BACKOFF_MS[attempt]
        if (backoff === undefined || !isConnectionFailure(error)) throw error
        // The reconnect probes again: an upstream redeployed in another era (a 2025-only server now
        // refuses the 2026-07-28 requests a prior had the client send) fails here, at the HTTP layer.
        this.#priors.delete(ref.url)
        await this.drop(ref)
        await scheduler.wait(backoff)
      }
    }
  }

  /**
   * Subscribes to one resource of the plugin: `resources/subscribe` on a 2025 connection, a
   * `subscriptions/listen` stream for it on a 2026-07-28 one. Updates reach `onResourceUpdated`.
   * A subscription does not outlive its connection: a client the pool reconnects starts with none.
   */
  watchResource(ref: UpstreamRef, uri: string): Promise<Release> {
    return this.use(ref, async (client) => {
      if (!client.getServerCapabilities()?.resources?.subscribe)
        throw new ProtocolError(ProtocolErrorCode.MethodNotFound, `plugin '${ref.plugin}' does not offer resource subscriptions`)
      if ((client.getNegotiatedProtocolVersion() ?? "") >= MODERN) {
        const subscription = await client.listen({ resourceSubscriptions: [uri] })
        return () => subscription.close()
      }
      await client.subscribeResource({ uri })
      return async () => void (await client.unsubscribeResource({ uri }))
    })
  }

  async drop(ref: UpstreamRef): Promise<void> {
    const key = this.#key(this.#resolve(ref))
    this.#rootsSessions.delete(key)
    const client = this.#clients.get(key)
    this.#clients.delete(key)
    await client?.then((c) => c.close()).catch(() => undefined)
  }

  /** Drops every client of a plugin, whatever its URL (on removal or reinstall). */
  async dropPlugin(plugin: string): Promise<void> {
    await this.#dropWhere((key) => key.startsWith(`${plugin}|`))
  }

  /** Drops every client carrying a credential (set again, or revoked). */
  async dropCredential(credential: string): Promise<void> {
    await this.#dropWhere((key) => key.split("|")[1]!.startsWith(`${credential}@`))
  }

  async #dropWhere(match: (key: string) => boolean): Promise<void> {
    const keys = [...this.#clients.keys()].filter(match)
    await Promise.all(keys.map(async (key) => {
      const client = this.#clients.get(key)
      this.#clients.delete(key)
      this.#rootsSessions.delete(key)
      await client?.then((c) => c.close()).catch(() => undefined)
    }))
  }
}
