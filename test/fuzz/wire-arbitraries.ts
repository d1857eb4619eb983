// What the wire fuzz (wire.fuzz.test.ts) sends to the MCP endpoint: JSON-RPC messages, batches, bodies
// and headers in both protocol eras, and the callers who send them. Names Berth and the test upstream
// know are mixed with arbitrary ones, so the cases reach past the first check.
import { fc } from "@fast-check/vitest"

export const MODERN = "2026-07-28"
const LEGACY_VERSIONS = ["2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"]
export const MAX_BODY_BYTES = 1024 * 1024

/**
 * Methods a request may name that can record a run: a tool call, and a read of a plugin's resource,
 * prompt or completion (docs/mcp.md "Refusals"; src/mcp/call-tool.ts, src/mcp/read-call.ts).
 */
export const RUN_METHODS: ReadonlySet<string> = new Set(["tools/call", "resources/read", "prompts/get", "completion/complete"])

const KNOWN_METHODS = [
  "initialize",
  "ping",
  "tools/list",
  "tools/call",
  "resources/list",
  "resources/templates/list",
  "resources/read",
  "resources/subscribe",
  "resources/unsubscribe",
  "prompts/list",
  "prompts/get",
  "completion/complete",
  "logging/setLevel",
  "server/discover",
  "subscriptions/listen",
  "tasks/get",
  "tasks/list",
  "tasks/result",
  "tasks/cancel",
  "sampling/createMessage",
  "elicitation/create",
  "roots/list",
  "notifications/initialized",
  "notifications/cancelled",
  "notifications/progress",
  "notifications/roots/list_changed"
]

// The test upstream's tools, prompts and resources under both endpoints' names, and near misses. Tools
// that wait on the agent (sample, elicit, roots) and the `interview` prompt are left out: each would
// hold a case for the plane's answer limit without reaching anything new.
const TOOL_NAMES = ["up__echo", "up__region", "up__fail", "up__protocol-error", "up__nope", "echo", "region", "nope", "up__", "__echo", "memory_get", "run_code"]
const PROMPT_NAMES = ["up__greet", "greet", "up__nope", "up__"]
const RESOURCE_URIS = ["berth://up/test%3A%2F%2Freadme", "test://readme", "berth://memory/ns/key", "berth://nope/x", "berth://up/%E0%A4%A", "berth://"]

/** Printable ASCII, as any header value may be. */
export const headerText = (maxLength = 40) =>
  fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength })

/** Any text, lone surrogates and control characters included. */
export const anyText = fc.oneof(fc.string({ maxLength: 30 }), fc.string({ unit: "binary", maxLength: 30 }))

export const json = fc.jsonValue({ maxDepth: 2 })
export const jsonObject = fc.dictionary(fc.string({ maxLength: 10 }), json, { maxKeys: 4 })

/** Mostly what clients send (small integers, short strings); sometimes every other JSON type, and values JSON.stringify rewrites (NaN, -0). */
const id = fc.oneof(
  { weight: 8, arbitrary: fc.oneof(fc.nat({ max: 1000 }), fc.string({ maxLength: 12 })) },
  {
    weight: 1,
    arbitrary: fc.oneof(
      fc.integer(),
      fc.constantFrom(null, true, -0, Number.NaN, 1.5, Number.MAX_SAFE_INTEGER + 2, ""),
      fc.array(fc.integer(), { maxLength: 2 }),
      jsonObject
    )
  }
)

const method = (era: "modern" | "legacy") => fc.oneof(
  // Tool calls most, as agents send them most and they reach furthest (policy, validation, the upstream, the log).
  { weight: 4, arbitrary: fc.constant("tools/call") },
  // A 2025 client opens with initialize, and may then name the session it got (wire.fuzz.test.ts "open").
  { weight: era === "legacy" ? 2 : 0, arbitrary: fc.constant("initialize") },
  { weight: 6, arbitrary: fc.constantFrom(...KNOWN_METHODS) },
  { weight: 1, arbitrary: anyText },
  { weight: 1, arbitrary: fc.constantFrom("", "tools/", "rpc.discover", "__proto__", "constructor", "tools/call ", "TOOLS/CALL", "notifications/") }
)

export const or = <T>(known: ReadonlyArray<T>) => fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...known) }, { weight: 1, arbitrary: anyText })

/** Mostly absent: a header most clients never send, or send right. */
export const rarely = <T>(arbitrary: fc.Arbitrary<T>) => fc.oneof({ weight: 6, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary })

