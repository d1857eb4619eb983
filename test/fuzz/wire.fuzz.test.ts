// The wire under fuzz (issue 22, docs/fuzz.md): arbitrary requests at a workspace's MCP endpoint in
// both protocol eras, at a plugin's mount, and at POST /admin/rpc. Never a 5xx (admin: never a 500,
// and a 5xx only as a typed error), always a well-formed answer, never an unhandled rejection in the
// runtime, /healthz answering throughout, and nothing appended for a refused input. `npm test` runs
// 250 cases per property with a fixed seed; `npm run fuzz` runs 10,000 each with a fresh seed.
import { fc } from "@fast-check/vitest"
import { SELF } from "cloudflare:test"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { ok, TOKEN } from "../admin/rpc-client.ts"
import { dockedWorkspace } from "../mcp/berth-client.ts"
import { freshSlug, sqlIn } from "../workspace/workspace-client.ts"
import { type Answer, malformedAdminAnswer, malformedMcpAnswer, readAnswer, refused } from "./wire-answers.ts"
import { adminAuth, type AdminBody, adminBody, adminVerb } from "./admin-arbitraries.ts"
import {
  caller,
  MAX_BODY_BYTES,
  mountSegment,
  RUN_METHODS,
  target,
  type TargetKind,
  type WireRequest,
  wireRequest
} from "./wire-arbitraries.ts"

// Vite hands VITE_* variables from the shell to code running in workerd; test/fuzz/run-fuzz.ts sets them.
const settings = (import.meta as unknown as { env: Record<string, string | undefined> }).env
const RUNS = Number(settings.VITE_BERTH_FUZZ_RUNS ?? 250)
const SEED = Number(settings.VITE_BERTH_FUZZ_SEED ?? 20261204)
const HEALTH_EVERY = 50
/** Per property: room for the slowest cases seen (a few hundred ms) at every run, and the setup. */
const TIMEOUT_MS = 60_000 + RUNS * 250

const RUN_EVENTS = new Set(["RunStarted", "SpanRecorded", "RunFinished"])

// Workspace code runs in this isolate (the Worker and its Durable Objects), so a rejection nobody
// handled there is dispatched here, to the case that caused it. Vitest also reports it and fails the run.
const rejections: Array<string> = []
const onRejection = (event: PromiseRejectionEvent) => void rejections.push(String((event.reason as Error | undefined)?.stack ?? event.reason))
beforeAll(() => addEventListener("unhandledrejection", onRejection))
afterAll(() => removeEventListener("unhandledrejection", onRejection))

const head = async (slug: string) => (await sqlIn<{ head: number }>(slug, "SELECT coalesce(max(seq), 0) AS head FROM events"))[0]!.head
type Appended = { seq: number; type: string; actor: string; correlation_id: string; status: string | null }
const appendedAfter = (slug: string, seq: number) =>
  sqlIn<Appended>(slug, "SELECT seq, type, actor, correlation_id, json_extract(data, '$.status') AS status FROM events WHERE seq > ? ORDER BY seq", seq)

/** Waits until every run started in the workspace has finished (a dispatched call finishes after its answer). */
const settle = async (slug: string) => {
  const open = async () =>
    (await sqlIn<{ n: number }>(slug, "SELECT (SELECT count(*) FROM events WHERE type = 'RunStarted') - (SELECT count(*) FROM events WHERE type = 'RunFinished') AS n"))[0]!.n
  for (let waited = 0; (await open()) > 0; waited += 20) {
    if (waited > 15_000) throw new Error(`a run in ${slug} never finished`)
    await scheduler.wait(20)
  }
}

const healthy = async () => {
  const response = await SELF.fetch("http://berth.test/healthz")
  expect({ status: response.status, body: await response.json() }).toEqual({ status: 200, body: { ok: true, service: "berth" } })
}

/** Statuses seen, printed after each property so a run shows how deep its cases went. */
const tally = () => {
  const counts = new Map<string, number>()
  return { add: (key: string) => counts.set(key, (counts.get(key) ?? 0) + 1), show: () => Object.fromEntries([...counts].sort()) }
}

const parsed = (body: string | undefined): unknown => {
  try {
    return body === undefined ? undefined : JSON.parse(body.replace(/^\uFEFF/, ""))
  } catch {
    return undefined
  }
}
const isObject = (value: unknown): value is Record<string, any> => typeof value === "object" && value !== null && !Array.isArray(value)

/** Whether the body names a method that can record a run, in any message of it. */
const runBearing = (body: string | undefined) => {
  const value = parsed(body)
  return (Array.isArray(value) ? value : [value]).some((m) => isObject(m) && RUN_METHODS.has(m.method))
}

/**
 * The endpoint's own test of a refused tool call (src/mcp/http-errors.ts `peekToolCall`): a POST whose
 * body, within 1 MiB, is one JSON-RPC object naming tools/call and a tool by a string.
 */
