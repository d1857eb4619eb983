// Puts one server entry into a client's config text and leaves everything else as it was: JSON and
// JSONC through jsonc-parser's edits, TOML through toml-patch, both of which keep comments and layout.
import { parse as parseToml, patch as patchToml } from "@decimalturn/toml-patch"
import canonicalize from "canonicalize"
import { applyEdits, type FormattingOptions, modify, parse as parseJsonc, type ParseError, printParseErrorCode } from "jsonc-parser"
import type { ConfigFormat } from "./mcp-clients.ts"

/** Which entry goes where. `name` is a bare key (letters, digits, `_`, `-`), so it needs no quoting in TOML. */
export interface Placement {
  readonly format: ConfigFormat
  readonly serversKey: string
  readonly name: string
  readonly entry: Readonly<Record<string, unknown>>
}

export interface Merged {
  readonly text: string
  /** False when the entry was already there as asked: the text is then the input, unchanged. */
  readonly changed: boolean
}

/** Why the existing text was refused; line and column are 1-based. */
export interface ConfigProblem {
  readonly reason: string
  readonly line?: number
  readonly column?: number
}

export const isConfigProblem = (result: Merged | ConfigProblem): result is ConfigProblem => "reason" in result

type Table = Record<string, unknown>

const isTable = (value: unknown): value is Table => typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Date)

/** Equal as data, whatever the key order (JCS). */
const same = (a: unknown, b: unknown) => a !== undefined && b !== undefined && canonicalize(a) === canonicalize(b)

/** The whole document as it should read after the merge: the entry set, nothing else touched. */
const withEntry = (root: Table, { serversKey, name, entry }: Placement): Table => {
  const servers = root[serversKey]
  return { ...root, [serversKey]: { ...(isTable(servers) ? servers : {}), [name]: entry } }
}

/** The entry is replaced whole: a key a user added to Berth's own entry goes (the backup keeps it). */
export const mergeServer = (text: string, placement: Placement): Merged | ConfigProblem =>
  placement.format === "toml" ? mergeToml(text, placement) : mergeJson(text, placement)

// JSON and JSONC

const words = (code: string) => code.replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase()

const positionOf = (text: string, offset: number) => {
  const before = text.slice(0, offset).split(/\r\n|\r|\n/)
  return { line: before.length, column: (before.at(-1)?.length ?? 0) + 1 }
}

/** The file's own indentation and line ending, so inserted lines look like their neighbours. */
const formattingOf = (text: string): FormattingOptions => {
  const indent = /^([ \t]+)\S/m.exec(text)?.[1]
  const tabs = indent?.startsWith("\t") ?? false
  return { insertSpaces: !tabs, tabSize: indent && !tabs ? indent.length : 2, eol: text.includes("\r\n") ? "\r\n" : "\n" }
}

const readJson = (text: string, format: ConfigFormat): { readonly root: Table | undefined } | ConfigProblem => {
  const errors: Array<ParseError> = []
  const root: unknown = parseJsonc(text, errors, {
    disallowComments: format === "json",
    allowTrailingComma: format === "jsonc",
    allowEmptyContent: true
  })
  const [first] = errors
  if (first) {
    const code = printParseErrorCode(first.error)
    const strict = code === "InvalidCommentToken" && format === "json" ? " (this client reads plain JSON, without comments)" : ""
    return { reason: `${words(code)}${strict}`, ...positionOf(text, first.offset) }
  }
  if (root !== undefined && !isTable(root)) return { reason: "the top level is not a JSON object" }
  return { root }
}

const mergeJson = (text: string, placement: Placement): Merged | ConfigProblem => {
  const { format, serversKey, name, entry } = placement
  // jsonc-parser does not skip a byte order mark; keep it in front of the edited text.
  const bom = text.startsWith("\uFEFF") ? "\uFEFF" : ""
  const body = text.slice(bom.length)
  const read = readJson(body, format)
  if ("reason" in read) return read
  const root = read.root ?? {}
  const servers = root[serversKey]
  if (servers !== undefined && !isTable(servers)) return { reason: `"${serversKey}" is not an object` }
  if (isTable(servers) && same(servers[name], entry)) return { text, changed: false }
  const formatting = formattingOf(body)
  const start = read.root === undefined ? "" : body
  const edited = applyEdits(start, modify(start, [serversKey, name], entry, { formattingOptions: formatting }))
  const after = start === "" ? `${edited}${formatting.eol}` : edited
  const check = readJson(after, format)
  if ("reason" in check || !same(check.root, withEntry(root, placement)))
    return { reason: "the entry could not be added without changing other values" }
  return { text: `${bom}${after}`, changed: true }
}

// TOML

interface TomlSyntaxError {
  readonly message: string
  readonly line: number
  /** 0-based. */
  readonly column: number
}

const isTomlSyntaxError = (e: unknown): e is TomlSyntaxError =>
  e instanceof Error && typeof (e as { line?: unknown }).line === "number" && typeof (e as { column?: unknown }).column === "number"

const readToml = (text: string): { readonly root: Table } | ConfigProblem => {
  try {
    return { root: parseToml(text, { integersAsBigInt: false }) as Table }
  } catch (e) {
    // toml-patch's message is "Error parsing TOML (line, col):", the offending line, a caret, then the reason.
    if (isTomlSyntaxError(e)) return { reason: e.message.split("\n").at(-1) ?? e.message, line: e.line, column: e.column + 1 }
    return { reason: e instanceof Error ? e.message : String(e) }
  }
}

const mergeToml = (text: string, placement: Placement): Merged | ConfigProblem => {
  const { serversKey, name, entry } = placement
  const read = readToml(text)
  if ("reason" in read) return read
  const servers = read.root[serversKey]
  if (servers !== undefined && !isTable(servers)) return { reason: `${serversKey} is not a table` }
  if (isTable(servers) && same(servers[name], entry)) return { text, changed: false }
  // A new entry gets its own [mcp_servers.<name>] table at the end, the form Codex's docs show, and
  // patch fills it in. Left to itself, patch would add a dotted key at the top of the file.
  const eol = text.includes("\r\n") ? "\r\n" : "\n"
  const lead = text === "" ? "" : text.endsWith("\n") ? eol : `${eol}${eol}`
  const withTable = isTable(servers) && name in servers ? text : `${text}${lead}[${serversKey}.${name}]${eol}`
  // An inline `mcp_servers = { … }` takes no [table]: then patch adds the entry inside it.
  const base = "reason" in readToml(withTable) ? text : withTable
  const baseRead = readToml(base)
  if ("reason" in baseRead) return baseRead
  const after = patchToml(base, withEntry(baseRead.root, placement))
  const check = readToml(after)
  if ("reason" in check || !same(check.root, withEntry(read.root, placement)))
    return { reason: "the entry could not be added without changing other values" }
  return { text: after, changed: true }
}
