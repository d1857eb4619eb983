// What the wire fuzz (wire.fuzz.test.ts) sends to POST /admin/rpc: every command and query by `_tag`,
// with the fields its Schema declares, taking values that fit or do not, and bodies that are no request.
import { fc } from "@fast-check/vitest"
import { INTERNAL_COMMANDS } from "../../src/admin/dispatch.ts"
import { Query } from "../../src/admin/queries.ts"
import { Command, COMMAND_TAGS } from "../../src/workspace/decide.ts"
import { anyText, json, or, rarely } from "./wire-arbitraries.ts"

const QUERY_TAGS = Query.members.map((m) => m.identifier)

/** Fields admin commands and queries take, each from values that sometimes fit. */
const adminField = {
  agent: or(["bot", "other", "Not A Name", ""]),
  member: or(["ann@acme.test", "not-an-email"]),
  role: or(["owner", "admin", "viewer", "root"]),
  plugin: or(["up", "other", "memory", "a__b"]),
  // Only URLs that answer at once: the plane connects to a plugin's URL before it installs it.
  url: fc.constantFrom("http://127.0.0.1:9/mcp", "ftp://nope", "https://user:secret@127.0.0.1:9/mcp", "http://127.0.0.1:9/mcp?token=abc", "not a url", ""),
  transport: or(["streamable-http", "sse", "stdio"]),
  auth: or(["none", "bearer", "oauth"]),
  review: fc.boolean(),
  tool: or(["up__echo", "up__nope", "echo"]),
  policy: or(["base", "guard", "Bad Policy"]),
  text: or(["permit(principal, action, resource);", "forbid(principal, action, resource);", "permit(", ""]),
  credential: or(["gh", "Bad Cred"]),
  value: fc.oneof(or(["s3cr3t-value", "ghp_0123456789abcdefghijklmnopqrstuvwxyz"]), json),
  kind: or(["bearer", "header", "oauth"]),
  namespace: or(["ns", "team/notes", "../x", ""]),
  key: or(["k", "a/b", ""]),
  ttlSeconds: fc.oneof(fc.integer({ min: -5, max: 3600 }), json),
  tags: fc.oneof(fc.array(fc.string({ maxLength: 6 }), { maxLength: 3 }), json),
  ifVersion: fc.oneof(fc.integer({ min: -1, max: 3 }), json),
  enabled: fc.boolean(),
  keepDays: fc.oneof(fc.integer({ min: -1, max: 400 }), json),
  perMinute: fc.oneof(fc.integer({ min: -1, max: 1000 }), json),
  limit: fc.oneof(fc.integer({ min: -1, max: 2000 }), or(["calls", "bot"])),
  scopes: fc.oneof(fc.array(fc.string({ maxLength: 6 }), { maxLength: 2 }), json),
  match: or(["claude*", "https://c.example/client.json"]),
  effect: or(["allow", "deny"]),
  clientId: or(["c1", "nope"]),
  clientName: or(["Ops"]),
  redirectUris: fc.oneof(fc.constant(["https://ops.example/cb"]), fc.constant(["http://evil.example/cb"]), json),
  confidential: fc.boolean(),
  run: or(["01JZ0000000000000000000000", "nope"]),
  at: fc.oneof(fc.integer({ min: -1, max: 50 }), fc.constantFrom("2026-11-25T14:02:00Z", "yesterday"), json),
  from: fc.oneof(fc.integer({ min: -1, max: 50 }), json),
  since: or(["2026-11-25T14:02:00Z", "yesterday"]),
  cursor: or(["", "bad-cursor"]),
  // Code that ends at once: an endless loop would only test the sandbox's clock.
  code: or(["return 1", "return input", "throw new Error('no')", "syntax error here(", "await orbit.tools.up__echo({ text: 'x' })"]),
  input: json,
  timeoutMs: fc.oneof(fc.integer({ min: -1, max: 2000 }), json),
  wait: fc.boolean(),
  maxEvents: fc.oneof(fc.integer({ min: -1, max: 100 }), json),
  connect: or(["nope"]),
  as: or(["base"]),
  expectedSeq: fc.oneof(fc.integer({ min: -1, max: 40 }), json),
  idempotencyKey: fc.oneof(fc.constantFrom("k1", "k2"), fc.string({ maxLength: 5 }))
} satisfies Record<string, fc.Arbitrary<unknown>>

