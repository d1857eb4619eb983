// The hosted MCP endpoint of one workspace, served inside its Durable Object: Origin check,
// agent authentication, then the SDK's handler (MCP 2026-07-28 stateless, and 2025-era requests
// without a session through its stateless fallback) over a server built for the calling agent, or
// the agent's 2025-era session (sessions.ts). `/w/{ws}/mcp` serves the
// whole workspace; `/w/{ws}/mcp/{plugin}` one plugin under the upstream's own names, through the
// same authentication, allowlist, policies, limits, grants and recording.
import { type AuthInfo, createMcpHandler, isJsonContentType, isLegacyRequest, originValidationResponse } from "@modelcontextprotocol/server"
import { isResponse } from "./agent-requests.ts"
import { agentServer } from "./agent-server.ts"
import { refuseExcludedClient } from "../bots/mcp-gate.ts"
import { bearerChallenge } from "../oauth/challenge.ts"
import { authenticate, authenticateRequest } from "./authenticate.ts"
import { recordRefusedCall } from "./call-tool.ts"
import { LegacySessions } from "./sessions.ts"
import { headerDeclarations, paramHeaderRefusal } from "./param-headers.ts"
import { watch } from "./resource-watch.ts"
import { ResourceSubscriptions } from "./resource-subscriptions.ts"
import type { UpstreamList } from "./upstream-pool.ts"
import type { WorkspaceHost } from "./host.ts"
import { discardBody, forbidden, notFound, peekJson, peekToolCall, unauthorized } from "./http-errors.ts"
import { type Names, namespaced, pluginNames, workspaceNames } from "./namespacing.ts"

type ToolCall = { name: string; arguments: Record<string, unknown> }

