// `berth run types`: a .d.ts of `orbit` for one agent's scripts, so that a model or a person writes
// correct calls: each tool the agent may call now, typed from its pinned input schema (rendered by
// json-schema-to-typescript), beside the fixed primitives (memory, storage, cache, db, ai, jobs).
import { compile } from "json-schema-to-typescript"

export interface CodeTool {
  readonly name: string
  readonly plugin: string
  readonly tool: string
  readonly description?: string
  readonly inputSchema: unknown
}

/** `up__search_issues` → `UpSearchIssuesArgs`. */
const typeName = (name: string) =>
  `${name
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => part[0]!.toUpperCase() + part.slice(1))
    .join("")}Args`

/** A property name as TypeScript accepts it. */
const property = (name: string) => (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) ? name : JSON.stringify(name))

/** Text from a tool's description, safe inside a block comment. */
const comment = (text: string | undefined, indent: string) =>
  text === undefined || text.trim() === "" ? "" : `${indent}/** ${text.replace(/\*\//g, "*\\/").replace(/\s+/g, " ").trim()} */\n`

const FIXED = `export interface TextContent { type: "text"; text: string }
export interface CallToolResult {
  content: Array<TextContent | { type: string; [key: string]: unknown }>
  structuredContent?: { [key: string]: unknown }
  isError?: boolean
}
/** Thrown by a refused or failed primitive; catch it and read _tag. */
export interface OrbitError extends Error {
  _tag: string
  details?: { [key: string]: unknown }
}
export interface MemoryEntry { namespace: string; key: string; value: unknown; version: number; tags: string[]; expiresAt?: string; updatedAt: string }
export interface OrbitMemory {
  get(namespace: string, key: string): Promise<MemoryEntry>
  put(namespace: string, key: string, value: unknown, options?: { tags?: string[]; ttlSeconds?: number; ifVersion?: number }): Promise<{ namespace: string; key: string; version: number; expiresAt?: string }>
  delete(namespace: string, key: string, options?: { ifVersion?: number }): Promise<{ namespace: string; key: string; deleted: true; version: number }>
  list(options?: { prefix?: string; tags?: string[]; cursor?: string; limit?: number }): Promise<{ entries: Array<Omit<MemoryEntry, "value">>; cursor: string | null }>
  search(query: string, options?: { prefix?: string; limit?: number }): Promise<{ hits: Array<{ namespace: string; key: string; version: number; tags: string[]; score: number; snippet: string }> }>
}
export type Stored = string | Uint8Array | null | boolean | number | { [key: string]: unknown } | unknown[]
export interface OrbitStorage {
  get(key: string): Promise<Stored | null>
  put(key: string, value: Stored): Promise<{ key: string; bytes: number }>
  delete(key: string): Promise<{ key: string; deleted: true }>
  list(options?: { prefix?: string; cursor?: string; limit?: number }): Promise<{ objects: Array<{ key: string; bytes: number; uploaded: string }>; cursor: string | null }>
}
export interface OrbitCache {
  get(key: string): Promise<Stored | null>
  put(key: string, value: Stored, options?: { ttlSeconds?: number }): Promise<{ key: string; bytes: number; ttlSeconds: number }>
  delete(key: string): Promise<{ key: string; deleted: true }>
}
export type SqlValue = string | number | null | Uint8Array
export interface OrbitDb {
  exec(sql: string, ...params: SqlValue[]): Promise<{ rowsRead: number; rowsWritten: number }>
  query(sql: string, ...params: SqlValue[]): Promise<{ rowsRead: number; rowsWritten: number; columns: string[]; rows: SqlValue[][] }>
}
export interface OrbitAi {
  generate(request: {
    messages: Array<{ role: "user" | "assistant"; content: string | { type: string; [key: string]: unknown } }>
    maxTokens?: number
    systemPrompt?: string
    temperature?: number
  }): Promise<{ model: string; role: "assistant"; content: { type: string; [key: string]: unknown } }>
}
/** Once at a time, once after a delay, or on a five-field cron schedule in UTC (at most once a minute). */
export type JobWhen = { at: string } | { delayMs: number } | { cron: string }
export interface Job {
  job: string; agent: string; at?: string; cron?: string; nextAt: string; codeHash: string; inputSize: number
  scheduledAt: string; scheduledBy?: string; running?: string; fired: number
}
export interface OrbitJobs {
  /** Runs the code later as this agent (authorized again when it fires); code is kept by its sha256, so codeHash reuses it. */
  schedule(when: JobWhen, job: { code: string; input?: unknown } | { codeHash: string; input?: unknown }): Promise<{ job: string; nextAt: string; codeHash: string }>
  /** This agent's scheduled jobs. */
  list(): Promise<Job[]>
  cancel(job: string): Promise<{ job: string; cancelled: true }>
}
`

/** The .d.ts for these tools; `header` names the agent, workspace and seq it was made for. */
export const renderOrbitTypes = async (tools: ReadonlyArray<CodeTool>, header: string): Promise<string> => {
  const argTypes: Array<string> = []
  for (const t of tools) {
    const schema = (typeof t.inputSchema === "object" && t.inputSchema !== null ? t.inputSchema : { type: "object" }) as Record<string, unknown>
    // The tool's own schema, with its title dropped so the type takes the name given here.
    const { title: _title, $id: _id, ...rest } = schema
    argTypes.push(
      await compile(rest as never, typeName(t.name), { bannerComment: "", additionalProperties: false, format: false, strictIndexSignatures: true, unknownAny: true })
    )
  }
  const byPlugin = new Map<string, Array<CodeTool>>()
  for (const t of tools) byPlugin.set(t.plugin, [...(byPlugin.get(t.plugin) ?? []), t])
  const plugins = [...byPlugin].map(
    ([plugin, own]) =>
      `    ${property(plugin)}: {\n${own.map((t) => `${comment(t.description, "      ")}      ${property(t.tool)}(args: ${typeName(t.name)}): Promise<CallToolResult>`).join("\n")}\n    }`
  )
  const overloads = tools.map((t) => `    call(name: ${JSON.stringify(t.name)}, args: ${typeName(t.name)}): Promise<CallToolResult>`)
  const lines = [
    `// ${header}`,
    "// Generated by `berth run types`: the tools are the ones this agent may call now, typed from their pinned input schemas.",
    "",
    FIXED,
    ...argTypes,
    "export interface Orbit {",
    "  tools: {",
    ...overloads,
    "    call(name: string, args?: { [key: string]: unknown }): Promise<CallToolResult>",
    ...plugins,
    "  }",
    "  memory: OrbitMemory",
    "  storage: OrbitStorage",
    "  cache: OrbitCache",
    "  db: OrbitDb",
    "  ai: OrbitAi",
    "  jobs: OrbitJobs",
    "}",
    "",
    "/** The module's shape: `export default (async (input, orbit) => { … }) satisfies Script<Input, Output>` */",
    "export type Script<Input = unknown, Output = unknown> = (input: Input, orbit: Orbit) => Promise<Output>",
    ""
  ]
  // Descriptions and schemas are an upstream's words: printLine shows their control characters, never obeys them.
  return lines.join("\n")
}
