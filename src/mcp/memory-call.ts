// A call to one of Berth's own memory tools (src/memory/tools.ts): a run like any tool call, with
// its spans (validate arguments, authorize, memory.<op>; rate limit when it refuses), authorized per namespace by
// Cedar (read_memory, write_memory on Memory::"<namespace>"), rate-limited by the tool's name. A put or
// delete is appended as the agent, correlated with the run; a refusal appends no memory event.
import type { CallToolResult } from "@modelcontextprotocol/server"
import type { Span } from "../../events/index.ts"
import type { ListOptions } from "../memory/memory.ts"
import { MEMORY_TOOLS, type MemoryToolName } from "../memory/tools.ts"
import { redact } from "../runs/redact.ts"
import { authorizeMemory, type Decision, readableNamespaces } from "./authorize.ts"
import { beginRun, measure, type RunLink, type ToolCallParams } from "./call-tool.ts"
import type { WorkspaceHost } from "./host.ts"
import { startSpan } from "./trace.ts"
import { validateArguments } from "./validate-args.ts"

type Args = Record<string, any>

const refused = (reason: string): CallToolResult => ({ content: [{ type: "text", text: `Berth refused this call: ${reason}` }], isError: true })

const answer = (structured: Record<string, unknown>, text: string): CallToolResult => ({
  content: [{ type: "text", text }],
  structuredContent: structured
})

const failed = (error: { readonly _tag: string; readonly message: string }): CallToolResult => {
  const { _tag, message, ...fields } = { ...(error as unknown as Record<string, unknown>), _tag: error._tag, message: error.message }
  return { content: [{ type: "text", text: `${_tag}: ${message}` }], structuredContent: { error: { _tag, message, ...fields } }, isError: true }
}

export const callMemoryTool = async (host: WorkspaceHost, agent: string, name: MemoryToolName, params: ToolCallParams, link?: RunLink): Promise<CallToolResult> => {
  const tool = MEMORY_TOOLS[name]
  const traced = beginRun(host, agent, params, await host.vault.scrubber(), link)
  const spans: Array<Span> = []
  const span = (spanName: string) => startSpan(traced.traceId, spanName, traced.root.spanId)
  const args: Args = params.arguments ?? {}

  const validating = span("validate arguments")
  const check = validateArguments(name, tool.inputSchema, args)
  if (!check.ok) {
    spans.push(validating.end({ code: "error", message: check.message }, { "berth.pointer": check.pointer }))
    traced.finish("denied", spans, { error: check.message })
    return refused(check.message)
  }
  spans.push(validating.end({ code: "ok" }))

  const state = host.state()
  const engine = host.policies()
  // A put, get or delete names its namespace; a list or search reads only the namespaces the agent may read.
  const target: string | undefined = "namespace" in tool.inputSchema.properties ? args.namespace : undefined
  const authorizing = span("authorize")
  const decision: Decision = authorizeMemory(state, engine, agent, tool.action, target ?? "team")
  const scoped = target !== undefined || decision.rule === "agent-active"
  const denied = scoped && !decision.allow
  const reason = !decision.allow ? `${tool.action} on Memory::"${target ?? "*"}": ${decision.reason}` : ""
  spans.push(
    authorizing.end(denied ? { code: "error", message: reason } : { code: "ok" }, {
      "berth.decision": denied ? "deny" : scoped ? "allow" : "per-namespace",
      "berth.rule": decision.rule,
      ...(decision.policies.length > 0 && scoped ? { "berth.policies": decision.policies.join(",") } : {}),
      ...(target === undefined ? {} : { "berth.memory.namespace": target })
    })
  )
  if (denied) {
    traced.finish("denied", spans, { error: reason })
    return refused(reason)
  }

  const throttling = span("rate limit")
  const throttle = host.limiter.take(state, agent, name)
  if (!throttle.ok) {
    spans.push(throttling.end({ code: "error", message: throttle.reason }, { "berth.limit": throttle.limit, "berth.retry_after_ms": throttle.retryAfterMs }))
    traced.finish("denied", spans, { error: throttle.reason })
    return refused(throttle.reason)
  }

  const mayRead = readableNamespaces(state, engine, agent)

  const memory = host.memory()
  const working = span(`memory.${name.slice("memory_".length)}`)
  let result: CallToolResult
  const attributes: Record<string, string | number> = {}
  switch (name) {
    case "memory_put": {
      const outcome = await memory.put(
        { namespace: args.namespace, key: args.key, value: args.value, tags: args.tags, ttlSeconds: args.ttlSeconds, ifVersion: args.ifVersion },
        { actor: { type: "agent", id: agent }, correlationId: traced.run }
      )
      if (!outcome.ok) {
        result = failed(outcome.error)
        break
      }
      const data = outcome.events[0]!.data as { version: number; expiresAt?: string }
      Object.assign(attributes, { "berth.memory.version": data.version, "berth.memory.value_bytes": measure(args.value).size, "berth.seq": outcome.seq })
      result = answer(
        { namespace: args.namespace, key: args.key, version: data.version, ...(data.expiresAt ? { expiresAt: data.expiresAt } : {}) },
        `stored ${args.namespace}/${args.key} at version ${data.version}`
      )
      break
    }
    case "memory_get": {
      const entry = memory.get(args.namespace, args.key)
      if ("_tag" in entry) {
        result = failed(entry)
        break
      }
      attributes["berth.memory.version"] = entry.version
      result = answer({ ...entry }, JSON.stringify(entry))
      break
    }
    case "memory_delete": {
      const outcome = host.execute(
        { _tag: "DeleteMemory", namespace: args.namespace, key: args.key, ...(args.ifVersion === undefined ? {} : { ifVersion: args.ifVersion }) },
        { actor: { type: "agent", id: agent }, correlationId: traced.run }
      )
      if (!outcome.ok) {
        result = failed(outcome.error)
        break
      }
      const version = (outcome.events[0]!.data as { version: number }).version
      attributes["berth.memory.version"] = version
      result = answer({ namespace: args.namespace, key: args.key, deleted: true, version }, `deleted ${args.namespace}/${args.key} (was version ${version})`)
      break
    }
    case "memory_list": {
      const { entries, cursor } = memory.list(args as ListOptions, mayRead)
      // Names, versions and tags; values are read one at a time with memory_get.
      const listed = entries.map(({ value: _, ...entry }) => entry)
      attributes["berth.memory.count"] = listed.length
      result = answer({ entries: listed, cursor }, JSON.stringify({ entries: listed, cursor }))
      break
    }
    case "memory_search": {
      const found = memory.search(args.query, { prefix: args.prefix, limit: args.limit }, mayRead)
      attributes["berth.memory.count"] = found.hits.length
      result = answer(found, JSON.stringify(found))
      break
    }
  }
  spans.push(working.end(result.isError ? { code: "error", message: result.content[0]!.type === "text" ? result.content[0]!.text : "error" } : { code: "ok" }, attributes))
  const measured = measure(result)
  traced.finish(result.isError ? "error" : "ok", spans, {
    resultHash: measured.hash,
    resultSize: measured.size,
    ...(traced.capture ? { result: redact(result, traced.scrubber) } : {})
  })
  return result
}
