// Berth's own `run_code` tool, unprefixed beside the memory tools: its input schema is what a call is
// validated against, and its description tells a model what `orbit` offers.
import type { Tool } from "@modelcontextprotocol/server"
import { type CodeLimits, DEFAULT_CODE_LIMITS } from "./limits.ts"

export const RUN_CODE = "run_code"

/** The tool as an agent of a workspace with these limits sees it (its description and timeoutMs's maximum name them). */
export const runCodeTool = (limits: CodeLimits = DEFAULT_CODE_LIMITS): Tool => ({
  name: RUN_CODE,
  title: "Run code in the workspace",
  description:
    "Run a JavaScript or TypeScript module inside the workspace, as you, and get its return value. " +
    "Use it to chain several tool calls, filter or join their results, or read and write memory in one step instead of many round trips. " +
    "The module is `export default async function (input, orbit) { … }`; return any JSON value. " +
    "orbit.tools.<plugin>.<tool>(args) or orbit.tools.call('<plugin>__<tool>', args) calls a tool you may call (the same names as tools/list) and returns its MCP result; " +
    "orbit.memory.get(namespace, key), .put(namespace, key, value, {tags, ttlSeconds, ifVersion}), .delete(namespace, key), .list({prefix, tags, cursor, limit}) and .search(query, {prefix, limit}) use workspace memory. " +
    "orbit.storage.get/put/delete/list keeps text, JSON or bytes (up to 1 MiB each) for the workspace; orbit.cache.get/put(key, value, {ttlSeconds})/delete caches values for 60 s to 30 days. " +
    "orbit.db.exec(sql, ...params) and orbit.db.query(sql, ...params) use the workspace's own SQLite database, one statement per call. " +
    "orbit.ai.generate({ messages, maxTokens }) asks the workspace's model, or else your own through MCP sampling if you answer sampling. " +
    "orbit.jobs.schedule({ delayMs } | { at } | { cron }, { code, input }) runs code later as you (cron: five fields, UTC); orbit.jobs.list() and .cancel(job) manage your jobs. " +
    "A refused call throws an error whose _tag says why (ToolDenied, MemoryDenied, MemoryNotFound, …), which the code can catch. " +
    "There is no network: fetch throws. console.log output comes back with the result. " +
    `The run stops after ${limits.wallMs / 1000} s (or timeoutMs) and may make at most ${limits.primitiveCalls} orbit calls. ` +
    "Every call it makes is recorded as part of the run.",
  inputSchema: {
    type: "object",
    properties: {
      code: { type: "string", minLength: 1, description: "The module's source: `export default async function (input, orbit) { … }`. TypeScript types are allowed." },
      input: { description: "Any JSON value, passed as the function's first argument." },
      timeoutMs: { type: "integer", minimum: 1, maximum: limits.wallMs, description: "Stop the run after this many milliseconds." }
    },
    required: ["code"],
    additionalProperties: false
  }
})
