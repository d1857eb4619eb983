// SEP-2243 custom headers: a 2026-07-28 agent mirrors each tool argument whose schema property says
// `x-mcp-header: Name` into an `Mcp-Param-Name` header, so that intermediaries can route without
// reading bodies. A server must refuse a call whose headers are missing, badly encoded, or disagree
// with its arguments (HTTP 400, JSON-RPC -32020). The SDK checks this only for its McpServer's own
// tools; Berth serves upstream tools from their pinned definitions, so the check is here.

/** One declared header: where its value sits in the arguments, and the property's type. */
interface Declaration {
  readonly path: ReadonlyArray<string>
  readonly header: string
  readonly type: unknown
}

export interface ParamHeaderRefusal {
  readonly code: -32020
  readonly message: string
  readonly data: { readonly mismatch: { readonly header: string; readonly body: string } }
}

const HEADER_MISMATCH = -32020
const SENTINEL_PREFIX = "=?base64?"
const SENTINEL_SUFFIX = "?="
/** Canonical Base64: full quads, and padding only where it belongs. */
const CANONICAL_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/
const DECIMAL = /^-?\d+(\.\d+)?$/

/** Declarations on properties reached through `properties` alone, as SEP-2243 allows them. */
export const headerDeclarations = (schema: unknown, path: ReadonlyArray<string> = []): ReadonlyArray<Declaration> => {
  if (schema === null || typeof schema !== "object") return []
  const node = schema as { "x-mcp-header"?: unknown; type?: unknown; properties?: unknown }
  const own = path.length > 0 && typeof node["x-mcp-header"] === "string" ? [{ path, header: node["x-mcp-header"], type: node.type }] : []
  const properties = node.properties !== null && typeof node.properties === "object" ? Object.entries(node.properties) : []
  return [...own, ...properties.flatMap(([key, child]) => headerDeclarations(child, [...path, key]))]
}

/** A primitive argument as its header carries it; undefined for a value no header is sent for. */
const asHeaderText = (value: unknown): string | undefined => {
  if (typeof value === "string") return value
  if (typeof value === "boolean") return String(value)
  if (typeof value === "number" && Number.isFinite(value) && (!Number.isInteger(value) || Number.isSafeInteger(value))) return String(value)
  return undefined
}

/** The header's value: plain, or UTF-8 inside the Base64 sentinel; undefined if the sentinel's payload is not canonical. */
const decoded = (value: string): string | undefined => {
  if (!value.startsWith(SENTINEL_PREFIX) || !value.endsWith(SENTINEL_SUFFIX)) return value
  const payload = value.slice(SENTINEL_PREFIX.length, value.length - SENTINEL_SUFFIX.length)
  if (!CANONICAL_BASE64.test(payload)) return undefined
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(Uint8Array.from(atob(payload), (c) => c.charCodeAt(0)))
  } catch {
    return undefined
  }
}

const at = (root: unknown, path: ReadonlyArray<string>): unknown =>
  path.reduce<unknown>((node, key) => (node !== null && typeof node === "object" ? (node as Record<string, unknown>)[key] : undefined), root)

const refusal = (header: string, body: string): ParamHeaderRefusal => ({
  code: HEADER_MISMATCH,
  message: `Bad Request: the request headers and body disagree: ${body}`,
  data: { mismatch: { header, body } }
})

/** Why the call's headers are refused, or undefined when every declared argument's header agrees with it. */
export const paramHeaderRefusal = (inputSchema: unknown, args: unknown, headers: Headers): ParamHeaderRefusal | undefined => {
  for (const { path, header, type } of headerDeclarations(inputSchema)) {
    const name = `Mcp-Param-${header}`
    const value = at(args, path)
    // An absent or null argument expects no header, and a present one is ignored.
    const text = value === undefined || value === null ? undefined : asHeaderText(value)
    if (text === undefined) continue
    const argument = `${path.join(".")}=${JSON.stringify(value)}`
    const sent = headers.get(name)
    if (sent === null) return refusal(name, `the body carries ${argument} but the ${name} header is absent`)
    const received = decoded(sent)
    if (received === undefined) return refusal(name, `the ${name} header carries an invalid Base64 sentinel value`)
    const numeric = (type === "integer" || type === "number") && typeof value === "number" && DECIMAL.test(received)
    if (numeric ? Number(received) !== value : received !== text)
      return refusal(name, `the ${name} header decodes to ${JSON.stringify(received)} but the body carries ${argument}`)
  }
  return undefined
}