export const MCP_MAX_BODY_BYTES = 1024 * 1024
/** A plugin's own mount: the segment after /mcp/, before any query. */
const MOUNT = /\/mcp\/([^/?#]+)(?:[?#]|$)/

/** What a 2026-07-28 listen stream's watcher id starts with, apart from a 2025 session's. */
const LISTEN = "listen:"
/** The first protocol revision without sessions; any later one is modern too (revisions are dates). */
const MODERN = "2026-07-28"
/** How long a refusal waits for the rest of a body it did not read (see `handle`). */
export const REFUSED_BODY_WAIT_MS = 1_000

/** Browsers on these hosts may call the endpoint; others are refused (DNS-rebinding protection). */
const LOOPBACK = ["localhost", "127.0.0.1", "[::1]"]

/**
 * A browser's Origin the endpoint refuses (403), or undefined: loopback, or a host listed in
 * `BERTH_ALLOWED_ORIGINS`. Checked by the Worker's route before a key is looked at anywhere (a
 * foreign key's home workspace records a refusal), and again by the workspace's object.
 */
export const refusedOrigin = (request: Request, configured: string | undefined): Response | undefined =>
  originValidationResponse(request, [...LOOPBACK, ...(configured ?? "").split(",").map((s) => s.trim()).filter(Boolean)])

export class McpEndpoint {
  readonly #host: WorkspaceHost
  readonly #allowedOrigins: ReadonlyArray<string>
  readonly #handler: ReturnType<typeof createMcpHandler>
  /** 2025-era sessions; the modern protocol and session-less 2025 requests go to `#handler`. */
  readonly #sessions: LegacySessions
  /** What 2025 sessions watch (resources/subscribe), and the upstream subscriptions that serves. */
  readonly #subscriptions = new ResourceSubscriptions()

  constructor(host: WorkspaceHost, allowedOrigins: ReadonlyArray<string>) {
    this.#host = host
    this.#allowedOrigins = [...LOOPBACK, ...allowedOrigins]
    this.#handler = createMcpHandler((ctx) => agentServer(host, String(ctx.authInfo?.extra?.agent), ctx.authInfo?.extra?.names as Names), {
      legacy: "stateless",
      maxRequestBodySize: MCP_MAX_BODY_BYTES
    })
    this.#sessions = new LegacySessions(
      (agent, names, session) => agentServer(host, agent, names, session, this.#subscriptions),
      MCP_MAX_BODY_BYTES,
      (closed) => void this.#subscriptions.removeSession(closed)
    )
  }

  /** What a 2025 session's client declared at its `initialize` (undefined for no such session). */
  sessionCapabilities(session: string): Readonly<Record<string, unknown>> | undefined {
    return this.#sessions.clientCapabilities(session)
  }

  /**
   * A plugin's resource changed upstream: each 2025 session watching it hears, and each 2026-07-28
   * listen stream whose filter names it, under the URI as that agent named it.
   */
  resourceUpdated(plugin: string, uri: string): void {
    const listened = new Set<string>()
    for (const [watcher, agentUri] of this.#subscriptions.watchers(plugin, uri)) {
      if (watcher.startsWith(LISTEN)) listened.add(agentUri)
      else this.#sessions.notify(watcher, { method: "notifications/resources/updated", params: { uri: agentUri } })
    }
    for (const agentUri of listened) this.#handler.notify.resourceUpdated(agentUri)
  }

  /**
   * A 2026-07-28 `subscriptions/listen` whose filter names resources: each URI the agent may read is
   * watched upstream for as long as the stream is open, and the rest are left out of the filter the
   * SDK's listen router is given, so the agent's acknowledgement says which were honoured.
   */
  async #listenWithResources(request: Request, agent: string, names: Names, authInfo: AuthInfo): Promise<Response | undefined> {
    type Listen = { method?: unknown; params?: { notifications?: { resourceSubscriptions?: unknown } } }
    if (request.headers.get("mcp-method") !== "subscriptions/listen") return undefined
    const body = (await peekJson(request, MCP_MAX_BODY_BYTES)) as Listen | undefined
    const wanted = body?.method === "subscriptions/listen" ? body.params?.notifications?.resourceSubscriptions : undefined
    if (!Array.isArray(wanted) || wanted.length === 0) return undefined
    const watcher = `${LISTEN}${crypto.randomUUID()}`
    const release = () => void this.#subscriptions.removeSession(watcher)
    const honoured: Array<string> = []
    for (const uri of new Set(wanted.filter((u): u is string => typeof u === "string"))) {
      const watched = await watch(this.#host, this.#subscriptions, watcher, agent, names, uri, {}).then(() => true, () => false)
      if (watched) honoured.push(uri)
    }
    const notifications = { ...body!.params!.notifications, resourceSubscriptions: honoured }
    const headers = new Headers(request.headers)
    headers.delete("content-length")
    const narrowed = new Request(request.url, { method: "POST", headers, body: JSON.stringify({ ...body, params: { ...body!.params, notifications } }) })
    const response = await this.#handler.fetch(narrowed, { authInfo })
    if (!response.body) {
      release()
      return response
    }
    // The upstream subscriptions last as long as the stream: released when it ends or the agent goes.
    const reader = response.body.getReader()
    const stream = new ReadableStream<Uint8Array>({
      async pull(controller) {
        const { done, value } = await reader.read()
        if (!done) return controller.enqueue(value)
        release()
        controller.close()
      },
      cancel(reason) {
        release()
        return reader.cancel(reason)
      }
    })
    return new Response(stream, { status: response.status, headers: response.headers })
  }

  /**
   * What a plugin offers changed (its upstream said so, or the workspace changed which tools agents
   * see): 2025 sessions serving it, and every open 2026-07-28 `subscriptions/listen` stream, hear
   * `notifications/{list}/list_changed` (`plugin` `"*"`: every endpoint). The listen streams are the workspace's, not a plugin's, so
   * an agent may hear of a change it cannot see, and lists again.
   */
  listChanged(plugin: string, list: UpstreamList): void {
    this.#sessions.notifyServing(plugin, { method: `notifications/${list}/list_changed` })
    if (list === "tools") this.#handler.notify.toolsChanged()
    else if (list === "prompts") this.#handler.notify.promptsChanged()
    else this.#handler.notify.resourcesChanged()
  }

  async handle(request: Request): Promise<Response> {
    const response = await this.#respond(request)
    // A refusal leaves the body unread while the Worker is still streaming it here (or, for a body
    // over the cap that declared no length, read only as far as the cap). Let that stream end before
    // the response does; otherwise the Worker's runtime reports an uncaught "Can't read from request
    // stream after response has been sent". (Cancelling it instead does not stop that.) Bounded, so
    // a stalled body, or one over twice the cap, only brings the report back.
    const unread = request.body && !request.body.locked && (!request.bodyUsed || response.status >= 400)
    if (unread) await discardBody(request.body, MCP_MAX_BODY_BYTES, REFUSED_BODY_WAIT_MS)
    return response
  }

  async #respond(request: Request): Promise<Response> {
    const badOrigin = originValidationResponse(request, [...this.#allowedOrigins])
    if (badOrigin) return badOrigin
    // The Worker routes only /w/{ws}/mcp and /w/{ws}/mcp/{plugin} here; read the plugin without parsing the URL again.
    const plugin = MOUNT.exec(request.url)?.[1]
    const names = plugin === undefined ? workspaceNames : pluginNames(plugin)
    const auth = authenticateRequest(this.#host.state(), request)
    if (!auth.ok && auth.status === 401) return unauthorized(bearerChallenge(new URL(request.url).origin, this.#host.slug))
    if (!auth.ok) {
      const call = await peekToolCall(request, MCP_MAX_BODY_BYTES)
      // Runs name a tool by its workspace id, whatever the endpoint called it.
      const target = call && names.splitTool(call.name)
      if (call) await recordRefusedCall(this.#host, auth.agent, { ...call, name: target ? namespaced(target.plugin, target.name) : call.name }, "agent-active", auth.reason)
      return forbidden(auth.reason)
    }
    // Which plugins a workspace has is said only to its own agents.
    if (plugin !== undefined && !this.#host.state().plugins[plugin]) return notFound(`no plugin '${plugin}' in workspace '${this.#host.slug}'`)
    const excluded = await refuseExcludedClient(this.#host, request, auth.agent, MCP_MAX_BODY_BYTES)
    if (excluded) return excluded
    if (await this.#answers(request, auth.agent)) return new Response(null, { status: 202 })
    // The key itself never travels further than this check.
    const authInfo = { token: "", clientId: auth.agent, scopes: [], extra: { agent: auth.agent, names } }
    // A 2026-07-28 request says so in its header; only the rest need their body read to tell.
    const version = request.headers.get("mcp-protocol-version")
    if (version !== null && version >= MODERN) {
      const mismatch = await this.#paramHeaderMismatch(request, names)
      if (mismatch) return mismatch
      const listening = await this.#listenWithResources(request, auth.agent, names, authInfo)
      if (listening) return listening
    }
    if ((version === null || version < MODERN) && (await isLegacyRequest(request, await peekJson(request, MCP_MAX_BODY_BYTES)))) {
      const sessioned = await this.#sessions.handle(request, auth.agent, names, authInfo)
      if (sessioned) return sessioned
    }
    return this.#serve(request, authInfo)
  }

  /**
   * The SDK's handler, given the body already parsed when that is cheaper: left to itself it clones
   * the request to read the body and classify it, then serves the original (a legacy request's body
   * is read twice). A POST of JSON that declares a length within the cap is read once here, without
   * a clone; every other request (no length, over the cap, not JSON) reaches the SDK unread, to be
   * read or refused exactly as it would be.
   */
  async #serve(request: Request, authInfo: AuthInfo): Promise<Response> {
    const length = Number(request.headers.get("content-length"))
    const readable = request.method === "POST" && isJsonContentType(request.headers.get("content-type")) && length > 0 && length <= MCP_MAX_BODY_BYTES
    if (!readable) return this.#handler.fetch(request, { authInfo })
    const bytes = await request.arrayBuffer()
    let parsedBody: unknown
    try {
      parsedBody = JSON.parse(new TextDecoder().decode(bytes))
    } catch {
      // Not JSON: the SDK answers that, from the same bytes.
      return this.#handler.fetch(new Request(request, { body: bytes }), { authInfo })
    }
    return this.#handler.fetch(request, { authInfo, parsedBody })
  }

  /**
   * A 2026-07-28 tool call whose `Mcp-Param-*` headers disagree with its arguments, by the tool's
   * pinned schema (param-headers.ts): refused before anything runs, as a malformed request, not a run.
   */
  async #paramHeaderMismatch(request: Request, names: Names): Promise<Response | undefined> {
    // The body is read only for a tool that declares headers, found by the request's own Mcp-Name
    // (SEP-2243); a call without it, or naming another tool than its body, is the SDK's to refuse.
    const declaring = (name: unknown) => {
      const target = typeof name === "string" ? names.splitTool(name) : undefined
      const tool = target && this.#host.state().tools[namespaced(target.plugin, target.name)]
      return tool && headerDeclarations(tool.definition.inputSchema).length > 0 ? tool : undefined
    }
    if (request.headers.get("mcp-method") !== "tools/call" || !declaring(request.headers.get("mcp-name"))) return undefined
    const body = (await peekJson(request, MCP_MAX_BODY_BYTES)) as { id?: unknown; method?: unknown; params?: { name?: unknown; arguments?: unknown } } | undefined
    const tool = body?.method === "tools/call" ? declaring(body.params?.name) : undefined
    const refused = tool && paramHeaderRefusal(tool.definition.inputSchema, body!.params!.arguments, request.headers)
    if (!refused) return undefined
    const id = typeof body?.id === "string" || typeof body?.id === "number" ? body.id : null
    return Response.json({ jsonrpc: "2.0", id, error: refused }, { status: 400 })
  }

  /**
   * Whether the request carries the agent's answers to requests Berth relayed to it (2025 era: they
   * come in a POST of their own), now handed over. Read only while the agent has requests waiting.
   */
  async #answers(request: Request, agent: string): Promise<boolean> {
    const requests = this.#host.agentRequests
    if (request.method !== "POST" || !requests.waitingOn(agent)) return false
    const body = await peekJson(request, MCP_MAX_BODY_BYTES)
    const messages: ReadonlyArray<unknown> = Array.isArray(body) ? body : [body]
    if (messages.length === 0 || !messages.every(isResponse)) return false
    // Answers to nothing waiting (late, or never asked) are dropped, as the SDK would drop them.
    for (const message of messages) requests.answer(agent, message)
    return true
  }

  /** A key that belongs here, presented at another workspace: refused there, recorded here. */
  async refuseForeign(key: string, target: string, call: ToolCall | undefined) {
    const auth = authenticate(this.#host.state(), key)
    if (!("agent" in auth)) return false
    const { agent } = auth
    if (call) await recordRefusedCall(this.#host, agent, call, "workspace-key", `this key belongs to workspace '${this.#host.slug}', not '${target}'`)
    return true
  }

  /** An OAuth token issued to one of this workspace's agents, presented at another workspace: recorded here. */
  async refuseForeignAgent(agent: string, target: string, call: ToolCall | undefined): Promise<void> {
    if (!this.#host.state().agents[agent] || !call) return
    await recordRefusedCall(this.#host, agent, call, "workspace-key", `this token was issued for workspace '${this.#host.slug}', not '${target}'`)
  }
}
