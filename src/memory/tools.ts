// Berth's own MCP tools for workspace memory, unprefixed (a plugin's tools are always
// `{plugin}__{tool}`, so these never collide). Each input schema is what the call is validated
// against; each description tells a model when and how to use the tool.
import type { Tool } from "@modelcontextprotocol/server"
import { MAX_TTL_SECONDS } from "./memory.ts"
import { MAX_TAGS } from "./names.ts"

const namespace = {
  type: "string",
  description:
    "A '/'-separated path such as 'team', 'team/runbooks' or 'agent/<your agent name>'. Each segment is 1-64 letters, digits, '.', '_' or '-'.",
  pattern: "^[A-Za-z0-9]([A-Za-z0-9._-]{0,62}[A-Za-z0-9])?(/[A-Za-z0-9]([A-Za-z0-9._-]{0,62}[A-Za-z0-9])?){0,7}$"
}
const key = { type: "string", description: "The entry's key within its namespace: 1-256 characters, no '/'.", minLength: 1, maxLength: 256, pattern: "^[^/]+$" }
const tags = {
  type: "array",
  items: { type: "string", minLength: 1, maxLength: 64, pattern: "^[^\\s,]+$" },
  maxItems: MAX_TAGS,
  description: "Labels to find the entry by later (list filters on them; search matches them)."
}
const ifVersion = {
  type: "integer",
  minimum: 0,
  description: "Only if the entry is at this version now (0: only if it does not exist). A mismatch fails with the current version, so you can re-read and retry."
}

export const MEMORY_TOOLS = {
  memory_put: {
    title: "Write workspace memory",
    description:
      "Store a value in the workspace's shared memory, where other agents and later runs can read it. " +
      "The value is JSON or text, at most 64 KiB. Writing an existing key replaces it and bumps its version. " +
      "Never store secrets (tokens, keys, passwords): memory is part of the audit log, and such values are refused.",
    inputSchema: {
      type: "object",
      properties: {
        namespace,
        key,
        value: { description: "Any JSON value; a string is stored as text." },
        tags,
        ttlSeconds: { type: "integer", minimum: 1, maximum: MAX_TTL_SECONDS, description: "Forget the entry this many seconds from now." },
        ifVersion
      },
      required: ["namespace", "key", "value"],
      additionalProperties: false
    },
    action: "write_memory"
  },
  memory_get: {
    title: "Read workspace memory",
    description: "Read one entry of the workspace's shared memory by namespace and key: its value, version, tags and expiry.",
    inputSchema: { type: "object", properties: { namespace, key }, required: ["namespace", "key"], additionalProperties: false },
    action: "read_memory"
  },
  memory_list: {
    title: "List workspace memory",
    description:
      "List entries of the workspace's shared memory, ordered by namespace and key, optionally under a namespace prefix and carrying all the given tags. " +
      "Returns at most `limit` entries and a `cursor`; pass the cursor back for the next page (null when there are no more).",
    inputSchema: {
      type: "object",
      properties: {
        prefix: { ...namespace, description: "Only this namespace and those under it, e.g. 'team'." },
        tags: { ...tags, description: "Only entries carrying every one of these tags." },
        cursor: { type: "string", description: "The cursor from the previous page." },
        limit: { type: "integer", minimum: 1, maximum: 200, description: "At most this many entries (default 50)." }
      },
      additionalProperties: false
    },
    action: "read_memory"
  },
  memory_search: {
    title: "Search workspace memory",
    description:
      "Full-text search over the keys, values and tags of the workspace's shared memory, best matches first, each with a snippet marking the matched words in [brackets]. " +
      "Every word must match; end a word with * to match words starting with it (e.g. 'deploy* rollback').",
    inputSchema: {
      type: "object",
      properties: {
        query: { type: "string", minLength: 1, maxLength: 1000, description: "Words to look for." },
        prefix: { ...namespace, description: "Only this namespace and those under it." },
        limit: { type: "integer", minimum: 1, maximum: 100, description: "At most this many hits (default 10)." }
      },
      required: ["query"],
      additionalProperties: false
    },
    action: "read_memory"
  },
  memory_delete: {
    title: "Delete workspace memory",
    description: "Delete one entry of the workspace's shared memory. With ifVersion, only if it is still at that version.",
    inputSchema: { type: "object", properties: { namespace, key, ifVersion }, required: ["namespace", "key"], additionalProperties: false },
    action: "write_memory"
  }
} as const

export type MemoryToolName = keyof typeof MEMORY_TOOLS

export const isMemoryTool = (name: string): name is MemoryToolName => Object.hasOwn(MEMORY_TOOLS, name)

/** The tools as tools/list shows them. */
export const memoryToolList = (): Array<Tool> =>
  Object.entries(MEMORY_TOOLS).map(([name, t]) => ({ name, title: t.title, description: t.description, inputSchema: t.inputSchema }) as unknown as Tool)
