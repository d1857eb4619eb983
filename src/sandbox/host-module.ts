// The module that hosts a script inside its isolate: it imports the script (`script.js`), gives it
// `orbit` built on the one stub the workspace handed this run, captures `console` into the run
// (per run, by AsyncLocalStorage, since runs of the same code share a warm isolate), and answers
// with the result as JSON or the error thrown, with the script's line and column. It is text: the
// isolate loads it as a module; it never runs in the plane.

/** The script's module name inside the isolate; runtime errors and stack frames name it. */
export const SCRIPT_MODULE = "script.js"
export const HOST_MODULE = "berth-host.js"

export const HOST_SOURCE = `
import { WorkerEntrypoint } from "cloudflare:workers"
import { AsyncLocalStorage } from "node:async_hooks"
import * as script from "./${SCRIPT_MODULE}"

const sinks = new AsyncLocalStorage()
const printable = (value) => {
  if (typeof value === "string") return value
  if (value instanceof Error) return value.stack ?? String(value)
  try { return JSON.stringify(value) ?? String(value) } catch { return String(value) }
}
for (const level of ["log", "info", "warn", "error", "debug"]) {
  const original = console[level].bind(console)
  console[level] = (...args) => {
    const sink = sinks.getStore()
    if (sink) sink.write(level, args.map(printable).join(" "))
    else original(...args)
  }
}

class Sink {
  constructor(limit) { this.limit = limit; this.bytes = 0; this.lines = []; this.truncated = false }
  write(level, text) {
    if (this.truncated) return
    if (this.bytes + text.length > this.limit) { this.truncated = true; return }
    this.bytes += text.length
    this.lines.push({ level, text })
  }
}

/** What a primitive refused or failed with, as a typed error the script can catch by its _tag. */
class OrbitError extends Error {
  constructor(error) {
    super(error.message)
    this.name = error._tag
    this._tag = error._tag
    if (error.details) this.details = error.details
  }
}

const orbitFor = (stub) => {
  const call = async (primitive, args) => {
    const answer = await stub.call(primitive, args)
    if (answer.ok) return answer.value
    throw new OrbitError(answer.error)
  }
  const callTool = (name, args) => call("tools.call", { name, arguments: args ?? {} })
  // orbit.tools.<plugin>.<tool>(args) is orbit.tools.call("<plugin>__<tool>", args). Neither proxy is
  // a thenable, so awaiting one by mistake does not call a tool named "then".
  const tools = new Proxy(Object.freeze({ call: callTool }), {
    get: (own, plugin) =>
      typeof plugin !== "string" || plugin === "then" || plugin in own
        ? own[plugin]
        : new Proxy({}, { get: (_, tool) => (typeof tool !== "string" || tool === "then" ? undefined : (args) => callTool(plugin + "__" + tool, args)) })
  })
  const memory = Object.freeze({
    get: (namespace, key) => call("memory.get", { namespace, key }),
    put: (namespace, key, value, options) => call("memory.put", { ...(options ?? {}), namespace, key, value }),
    delete: (namespace, key, options) => call("memory.delete", { ...(options ?? {}), namespace, key }),
    list: (options) => call("memory.list", options ?? {}),
    search: (query, options) => call("memory.search", { ...(options ?? {}), query })
  })
  const storage = Object.freeze({
    get: (key) => call("storage.get", { key }),
    put: (key, value) => call("storage.put", { key, value }),
    delete: (key) => call("storage.delete", { key }),
    list: (options) => call("storage.list", options ?? {})
  })
  const cache = Object.freeze({
    get: (key) => call("cache.get", { key }),
    put: (key, value, options) => call("cache.put", { ...(options ?? {}), key, value }),
    delete: (key) => call("cache.delete", { key })
  })
  const db = Object.freeze({
    exec: (sql, ...params) => call("db.exec", { sql, params }),
    query: (sql, ...params) => call("db.query", { sql, params })
  })
  const ai = Object.freeze({ generate: (request) => call("ai.generate", request ?? {}) })
  const jobs = Object.freeze({
    schedule: (when, job) => call("jobs.schedule", { when, job }),
    list: () => call("jobs.list", {}),
    cancel: (job) => call("jobs.cancel", { job })
  })
  return Object.freeze({ tools, memory, storage, cache, db, ai, jobs })
}

const where = (error) => {
  const found = /${SCRIPT_MODULE.replace(".", "\\.")}:(\\d+):(\\d+)/.exec(String(error?.stack ?? ""))
  return found ? { line: Number(found[1]), column: Number(found[2]) } : undefined
}

export default class extends WorkerEntrypoint {
  async run(input, stub, logLimit) {
    const sink = new Sink(logLimit)
    return sinks.run(sink, async () => {
      try {
        if (typeof script.default !== "function")
          throw new TypeError("the module's default export is not a function: write \`export default async function (input, orbit) { … }\`")
        const value = await script.default(input, orbitFor(stub))
        return { kind: "done", json: JSON.stringify(value) ?? "null", logs: sink.lines, logsTruncated: sink.truncated }
      } catch (error) {
        return {
          kind: "threw",
          name: String(error?.name ?? "Error"),
          message: String(error?.message ?? error),
          ...(typeof error?._tag === "string" ? { tag: error._tag } : {}),
          ...(where(error) ? { at: where(error) } : {}),
          logs: sink.lines,
          logsTruncated: sink.truncated
        }
      }
    })
  }
}
`
