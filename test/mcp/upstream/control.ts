// A handle on one namespace of the test upstream (./server.ts) for tests inside workerd: the MCP URL
// to connect to, and the control routes that tell what the upstream saw. A fresh namespace per test
// keeps parallel test files from seeing each other's calls.
import { inject } from "vitest"

export type ToolCounts = Record<string, number>

export const testUpstream = (namespace: string = crypto.randomUUID()) => {
  const base = new URL(`/ns/${namespace}/`, inject("upstreamUrl"))
  const control = async (path: string, init?: RequestInit) => {
    const response = await fetch(new URL(path, base), init)
    if (!response.ok) throw new Error(`test upstream ${path}: ${response.status} ${await response.text()}`)
    return response.json()
  }
  return {
    namespace,
    url: new URL("mcp", base).href,
    calls: () => control("calls") as Promise<ToolCounts>,
    /** `{ "tools/list": n }`: the tools/list requests the upstream received. */
    lists: () => control("lists") as Promise<ToolCounts>,
    aborts: () => control("aborts") as Promise<ToolCounts>,
    /** Every Authorization header the upstream's MCP route received (null: none). */
    authorizations: () => control("authorizations") as Promise<Array<string | null>>,
    /** A rug-pull; `announce` sends `notifications/tools/list_changed` on the namespace's listen streams. */
    mutate: (tool: string, description: string, options: { announce?: boolean } = {}) =>
      control("mutate", { method: "POST", body: JSON.stringify({ tool, description, ...options }) }),
    /** From now on the MCP route answers 401 unless a request carries exactly this header value. */
    require: (header: string, value: string) => control("require", { method: "POST", body: JSON.stringify({ header, value }) }),
    /**
     * From now on the MCP route answers requests of these methods with this status and body, an
     * outage's error page; `{authorization}` in it quotes the request's Authorization header.
     */
    break: (status: number, body: string, methods: ReadonlyArray<string> = ["tools/call"]) =>
      control("break", { method: "POST", body: JSON.stringify({ status, body, methods }) }),
    reset: () => control("reset", { method: "POST" })
  }
}

export type TestUpstream = ReturnType<typeof testUpstream>