const toolArguments = fc.oneof(
  fc.record({ text: fc.string({ maxLength: 20 }) }),
  fc.record({ region: fc.string({ maxLength: 10 }), text: fc.string({ maxLength: 10 }) }),
  jsonObject,
  json
)

const clientInfo = fc.oneof(fc.record({ name: anyText, version: anyText }), json)

/** The 2026-07-28 envelope a request carries in `_meta`: mostly whole and right, sometimes partial or malformed. */
const envelope = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record(
      {
        "io.modelcontextprotocol/protocolVersion": fc.constant(MODERN),
        "io.modelcontextprotocol/clientCapabilities": fc.constantFrom({}, { sampling: {}, elicitation: { form: {} } }),
        "io.modelcontextprotocol/clientInfo": fc.record({ name: fc.constantFrom("fuzz-agent", "claude-code"), version: fc.constant("1.0.0") }),
        progressToken: fc.option(id, { freq: 4, nil: undefined })
      },
      { requiredKeys: ["io.modelcontextprotocol/protocolVersion", "io.modelcontextprotocol/clientCapabilities", "io.modelcontextprotocol/clientInfo"] }
    )
  },
  {
    weight: 1,
    arbitrary: fc.record(
      {
        "io.modelcontextprotocol/protocolVersion": fc.oneof(fc.constant(MODERN), fc.constantFrom(...LEGACY_VERSIONS, "2027-01-01", ""), json),
        "io.modelcontextprotocol/clientCapabilities": fc.oneof(fc.constant({}), json),
        "io.modelcontextprotocol/clientInfo": clientInfo,
        progressToken: id
      },
      { requiredKeys: [] }
    )
  }
)

/** Params shaped for the method named, often; anything at all, sometimes. */
const paramsFor = (name: string, era: "modern" | "legacy"): fc.Arbitrary<unknown> => {
  const shaped: fc.Arbitrary<Record<string, unknown>> =
    name === "tools/call"
      ? fc.record({ name: or(TOOL_NAMES), arguments: toolArguments }, { requiredKeys: ["name"] })
      : name === "prompts/get"
      ? fc.record({ name: or(PROMPT_NAMES), arguments: fc.oneof(fc.record({ name: fc.string({ maxLength: 10 }) }), jsonObject) }, { requiredKeys: ["name"] })
      : name === "resources/read" || name === "resources/subscribe" || name === "resources/unsubscribe"
      ? fc.record({ uri: or(RESOURCE_URIS) })
      : name === "initialize"
      ? fc.oneof(
          {
            weight: 4,
            arbitrary: fc.record({
              protocolVersion: fc.constantFrom(...LEGACY_VERSIONS),
              capabilities: fc.constantFrom({}, { sampling: {}, elicitation: {} }),
              clientInfo: fc.record({ name: fc.constantFrom("fuzz-agent", "claude-code"), version: fc.constant("1.0.0") })
            })
          },
          {
            weight: 1,
            arbitrary: fc.record(
              { protocolVersion: fc.oneof(fc.constantFrom(...LEGACY_VERSIONS, MODERN), json), capabilities: fc.oneof(fc.constant({}), json), clientInfo },
              { requiredKeys: [] }
            )
          }
        )
      : name === "subscriptions/listen"
      ? fc.record({
          notifications: fc.record(
            { toolsListChanged: fc.boolean(), promptsListChanged: fc.boolean(), resourceSubscriptions: fc.oneof(fc.array(or(RESOURCE_URIS), { maxLength: 3 }), json) },
            { requiredKeys: [] }
          )
        })
      : name === "logging/setLevel"
      ? fc.record({ level: fc.oneof(fc.constantFrom("debug", "info", "error", "emergency"), anyText) })
      : name === "notifications/cancelled"
      ? fc.record({ requestId: id, reason: fc.string({ maxLength: 10 }) }, { requiredKeys: [] })
      : name === "completion/complete"
      ? fc.record({
          ref: fc.oneof(fc.record({ type: fc.constant("ref/prompt"), name: or(PROMPT_NAMES) }), fc.record({ type: fc.constant("ref/resource"), uri: or(RESOURCE_URIS) }), json),
          argument: fc.oneof(fc.record({ name: fc.string({ maxLength: 8 }), value: fc.string({ maxLength: 8 }) }), json)
        })
      : jsonObject
  const withMeta = era === "modern" ? fc.tuple(shaped, envelope).map(([p, _meta]) => ({ ...p, _meta })) : shaped
  return fc.oneof({ weight: 8, arbitrary: withMeta }, { weight: 1, arbitrary: json }, { weight: 1, arbitrary: fc.constant(undefined) })
}

