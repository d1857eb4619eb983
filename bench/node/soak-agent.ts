// One agent of `npm run soak`: an MCP client (SDK v2, in the 2026-07-28 or the 2025-11-25 era) that
// calls tools in a fixed mix until told to stop, checks every answer, and tallies each call by the run
// it should have left in the workspace's log ("<tool> <status>"), so the soak can compare the two.
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client"

export type Era = "2026-07-28" | "2025-11-25"

/** What one workspace's agents did, summed. */
export class Tally {
  calls = 0
  ok = 0
  refused = 0
  errors = 0
  /** Calls by the run each should have recorded: `"<tool> ok"` or `"<tool> denied"`. */
  readonly expected: Record<string, number> = {}
  /** Successful calls of the plugin's tools, which the upstream must have seen. */
  upstreamCalls = 0
  readonly errorSamples: Array<string> = []

  count(tool: string, status: "ok" | "denied") {
    const key = `${tool} ${status}`
    this.expected[key] = (this.expected[key] ?? 0) + 1
  }
}

const ERROR_SAMPLES = 20

/** A rate-limit refusal, as the tool-call and memory pipelines word it (src/policy/rate-limiter.ts). */
const RATE_LIMITED = /^Berth refused this call: rate limit '[^']+' \(\d+ per minute\) reached; retry in \d+ s$/

/**
 * fetch with a signal of its own per request, following the transport's. A 2025-era transport hands its
 * one long-lived signal to every POST, and Node's fetch leaves an abort listener on it per request until
 * the request is collected: past 1,500, Node warns on every call.
 */
const ownSignal: typeof fetch = (input, init) => fetch(input, init?.signal ? { ...init, signal: AbortSignal.any([init.signal]) } : init)

/** Connects as agent `name` with its key, and lists the tools once, as a client does before calling any. */
export const connectAgent = async (endpoint: string, key: string, name: string, era: Era) => {
  const client = new Client(
    { name: `soak-${name}`, version: "1.0.0" },
    { versionNegotiation: { mode: era === "2026-07-28" ? { pin: era } : "legacy" } }
  )
  await client.connect(
    new StreamableHTTPClientTransport(new URL(endpoint), { requestInit: { headers: { authorization: `Bearer ${key}` } }, fetch: ownSignal })
  )
  await client.listTools()
  return client
}

type Step = "echo" | "structured" | "put" | "get"
/** The mix, one cycle of ten calls: six echo, two structured, a tenth each memory put and get. */
const CYCLE: ReadonlyArray<Step> = ["echo", "structured", "echo", "put", "echo", "echo", "structured", "echo", "get", "echo"]
const KEYS = 8 // memory keys per agent, overwritten in turn, so the workspace's memory stays bounded

const text = (result: { content?: unknown }) => (result.content as ReadonlyArray<{ type: string; text?: string }> | undefined)?.[0]?.text ?? ""
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Calls tools until `go()` says stop. A refusal by a rate limit is counted apart and the agent waits a
 * second, as a client honouring "retry in" would; anything else that is not the exact answer expected
 * is an error.
 */
export const runAgent = async (client: Client, name: string, tally: Tally, go: () => boolean) => {
  const namespace = `agent/${name}`
  const putValues = new Map<string, number>() // key → the n its last successful put wrote
  for (let n = 0; go(); n++) {
    let step = CYCLE[n % CYCLE.length]!
    const key = `k${Math.floor(n / CYCLE.length) % KEYS}`
    if (step === "get" && !putValues.has(key)) step = "echo" // its put was refused: nothing to read yet
    const [tool, args, check] = callFor(step, name, namespace, key, n, putValues)
    tally.calls++
    try {
      const result = await client.callTool({ name: tool, arguments: args })
      if (result.isError && RATE_LIMITED.test(text(result))) {
        tally.refused++
        tally.count(tool, "denied")
        await sleep(1000)
        continue
      }
      const wrong = result.isError ? `isError: ${text(result)}` : check(result)
      if (wrong) throw new Error(`${tool}: ${wrong}`)
      tally.ok++
      tally.count(tool, "ok")
      if (tool.startsWith("up__")) tally.upstreamCalls++
      if (step === "put") putValues.set(key, n)
    } catch (error) {
      tally.errors++
      if (tally.errorSamples.length < ERROR_SAMPLES) tally.errorSamples.push(`${name} ${tool}: ${error instanceof Error ? error.message : String(error)}`.slice(0, 500))
    }
  }
}

type Check = (result: { content?: unknown; structuredContent?: unknown }) => string | undefined

const callFor = (
  step: Step,
  name: string,
  namespace: string,
  key: string,
  n: number,
  putValues: ReadonlyMap<string, number>
): [tool: string, args: Record<string, unknown>, check: Check] => {
  switch (step) {
    case "echo": {
      const said = `${name} ${n}`
      return ["up__echo", { text: said }, (r) => (text(r) === `echo: ${said}` ? undefined : `answered ${JSON.stringify(r)}`)]
    }
    case "structured": {
      const city = `City${n % 50}`
      return [
        "up__structured",
        { city },
        (r) => {
          const w = r.structuredContent as { city?: string; temperature?: number } | undefined
          return w?.city === city && w.temperature === 21 ? undefined : `answered ${JSON.stringify(r)}`
        }
      ]
    }
    case "put":
      return [
        "memory_put",
        { namespace, key, value: { n, by: name } },
        (r) => {
          const put = r.structuredContent as { key?: string; version?: number } | undefined
          return put?.key === key && typeof put.version === "number" && put.version >= 1 ? undefined : `answered ${JSON.stringify(r)}`
        }
      ]
    case "get": {
      const wrote = putValues.get(key)
      return [
        "memory_get",
        { namespace, key },
        (r) => {
          const entry = r.structuredContent as { value?: { n?: number } } | undefined
          return entry?.value?.n === wrote ? undefined : `read ${JSON.stringify(r.structuredContent)}, last put ${wrote}`
        }
      ]
    }
  }
}
