// Property: for any sequence of commands, including rejected ones, against a real Durable Object,
// replay(log) equals the stored projection, seq has no gaps, the chain verifies, and a rejected
// command appends nothing.
import { fc } from "@fast-check/vitest"
import { runInDurableObject } from "cloudflare:test"
import { env } from "cloudflare:workers"
import { expect, it } from "vitest"
import { ProjectionStore } from "../../src/workspace/projection-store.ts"
import type { CommandOptions } from "../../src/workspace/execute.ts"
import { admin, canonical, freshSlug, sqlIn, workspace } from "./workspace-client.ts"

const agents = fc.constantFrom("a", "b", "c")
const members = fc.constantFrom("ann@acme.test", "bob@acme.test")
const roles = fc.constantFrom("owner", "admin", "viewer")
const plugins = fc.constantFrom("github", "linear")
const policies = fc.constantFrom("base", "guard")
const hex64 = fc.stringMatching(/^[0-9a-f]{64}$/)

/** Small name pools make conflicts (already exists, not found, last owner) common, as they should be. */
const command = fc.oneof(
    fc.constant({ _tag: "CreateWorkspace" }),
    fc.record({ _tag: fc.constant("SetPayloadCapture"), enabled: fc.boolean() }),
    fc.record({ _tag: fc.constant("AddMember"), member: members, role: roles }),
    fc.record({ _tag: fc.constant("ChangeMemberRole"), member: members, role: roles }),
    fc.record({ _tag: fc.constant("RemoveMember"), member: members }),
    fc.record({ _tag: fc.constant("RegisterAgent"), agent: agents, keyHash: hex64, keyPrefix: fc.constant("berth_prop") }),
    fc.record({ _tag: fc.constant("SuspendAgent"), agent: agents }),
    fc.record({ _tag: fc.constant("RevokeAgent"), agent: agents, reason: fc.option(fc.string({ maxLength: 20 }), { nil: undefined }) }),
    fc.record({
      _tag: fc.constant("InstallPlugin"),
      plugin: plugins,
      url: fc.constantFrom("https://mcp.example.test/mcp", "http://127.0.0.1:9/mcp", "ftp://nope"),
      transport: fc.constantFrom("streamable-http", "sse"),
      auth: fc.constantFrom("none", "bearer", "oauth")
    }),
    fc.record({ _tag: fc.constant("RemovePlugin"), plugin: plugins }),
    fc.record({ _tag: fc.constant("SetPolicy"), policy: policies, text: fc.constantFrom("permit(principal, action, resource);", "forbid(principal, action, resource);", "  ") }),
    fc.record({ _tag: fc.constant("RemovePolicy"), policy: policies }),
    // Docking: the allowlist, OAuth consent and pre-registered clients.
    fc.record({ _tag: fc.constant("SetBotRule"), match: fc.constantFrom("claude*", "https://c.example/client.json"), effect: fc.constantFrom("allow", "deny") }),
    fc.record({ _tag: fc.constant("RemoveBotRule"), match: fc.constantFrom("claude*", "https://c.example/client.json") }),
    fc.record({
      _tag: fc.constant("AuthorizeOAuthAgent"),
      agent: agents,
      clientId: fc.constantFrom("https://c.example/client.json", "dcr-1"),
      clientName: fc.constantFrom("Claude", "Scraper"),
      member: members,
      redirectHost: fc.constant("127.0.0.1:1"),
      scopes: fc.constant(["mcp"])
    }),
    fc.record({ _tag: fc.constant("DenyOAuthConsent"), clientId: fc.constant("dcr-1"), clientName: fc.constant("Scraper"), member: members, redirectHost: fc.constant("x.example") }),
    fc.record({ _tag: fc.constant("RecordClientRefusal"), at: fc.constantFrom("consent", "mcp"), clientName: fc.constant("Scraper") }),
    fc.record({ _tag: fc.constant("RegisterAgentClient"), clientId: fc.constantFrom("c1", "c2"), clientName: fc.constant("Ops"), redirectUris: fc.constant(["https://ops.example/cb"]), confidential: fc.boolean() }),
    fc.record({ _tag: fc.constant("RemoveAgentClient"), clientId: fc.constantFrom("c1", "c2") }),
    // Malformed: unknown command, and a name that breaks the naming rule.
    fc.constant({ _tag: "LaunchMissiles" }),
    fc.record({ _tag: fc.constant("RegisterAgent"), agent: fc.constant("not a name"), keyHash: hex64, keyPrefix: fc.constant("x") })
  )