const jsonrpcField = fc.oneof({ weight: 30, arbitrary: fc.constant("2.0") }, { weight: 1, arbitrary: fc.constantFrom("1.0", 2, null, "", "2.0 ") })

/** Drops the keys whose value is `undefined`, as JSON.stringify would. */
const present = (entries: Record<string, unknown>) => Object.fromEntries(Object.entries(entries).filter(([, v]) => v !== undefined))

/** A request (with an id), a notification (without), a response, or something that is none of them. */
const message = (era: "modern" | "legacy") =>
  fc.oneof(
    { weight: 12, arbitrary: fc.tuple(jsonrpcField, id, method(era)).chain(([jsonrpc, i, m]) => paramsFor(m, era).map((params) => present({ jsonrpc, id: i, method: m, params }))) },
    { weight: 2, arbitrary: fc.tuple(jsonrpcField, method(era)).chain(([jsonrpc, m]) => paramsFor(m, era).map((params) => present({ jsonrpc, method: m, params }))) },
    {
      weight: 1,
      arbitrary: fc.oneof(
        fc.record({ jsonrpc: jsonrpcField, id, result: json }),
        fc.record({ jsonrpc: jsonrpcField, id, error: fc.oneof(fc.record({ code: fc.integer(), message: fc.string({ maxLength: 10 }) }), json) })
      )
    },
    { weight: 1, arbitrary: json }
  )

/** A JSON body, a batch, or bytes that are not JSON at all; rarely, one near or over the 1 MiB cap. */
const body = (era: "modern" | "legacy") =>
  fc.oneof(
    { weight: 30, arbitrary: message(era).map((m) => JSON.stringify(m) ?? "") },
    { weight: 5, arbitrary: fc.array(message(era), { maxLength: 4 }).map((batch) => JSON.stringify(batch)) },
    { weight: 2, arbitrary: fc.oneof(anyText, fc.constantFrom("", "{", "[", "null", "{}", "[]", '{"jsonrpc":"2.0"', "\uFEFF{}", "1e999")) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.integer({ min: 64 * 1024, max: MAX_BODY_BYTES - 4096 }), fc.boolean())
        .map(([size, toolCall]) =>
          JSON.stringify({ jsonrpc: "2.0", id: 1, method: toolCall ? "tools/call" : "ping", params: { name: "up__echo", arguments: { text: "x".repeat(size) } } })
        )
    },
    { weight: 1, arbitrary: fc.constant(null).map(() => JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "up__echo", arguments: { text: "x".repeat(MAX_BODY_BYTES) } } })) }
  )

const mediaTypes = ["application/json", "application/json; charset=utf-8", "text/event-stream", "text/plain", "application/x-www-form-urlencoded", "*/*"]

/** Headers besides Authorization (the caller's, added by the test); absent keys are not sent. */
const headers = (era: "modern" | "legacy") =>
  fc
    .record({
      "content-type": fc.oneof(
        { weight: 40, arbitrary: fc.constant("application/json") },
        { weight: 2, arbitrary: fc.constantFrom(...mediaTypes, undefined) },
        { weight: 1, arbitrary: headerText() }
      ),
      accept: fc.oneof(
        { weight: 40, arbitrary: fc.constant("application/json, text/event-stream") },
        { weight: 2, arbitrary: fc.constantFrom(...mediaTypes, undefined) },
        { weight: 1, arbitrary: headerText() }
      ),
      // "open": the session the harness last saw opened, if any (wire.fuzz.test.ts).
      "mcp-session-id": rarely(fc.oneof({ weight: 3, arbitrary: fc.constant("open") }, { weight: 1, arbitrary: fc.uuid() }, { weight: 1, arbitrary: headerText(20) })),
      origin: rarely(fc.constantFrom("http://localhost:5173", "http://127.0.0.1:8080", "http://evil.example", "null", "not a url")),
      "mcp-param-region": rarely(headerText(12)),
      "last-event-id": rarely(headerText(12)),
      "mcp-protocol-version": protocolVersionHeader(era)
    })
    .map((h) => Object.fromEntries(Object.entries(h).filter((entry): entry is [string, string] => entry[1] !== undefined)))

/**
 * MCP-Protocol-Version: a 2026-07-28 request carries it (mostly right, sometimes later or garbled);
 * a 2025 client sends its own revision after initialize, or none.
 */