const refusedToolCall = (request: WireRequest) => {
  if (request.verb !== "POST" || request.body === undefined || new TextEncoder().encode(request.body).byteLength > MAX_BODY_BYTES) return false
  const value = parsed(request.body)
  return isObject(value) && value.method === "tools/call" && typeof value.params?.name === "string"
}

/** DNS-rebinding protection passes no Origin and loopback ones (the tests set no BERTH_ALLOWED_ORIGINS). */
const originAllowed = (origin: string | undefined) => origin === undefined || origin === "http://localhost:5173" || origin === "http://127.0.0.1:8080"

interface Plane {
  docked: string
  key: string
  /** A suspended agent of the docked workspace. */
  sleepyKey: string
  /** Another workspace, whose agent's key is the foreign one. */
  home: string
  homeKey: string
  missing: string
  /** The last 2025 session the active agent opened, for requests that name "open". */
  session: string | undefined
}

const dock = async (): Promise<Plane> => {
  const docked = await dockedWorkspace()
  const { key: sleepyKey } = await ok({ _tag: "RegisterAgent", workspace: docked.slug, agent: "sleepy" })
  await ok({ _tag: "SuspendAgent", workspace: docked.slug, agent: "sleepy" })
  const home = await dockedWorkspace()
  return { docked: docked.slug, key: docked.key, sleepyKey, home: home.slug, homeKey: home.key, missing: freshSlug("missing"), session: undefined }
}

const authorization = (plane: Plane, { kind, noise }: { kind: string; noise: string }): string | undefined => {
  const word = noise.replace(/[\s:]/g, "x")
  switch (kind) {
    case "garbage":
      return `Bearer ${noise}`
    case "forged":
      return `Bearer berth_${plane.docked}_${word}`
    case "homeless":
      return `Bearer berth_${plane.missing}_${word}`
    case "oauth-shaped":
      return `Bearer ${word}:${word}:x`
    case "wrong-scheme":
      return `Basic ${plane.key}`
    case "active":
      return `Bearer ${plane.key}`
    case "suspended":
      return `Bearer ${plane.sleepyKey}`
    case "foreign":
      return `Bearer ${plane.homeKey}`
    default:
      return undefined
  }
}

type Expected = "nothing" | "runs" | "a denied run"

/** The Worker's route to the endpoint and its mounts (src/worker.ts); `/mcp/.` is not one once the URL is normalised. */
const MCP_ROUTE = /^\/w\/([a-z0-9-]+)\/mcp(?:\/[A-Za-z0-9._-]+)?$/

/** What each workspace's log may gain from one request (docs/mcp.md "Refusals"). */
const expected = (kind: string, slugKind: TargetKind, url: string, request: WireRequest, answer: Answer): { docked: Expected; home: Expected } => {
  if (slugKind !== "docked" || !MCP_ROUTE.test(new URL(url).pathname)) return { docked: "nothing", home: "nothing" }
  switch (kind) {
    // An identified, active agent: a call it made may be a run, allowed or denied; anything the
    // endpoint refused at the HTTP level, or that names no run-bearing method, leaves no trace.
    case "active":
      return { docked: answer.status < 400 && runBearing(request.body) ? "runs" : "nothing", home: "nothing" }
    // A suspended agent's tool call is a denied run, unless the Origin was refused first.
    case "suspended":
      return { docked: originAllowed(request.headers.origin) && refusedToolCall(request) ? "a denied run" : "nothing", home: "nothing" }
    // Another workspace's key: its tool call is recorded as denied where the key belongs, whatever the Origin.
    case "foreign":
      return { docked: "nothing", home: refusedToolCall(request) ? "a denied run" : "nothing" }
    default:
      return { docked: "nothing", home: "nothing" }
  }
}

const expectAppended = (events: ReadonlyArray<Appended>, what: Expected, where: string) => {
  if (what === "nothing") return expect(events, where).toEqual([])
  expect(events.filter((e) => !RUN_EVENTS.has(e.type)), `${where}: only run events`).toEqual([])
  if (what === "runs") return
  expect(new Set(events.map((e) => e.correlation_id)).size, `${where}: one run`).toBe(1)
  expect(events.filter((e) => e.type === "RunFinished").map((e) => e.status), `${where}: denied`).toEqual(["denied"])
}