/** Sometimes a (right or wrong) expectedSeq, sometimes an idempotency key from a small pool. */
const options = fc.record({
  expectedSeqDelta: fc.option(fc.integer({ min: -1, max: 1 }), { nil: undefined }),
  idempotencyKey: fc.option(fc.constantFrom("k1", "k2"), { nil: undefined })
})

it("replay equals the projection, seq has no gaps, the chain verifies, and rejections append nothing", async () => {
  let run = 0
  const seen = { accepted: 0, rejected: new Set<string>() }
  await fc.assert(
    fc.asyncProperty(
      // Most runs start from a created workspace; the rest probe commands against a missing one.
      fc.integer({ min: 0, max: 9 }).map((n) => n > 0),
      fc.array(fc.tuple(command, options), { minLength: 1, maxLength: 40, size: "medium" }),
      fc.context(),
      async (createFirst, steps, ctx) => {
        const slug = freshSlug(`prop${run++}`)
        const ws = workspace(slug)
        let appended = 0
        if (createFirst) {
          expect(await ws.execute({ _tag: "CreateWorkspace", workspace: slug }, admin)).toMatchObject({ ok: true, seq: 1 })
          appended = 1
        }
        for (const [generated, opts] of steps) {
          // Through JSON, as over HTTP (fast-check builds null-prototype objects, which RPC cannot clone).
          const cmd = JSON.parse(JSON.stringify(generated._tag === "CreateWorkspace" ? { ...generated, workspace: slug } : generated))
          const before = (await ws.snapshot()).seq
          const commandOptions: CommandOptions = {
            ...admin,
            ...(opts.expectedSeqDelta === undefined ? {} : { expectedSeq: Math.max(0, before + opts.expectedSeqDelta) }),
            ...(opts.idempotencyKey === undefined ? {} : { idempotencyKey: opts.idempotencyKey })
          }
          const outcome = await ws.execute(cmd, commandOptions)
          const after = (await ws.snapshot()).seq
          ctx.log(`${JSON.stringify(cmd)} ${JSON.stringify(commandOptions)} → ${outcome.ok ? `ok seq ${outcome.seq}` : outcome.error._tag}`)
          if (!outcome.ok || outcome.replayed) expect(after).toBe(before)
          else expect(after).toBe(before + outcome.events.length)
          if (!outcome.ok) expect(outcome.error.message.length).toBeGreaterThan(0)
          if (outcome.ok && !outcome.replayed) appended += outcome.events.length
          if (outcome.ok) seen.accepted++
          else seen.rejected.add(outcome.error._tag)
        }

        const seqs = (await sqlIn<{ seq: number }>(slug, "SELECT seq FROM events ORDER BY seq")).map((r) => r.seq)
        expect(seqs).toEqual(Array.from({ length: appended }, (_, i) => i + 1))
        expect(await ws.verify()).toMatchObject({ ok: true, count: appended })

        // The stored projection rows, read straight from SQLite, equal a replay of the log.
        const stored = await runInDurableObject(env.WORKSPACE.getByName(slug), (_i, state) => new ProjectionStore(state.storage.sql).load())
        const replayed = await ws.stateAt({ seq: appended })
        expect(canonical(stored)).toBe(canonical(replayed.state))
        expect(canonical((await ws.snapshot()).state)).toBe(canonical(replayed.state))
      }
    ),
    { numRuns: 80 }
  )
  // Not vacuous: the runs accepted commands and met many kinds of rejection.
  console.log(`property: ${seen.accepted} commands accepted; rejections seen: ${[...seen.rejected].sort().join(", ")}`)
  expect(seen.accepted).toBeGreaterThan(50)
  // Runs are random, so require breadth rather than particular tags (a typical run meets 11-13 kinds).
  expect(seen.rejected.size).toBeGreaterThanOrEqual(6)
  expect(seen.rejected).toContain("InvalidCommand")
}, 120_000)