const protocolVersionHeader = (era: "modern" | "legacy") =>
  era === "modern"
    ? fc.oneof(
        { weight: 12, arbitrary: fc.constant(MODERN) },
        { weight: 1, arbitrary: fc.constantFrom("2027-01-01", "9999-99-99", "2026-07-28 ", "2026-07-28,2025-11-25") },
        { weight: 1, arbitrary: fc.option(headerText(12), { nil: undefined }) }
      )
    : fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...LEGACY_VERSIONS) }, { weight: 2, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: headerText(12) })

/** An HTTP request to an MCP endpoint; the URL and the caller's Authorization are the test's. */
export interface WireRequest {
  readonly verb: string
  readonly headers: Readonly<Record<string, string>>
  readonly body: string | undefined
}

export const wireRequest = (era: "modern" | "legacy"): fc.Arbitrary<WireRequest> =>
  fc
    .tuple(
      fc.oneof({ weight: 12, arbitrary: fc.constant("POST") }, { weight: 1, arbitrary: fc.constantFrom("GET", "DELETE", "PUT", "PATCH", "OPTIONS", "HEAD") }),
      headers(era),
      body(era),
      fc.oneof({ weight: 8, arbitrary: fc.constant("derived" as const) }, { weight: 1, arbitrary: fc.constant("absent" as const) }, { weight: 1, arbitrary: headerText(12) })
    )
    .map(([verb, h, b, routing]) => ({
      verb,
      headers: era === "modern" ? { ...h, ...routingHeaders(b, routing) } : h,
      body: verb === "GET" || verb === "HEAD" ? undefined : b
    }))

/** Where a 2026-07-28 request's Mcp-Name comes from, by method (SEP-2243). */
const NAME_SOURCE: Record<string, string> = { "tools/call": "name", "prompts/get": "name", "resources/read": "uri", "tasks/get": "taskId", "tasks/update": "taskId", "tasks/cancel": "taskId" }
const printable = (value: unknown): value is string => typeof value === "string" && /^[\x20-\x7e]*$/.test(value)

/**
 * Mcp-Method and Mcp-Name, which a 2026-07-28 request repeats from its body so routers need not read
 * it: "derived" from the body where it can be, or left out, or one arbitrary value for both.
 */
const routingHeaders = (body: string, routing: "derived" | "absent" | string): Record<string, string> => {
  if (routing === "absent") return {}
  if (routing !== "derived") return { "mcp-method": routing, "mcp-name": routing }
  let message: unknown
  try {
    message = JSON.parse(body)
  } catch {
    return {}
  }
  if (typeof message !== "object" || message === null || Array.isArray(message)) return {}
  const { method, params } = message as { method?: unknown; params?: Record<string, unknown> }
  const source = typeof method === "string" ? NAME_SOURCE[method] : undefined
  const name = source === undefined || typeof params !== "object" || params === null ? undefined : params[source]
  return { ...(printable(method) ? { "mcp-method": method } : {}), ...(printable(name) ? { "mcp-name": name } : {}) }
}

/**
 * Who sends a request, by what the test resolves into an Authorization header: nobody; a garbage
 * token; a key forged for the workspace or for one that does not exist; an OAuth-shaped token no
 * provider issued; the real key under the wrong scheme; the key of an active agent, of a suspended
 * one, or of an agent of another workspace.
 */
export type CallerKind = "none" | "garbage" | "forged" | "homeless" | "oauth-shaped" | "wrong-scheme" | "active" | "suspended" | "foreign"

export const caller = fc.oneof(
  { weight: 1, arbitrary: fc.constantFrom<CallerKind>("none", "garbage", "forged", "homeless", "oauth-shaped", "wrong-scheme").map((kind) => ({ kind })) },
  { weight: 3, arbitrary: fc.constant({ kind: "active" as CallerKind }) },
  { weight: 1, arbitrary: fc.constantFrom<CallerKind>("suspended", "foreign").map((kind) => ({ kind })) }
).chain(({ kind }) => headerText(30).map((noise) => ({ kind, noise })))

/** Which workspace the URL names: the docked one (mostly), one that does not exist, or no slug at all. */
export type TargetKind = "docked" | "missing" | "not-a-slug"
export const target = fc.oneof({ weight: 12, arbitrary: fc.constant<TargetKind>("docked") }, { weight: 1, arbitrary: fc.constantFrom<TargetKind>("missing", "not-a-slug") })

/** A plugin mount's segment: the installed plugin (mostly), or another the Worker still routes. */
export const mountSegment = fc.oneof(
  { weight: 8, arbitrary: fc.constant("up") },
  { weight: 1, arbitrary: fc.constantFrom("nope", "UP", "up.v2", "memory", "_", "up-") },
  { weight: 1, arbitrary: fc.stringMatching(/^[A-Za-z0-9._-]{1,20}$/) }
)