const endpointProperty = (era: "modern" | "legacy" | "either", mount: boolean) => {
  const plane = { current: undefined as Plane | undefined }
  const statuses = tally()
  let cases = 0
  const eras = era === "either" ? fc.constantFrom("modern" as const, "legacy" as const) : fc.constant(era)
  const property = fc.asyncProperty(
    eras.chain((e) => fc.record({ era: fc.constant(e), caller, target, segment: mountSegment, request: wireRequest(e) })),
    async ({ caller: who, target: slugKind, segment, request }) => {
      const p = plane.current!
      const slug = slugKind === "docked" ? p.docked : slugKind === "missing" ? p.missing : "-not-a-slug"
      const url = `http://berth.test/w/${slug}/mcp${mount ? `/${segment}` : ""}`
      const headers = new Headers(request.headers as Record<string, string>)
      if (request.headers["mcp-session-id"] === "open") p.session === undefined ? headers.delete("mcp-session-id") : headers.set("mcp-session-id", p.session)
      const auth = authorization(p, who)
      if (auth !== undefined) headers.set("authorization", auth)
      const before = { docked: await head(p.docked), home: await head(p.home) }

      const answer = await readAnswer(await SELF.fetch(url, { method: request.verb, headers, body: request.body ?? null }), request.verb === "POST" ? 10_000 : 1_000)
      statuses.add(`${answer.status}${answer.events ? " sse" : ""}`)
      if (who.kind === "active" && answer.sessionId !== null && answer.sessionId !== p.session) {
        p.session = answer.sessionId
        statuses.add("a 2025 session opened")
      }
      expect(malformedMcpAnswer(answer, request.verb), `${answer.status} ${answer.text.slice(0, 300)}`).toBeUndefined()

      const may = expected(who.kind, slugKind, url, request, answer)
      if (may.docked === "runs") await settle(p.docked)
      const appended = { docked: await appendedAfter(p.docked, before.docked), home: await appendedAfter(p.home, before.home) }
      expectAppended(appended.docked, may.docked, `the docked workspace after ${answer.status}`)
      expectAppended(appended.home, may.home, `the key's home workspace after ${answer.status}`)
      for (const where of ["docked", "home"] as const)
        if (appended[where].length > 0) statuses.add(`runs recorded in the ${where} workspace (${who.kind} agent)`)
      expect(rejections).toEqual([])
      if (++cases % HEALTH_EVERY === 0) await healthy()
    }
  )
  return async () => {
    plane.current = await dock()
    const started = Date.now()
    await fc.assert(property, { numRuns: RUNS, seed: SEED })
    await healthy()
    console.log(`${cases} cases in ${((Date.now() - started) / 1000).toFixed(1)} s, by status:`, statuses.show())
  }
}

describe(`the wire under fuzz (${RUNS} cases per property, seed ${SEED})`, () => {
  it("the workspace endpoint, 2026-07-28 shapes", endpointProperty("modern", false), TIMEOUT_MS)
  it("the workspace endpoint, 2025 shapes", endpointProperty("legacy", false), TIMEOUT_MS)
  it("a plugin's own mount, both eras", endpointProperty("either", true), TIMEOUT_MS)
  it("POST /admin/rpc", adminProperty(), TIMEOUT_MS)
})

function adminProperty() {
  const statuses = tally()
  const slugs = { fuzzed: "", ghost: "" }
  let cases = 0
  const bodyText = (body: AdminBody) => {
    if (body.kind !== "request") return body.text
    const workspace = body.workspace === "absent" ? {} : { workspace: body.workspace === "not-a-slug" ? "Not A Slug" : slugs[body.workspace] }
    return JSON.stringify({ ...body.fields, _tag: body._tag, ...workspace })
  }
  const property = fc.asyncProperty(adminVerb, adminAuth, adminBody, async (verb, auth, body) => {
    const headers = new Headers({ "content-type": "application/json" })
    if (auth === "admin") headers.set("authorization", `Bearer ${TOKEN}`)
    if (auth === "wrong") headers.set("authorization", "Bearer not-the-admin-token")
    if (auth === "basic") headers.set("authorization", `Basic ${btoa(`admin:${TOKEN}`)}`)
    const before = { fuzzed: await head(slugs.fuzzed), ghost: await head(slugs.ghost) }

    const response = await SELF.fetch("http://berth.test/admin/rpc", { method: verb, headers, body: verb === "GET" ? null : bodyText(body) })
    const answer = await readAnswer(response, 1_000, 60_000)
    const tag = (() => {
      try {
        return JSON.parse(answer.text)?.error?._tag as string | undefined
      } catch {
        return undefined
      }
    })()
    statuses.add(`${answer.status}${tag ? ` ${tag}` : ""}`)
    expect(malformedAdminAnswer(answer, verb), answer.text.slice(0, 300)).toBeUndefined()

    if (!refused(answer)) await Promise.all([settle(slugs.fuzzed), settle(slugs.ghost)])
    for (const which of ["fuzzed", "ghost"] as const) {
      const events = await appendedAfter(slugs[which], before[which])
      // A memory entry's TTL can run out during any case: the workspace's alarm records that, not the request.
      const byRequest = events.filter((e) => !(e.type === "MemoryExpired" && JSON.parse(e.actor).type === "system"))
      if (refused(answer)) expect(byRequest, `${which} after a refused ${tag ?? answer.status}`).toEqual([])
    }
    expect(rejections).toEqual([])
    if (++cases % HEALTH_EVERY === 0) await healthy()
  })
  return async () => {
    slugs.fuzzed = (await dockedWorkspace()).slug
    slugs.ghost = freshSlug("ghost")
    const started = Date.now()
    await fc.assert(property, { numRuns: RUNS, seed: SEED })
    await healthy()
    console.log(`${cases} cases in ${((Date.now() - started) / 1000).toFixed(1)} s, by status:`, statuses.show())
  }
}