/** Which workspace an admin request names; the test resolves "fuzzed" and "ghost" to real slugs. */
export type AdminWorkspace = "fuzzed" | "ghost" | "not-a-slug" | "absent"
const adminWorkspace = fc.oneof(
  { weight: 8, arbitrary: fc.constant<AdminWorkspace>("fuzzed") },
  { weight: 1, arbitrary: fc.constantFrom<AdminWorkspace>("ghost", "not-a-slug", "absent") }
)

/** Fields the plane fills in itself (a plugin's discovery, a minted key's hash); an admin who sends one is refused. */
const FILLED_BY_THE_PLANE = new Set(["discovery", "keyHash", "keyPrefix"])

/** Each command's and query's own fields, read from its Schema, so a request is often well-formed. */
const requestFields = new Map<string, ReadonlyArray<string>>(
  [...Command.members, ...Query.members].map((schema) => [
    schema.identifier,
    Object.keys(schema.fields).filter((f) => f !== "_tag" && f !== "workspace" && !FILLED_BY_THE_PLANE.has(f))
  ])
)
const isCommand = (tag: string) => (COMMAND_TAGS as ReadonlyArray<string>).includes(tag)
const adminFieldNames = Object.keys(adminField) as Array<keyof typeof adminField>
const otherValue = fc.oneof({ weight: 4, arbitrary: fc.string({ maxLength: 12 }) }, { weight: 1, arbitrary: json })
const fieldValue = (name: string): fc.Arbitrary<unknown> => (name in adminField ? adminField[name as keyof typeof adminField] : otherValue)

/** A command or query by `_tag` with most of its own fields, sometimes one it does not take, and routing fields. */
const adminRequest = fc
  .oneof(
    { weight: 12, arbitrary: fc.constantFrom(...COMMAND_TAGS.filter((tag) => !INTERNAL_COMMANDS.includes(tag)), ...QUERY_TAGS) },
    // The plane's own commands (a run, a consent), refused to admins.
    { weight: 1, arbitrary: fc.constantFrom(...INTERNAL_COMMANDS) },
    { weight: 1, arbitrary: anyText }
  )
  .chain((_tag) => {
    const own = requestFields.get(_tag) ?? []
    return fc.record({
      _tag: fc.constant(_tag),
      workspace: adminWorkspace,
      fields: fc.tuple(...own.map((f) => fc.option(fieldValue(f).map((v) => [f, v] as const), { freq: 5, nil: undefined }))),
      extra: rarely(fc.constantFrom(...adminFieldNames).chain((f) => fieldValue(f).map((v) => [f, v] as const))),
      // Only commands take routing fields (a query refuses them as excess).
      routing: isCommand(_tag) ? fc.record({ expectedSeq: rarely(adminField.expectedSeq), idempotencyKey: rarely(adminField.idempotencyKey) }) : fc.constant({})
    })
  })
  .map(({ _tag, workspace, fields, extra, routing }) => ({
    kind: "request" as const,
    _tag,
    workspace,
    fields: Object.fromEntries([...Object.entries(routing), ...fields, extra].filter((entry): entry is readonly [string, unknown] => entry !== undefined && entry[1] !== undefined)) as Record<string, unknown>
  }))

/** An admin request: a command or query, or any JSON, or not JSON. */
export const adminBody = fc.oneof(
  { weight: 10, arbitrary: adminRequest },
  { weight: 1, arbitrary: json.map((value) => ({ kind: "json" as const, text: JSON.stringify(value) })) },
  { weight: 1, arbitrary: fc.oneof(anyText, fc.constantFrom("", "{", "null", "[]")).map((text) => ({ kind: "text" as const, text })) }
)

export type AdminBody = typeof adminBody extends fc.Arbitrary<infer T> ? T : never

export const adminAuth = fc.oneof(
  { weight: 10, arbitrary: fc.constant("admin" as const) },
  { weight: 1, arbitrary: fc.constantFrom("none" as const, "wrong" as const, "basic" as const) }
)

export const adminVerb = fc.oneof({ weight: 20, arbitrary: fc.constant("POST") }, { weight: 1, arbitrary: fc.constantFrom("GET", "PUT", "DELETE") })
