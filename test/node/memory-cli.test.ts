// `berth memory` against a real plane: put (JSON, text, a file, tags, a TTL, ifVersion), get, list
// page by page (the next-page hint runs as printed), search, delete, history, and `replay --at` a moment before a delete (from the log
// and from the archive); --json output parses; usage errors exit 2 and append nothing; agents'
// control characters are shown, not obeyed; and memory outlives the plane: stopped and started
// again on the same state, it still gets and finds.
import { execFileSync } from "node:child_process"
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { run } from "../../src/cli/main.ts"
import { adminRpc, PLANE_AUDIT_PUBLIC_KEY, startPlane } from "./plane.ts"

let plane: Awaited<ReturnType<typeof startPlane>>
beforeAll(async () => {
  plane = await startPlane()
})
afterAll(() => plane?.stop())

const berth = async (argv: ReadonlyArray<string>) => {
  let out = ""
  let err = ""
  const code = await run(argv, {
    env: { BERTH_URL: plane.url, BERTH_ADMIN_TOKEN: plane.token },
    cwd: mkdtempSync(join(tmpdir(), "berth-cli-cwd-")),
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: (s: string) => (err += s) }
  })
  return { code, out, err }
}

const newWorkspace = async (suffix: string) => {
  const ws = `mem-${Date.now().toString(36)}-${suffix}`
  await adminRpc(plane, { _tag: "CreateWorkspace", workspace: ws })
  return { ws, memory: (...argv: ReadonlyArray<string>) => berth(["-w", ws, "memory", ...argv]) }
}

const head = async (ws: string) => ((await adminRpc(plane, { _tag: "GetState", workspace: ws })) as { seq: number }).seq

describe("berth memory", () => {
  it("puts JSON, text and a file with tags, a TTL and ifVersion; gets, lists by page, searches, deletes and shows history", async () => {
    const { ws, memory } = await newWorkspace("crud")

    const first = await memory("put", "team/runbooks", "deploy", "--value", '{"steps":["roll back","page on-call"]}', "--tags", "ops,deploy")
    expect(first).toMatchObject({ code: 0, err: "" })
    expect(first.out).toMatch(/^put memory entry team\/runbooks\/deploy at version 1 \(seq \d+: MemoryPut\)\n$/)
    expect((await memory("put", "team/runbooks", "notes", "--text", "Roll back first.\nThen page.")).out).toMatch(/^put memory entry team\/runbooks\/notes at version 1 /)
    const file = join(mkdtempSync(join(tmpdir(), "berth-memory-")), "owners.json")
    writeFileSync(file, '{"owners": ["ana", "bo"]}\n')
    expect((await memory("put", "team/config", "owners", "--file", file, "--if-version", "0")).code).toBe(0)

    // A TTL becomes an expiry that long after the put.
    const ttl = JSON.parse((await memory("put", "team/config", "release", "--value", "true", "--ttl", "2h", "--json")).out)
    expect(ttl).toMatchObject({ replayed: false, events: [{ type: "MemoryPut", data: { namespace: "team/config", key: "release", value: true, version: 1 } }] })
    const release = JSON.parse((await memory("get", "team/config", "release", "--json")).out)
    const lifetime = Date.parse(release.expiresAt) - Date.parse(release.updatedAt)
    expect(lifetime).toBeLessThanOrEqual(7200_000)
    expect(lifetime).toBeGreaterThan(7200_000 - 60_000)
    const seconds = JSON.parse((await memory("put", "team/config", "window", "--text", "Fri 18:00", "--ttl", "90", "--json")).out)
    expect(Date.parse(seconds.events[0].data.expiresAt) - Date.parse(seconds.events[0].at)).toBeLessThanOrEqual(90_000)
    expect((await memory("delete", "team/config", "window")).code).toBe(0)

    // ifVersion: the put over version 1 wins; the same put again conflicts and appends nothing.
    expect((await memory("put", "team/runbooks", "deploy", "--value", '{"steps":["roll back"]}', "--tags", "ops,deploy", "--if-version", "1")).out).toMatch(
      /^put memory entry team\/runbooks\/deploy at version 2 \(seq \d+: MemoryPut\)\n$/
    )
    const before = await head(ws)
    const conflict = await memory("put", "team/runbooks", "deploy", "--text", "stale", "--if-version", "1")
    expect(conflict).toMatchObject({ code: 1, out: "" })
    expect(conflict.err).toBe(
      "berth: MemoryVersionConflict: memory entry 'team/runbooks/deploy' was expected at version 1, but it is at version 2; read it again and retry with ifVersion 2\n"
    )
    const conflictJson = await memory("put", "team/runbooks", "deploy", "--text", "stale", "--if-version", "1", "--json")
    expect(conflictJson.code).toBe(1)
    expect(JSON.parse(conflictJson.err).error).toMatchObject({ _tag: "MemoryVersionConflict", namespace: "team/runbooks", key: "deploy", expected: 1, current: 2 })
    expect(await head(ws)).toBe(before)

    // get: text as it is, JSON indented, --json the whole entry.
    expect(await memory("get", "team/runbooks", "notes")).toEqual({ code: 0, out: "Roll back first.\nThen page.\n", err: "" })
    expect((await memory("get", "team/runbooks", "deploy")).out).toBe(`${JSON.stringify({ steps: ["roll back"] }, null, 2)}\n`)
    expect((await memory("get", "team/config", "owners")).out).toBe(`${JSON.stringify({ owners: ["ana", "bo"] }, null, 2)}\n`)
    expect(JSON.parse((await memory("get", "team/runbooks", "deploy", "--json")).out)).toEqual({
      namespace: "team/runbooks",
      key: "deploy",
      value: { steps: ["roll back"] },
      version: 2,
      tags: ["ops", "deploy"],
      updatedAt: expect.any(String)
    })
    const missing = await memory("get", "team/runbooks", "nothing")
    expect(missing.code).toBe(1)
    expect(missing.err).toContain("MemoryNotFound")

    // list, two at a time, follows the cursor it prints.
    const page1 = await memory("list", "--limit", "2")
    const lines1 = page1.out.trimEnd().split("\n")
    expect(lines1[0]).toMatch(/^NAMESPACE\s+KEY\s+VERSION\s+TAGS\s+EXPIRES\s+UPDATED$/)
    expect(lines1.slice(1, 3).map((l) => l.split(/\s+/).slice(0, 3))).toEqual([
      ["team/config", "owners", "1"],
      ["team/config", "release", "1"]
    ])
    expect(lines1[2]).toContain(release.expiresAt)
    expect(lines1[3]).toBe(`next page: berth -w ${ws} memory list --limit=2 --cursor='team/config/release'`)
    const page2 = await memory("list", "--limit", "2", "--cursor", "team/config/release")
    const lines2 = page2.out.trimEnd().split("\n")
    expect(lines2.slice(1).map((l) => l.split(/\s+/).slice(0, 4))).toEqual([
      ["team/runbooks", "deploy", "2", "ops,deploy"],
      ["team/runbooks", "notes", "1", "-"]
    ])
    let cursor: string | null = null
    const keys: Array<string> = []
    do {
      const page = JSON.parse((await memory("list", "--limit", "3", "--json", ...(cursor === null ? [] : ["--cursor", cursor]))).out)
      keys.push(...page.entries.map((e: { namespace: string; key: string }) => `${e.namespace}/${e.key}`))
      cursor = page.cursor
    } while (cursor !== null)
    expect(keys).toEqual(["team/config/owners", "team/config/release", "team/runbooks/deploy", "team/runbooks/notes"])
    expect(JSON.parse((await memory("list", "--tags", "ops", "--json")).out)).toEqual({ entries: [expect.objectContaining({ key: "deploy" })], cursor: null })
    expect(JSON.parse((await memory("list", "--prefix", "team/config", "--json")).out).entries.map((e: { key: string }) => e.key)).toEqual(["owners", "release"])
    expect((await memory("list", "--prefix", "elsewhere")).out).toBe("no memory entries match\n")

    // search: a table with the snippet, best first; --json the hits.
    const found = await memory("search", "roll*")
    const rows = found.out.trimEnd().split("\n")
    expect(rows[0]).toMatch(/^NAMESPACE\s+KEY\s+VERSION\s+TAGS\s+SNIPPET$/)
    expect(rows.slice(1).map((r) => r.split(/\s+/)[1]).sort()).toEqual(["deploy", "notes"])
    expect(found.out).toContain("[Roll] back first")
    const hits = JSON.parse((await memory("search", "page", "--json")).out).hits
    expect(hits).toEqual([expect.objectContaining({ namespace: "team/runbooks", key: "notes", version: 1, tags: [], snippet: expect.stringContaining("[page]") })])
    expect((await memory("search", "roll", "--prefix", "team/config")).out).toBe('no memory entries match "roll"\n')

    // delete: a stale ifVersion conflicts; the right one deletes; history and replay still have it.
    const beforeDelete = await head(ws)
    expect((await memory("delete", "team/runbooks", "deploy", "--if-version", "1")).err).toContain("MemoryVersionConflict")
    const deleted = await memory("delete", "team/runbooks", "deploy", "--if-version", "2")
    expect(deleted.out).toMatch(/^deleted memory entry team\/runbooks\/deploy \(it was at version 2\) \(seq \d+: MemoryDeleted\)\n$/)
    expect((await memory("get", "team/runbooks", "deploy")).code).toBe(1)
    expect((await memory("delete", "team/runbooks", "deploy")).err).toContain("MemoryNotFound")

    const history = JSON.parse((await memory("history", "team/runbooks", "deploy", "--json")).out).history
    expect(history.map((e: { type: string; data: { version: number } }) => [e.type, e.data.version])).toEqual([
      ["MemoryPut", 1],
      ["MemoryPut", 2],
      ["MemoryDeleted", 2]
    ])
    const actor = `${history[0].actor.type}:${history[0].actor.id}`
    const table = (await memory("history", "team/runbooks", "deploy")).out.trimEnd().split("\n")
    expect(table[0]).toMatch(/^SEQ\s+AT\s+ACTOR\s+EVENT\s+VERSION\s+VALUE$/)
    expect(table.slice(1)).toEqual([
      expect.stringMatching(new RegExp(`^${history[0].seq}\\s+${history[0].at}\\s+${actor}\\s+MemoryPut\\s+1\\s+\\{"steps":\\["roll back","page on-call"\\]\\}$`)),
      expect.stringMatching(new RegExp(`^${history[1].seq}\\s+\\S+\\s+${actor}\\s+MemoryPut\\s+2\\s+\\{"steps":\\["roll back"\\]\\}$`)),
      expect.stringMatching(new RegExp(`^${history[2].seq}\\s+\\S+\\s+${actor}\\s+MemoryDeleted\\s+2\\s+-$`))
    ])
    expect((await memory("history", "team/runbooks", "never")).out).toBe("no history for team/runbooks/never\n")

    const then = await berth(["-w", ws, "replay", "--at", String(beforeDelete)])
    expect(then.code).toBe(0)
    expect(then.out).toContain(
      [
        "memory (4)",
        `  team/config/owners  version 1  {"owners":["ana","bo"]}`,
        `  team/config/release  version 1  expires ${release.expiresAt}  true`,
        `  team/runbooks/deploy  version 2  tags ops,deploy  {"steps":["roll back"]}`,
        `  team/runbooks/notes  version 1  "Roll back first.\\nThen page."`
      ].join("\n")
    )
    // Replayed here in the CLI from the signed archive, memory stands the same.
    expect((await berth(["-w", ws, "audit", "seal"])).code).toBe(0)
    const archived = await berth(["-w", ws, "replay", "--at", String(beforeDelete), "--from-archive", "--public-key", PLANE_AUDIT_PUBLIC_KEY])
    expect(archived.out.split("\n")[0]).toBe("replayed from the R2 archive")
    expect(archived.out.slice(archived.out.indexOf("memory ("))).toBe(then.out.slice(then.out.indexOf("memory (")))
    const thenJson = JSON.parse((await berth(["-w", ws, "replay", "--at", String(beforeDelete), "--json"])).out)
    expect(thenJson.state.memory["team/runbooks:deploy"]).toMatchObject({ value: { steps: ["roll back"] }, version: 2, tags: ["ops", "deploy"] })
    const now = await berth(["-w", ws, "replay", "--at", String(await head(ws))])
    expect(now.out).toContain("memory (3)")
    expect(now.out).not.toContain("team/runbooks/deploy")
  })

  it("the next-page hint runs as printed, through bash, even for a tag that starts with a dash", async () => {
    const { ws, memory } = await newWorkspace("hint")
    for (const key of ["a", "b", "c"]) expect((await memory("put", "team", key, "--text", key, "--tags=-urgent")).code).toBe(0)
    const pages: Array<Array<string>> = []
    let argv = ["-w", ws, "memory", "list", "--tags=-urgent", "--limit", "2"]
    for (;;) {
      const { code, out } = await berth(argv)
      expect(code, out).toBe(0)
      const lines = out.trimEnd().split("\n")
      const hint = /^next page: berth (.*)$/.exec(lines.at(-1)!)?.[1]
      pages.push(lines.slice(1, hint === undefined ? undefined : -1).map((l) => l.split(/\s+/)[1]!))
      if (hint === undefined) break
      // What a shell would pass berth, had the admin pasted the hint.
      argv = execFileSync("bash", ["-c", `printf '%s\\0' ${hint}`]).toString("utf8").split("\0").slice(0, -1)
      expect(argv).toEqual(["-w", ws, "memory", "list", "--tags=-urgent", "--limit=2", "--cursor=team/b"])
    }
    expect(pages).toEqual([["a", "b"], ["c"]])
  })

  it("refuses bad invocations with exit 2, appending nothing", async () => {
    const { ws, memory } = await newWorkspace("usage")
    const before = await head(ws)
    const refusals: Array<[ReadonlyArray<string>, string]> = [
      [["put", "team", "k"], "pass the value once"],
      [["put", "team", "k", "--text", "a", "--value", '"b"'], "pass the value once"],
      [["put", "team", "k", "--value", "{not json"], "--value is not JSON"],
      [["put", "team", "k", "--text", "a", "--ttl", "2w"], "--ttl takes seconds"],
      [["put", "team", "k", "--file", "/nonexistent/berth-memory.json"], "File does not exist"],
      [["put", "team", "k", "--text", "a", "--if-version", "one"], "--if-version"],
      [["get", "team"], "key"],
      [["list", "--limit", "many"], "--limit"]
    ]
    for (const [argv, why] of refusals) {
      const refused = await memory(...argv)
      expect({ argv, code: refused.code, out: refused.out }).toEqual({ argv, code: 2, out: "" })
      expect(refused.err).toContain(why)
    }
    const badFile = join(mkdtempSync(join(tmpdir(), "berth-memory-")), "bad.json")
    writeFileSync(badFile, "owners: ana\n")
    const notJson = await memory("put", "team", "k", "--file", badFile, "--json")
    expect(notJson.code).toBe(2)
    expect(JSON.parse(notJson.err).error).toMatchObject({ _tag: "UsageError", message: expect.stringContaining("--file is not JSON") })
    expect(await head(ws)).toBe(before)
  })

  it("shows an agent's control characters in values as \\xNN, and --json gives them exactly; keys and tags may not carry them", async () => {
    const { ws, memory } = await newWorkspace("hostile")
    // The plane refuses control characters (C0 and C1) in keys and tags, so only a value can carry them.
    for (const refused of [{ key: "note\u009b2J" }, { key: "note", tags: ["x\u009btag"] }])
      await expect(adminRpc(plane, { _tag: "PutMemory", workspace: ws, namespace: "agent/bot", value: 1, ...refused })).rejects.toThrow("control characters")
    const key = "note[2J"
    const value = "\u001b]0;pwned\u0007 first line\nsecond line"
    await adminRpc(plane, { _tag: "PutMemory", workspace: ws, namespace: "agent/bot", key, value, tags: ["xtag"] })
    const printed = [
      await memory("get", "agent/bot", key),
      await memory("list"),
      await memory("search", "first"),
      await memory("history", "agent/bot", key),
      await berth(["-w", ws, "replay", "--at", String(await head(ws))])
    ]
    for (const { code, out } of printed) {
      expect(code).toBe(0)
      expect(out).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/)
    }
    expect(printed[0]!.out).toBe("\\x1b]0;pwned\\x07 first line\nsecond line\n")
    expect(printed[1]!.out).toMatch(/agent\/bot  note\[2J +1 +xtag/)
    expect(JSON.parse((await memory("get", "agent/bot", key, "--json")).out)).toMatchObject({ key, value, tags: ["xtag"] })
  })

  it("keeps memory across a plane restart: get and search answer from the persisted state", async () => {
    const { ws, memory } = await newWorkspace("restart")
    expect((await memory("put", "team/runbooks", "failover", "--text", "Promote the replica in eu-west, then repoint DNS.", "--tags", "ops")).code).toBe(0)
    expect((await memory("put", "team/runbooks", "failover", "--text", "Promote the replica in us-east, then repoint DNS.", "--tags", "ops", "--if-version", "1")).code).toBe(0)

    const persist = plane.persist
    await plane.stop()
    plane = await startPlane({ persistTo: persist })

    expect(await memory("get", "team/runbooks", "failover")).toEqual({ code: 0, out: "Promote the replica in us-east, then repoint DNS.\n", err: "" })
    expect(JSON.parse((await memory("get", "team/runbooks", "failover", "--json")).out)).toMatchObject({ version: 2, tags: ["ops"] })
    const hits = JSON.parse((await memory("search", "replica", "--json")).out).hits
    expect(hits).toEqual([expect.objectContaining({ namespace: "team/runbooks", key: "failover", version: 2, snippet: expect.stringContaining("[replica]") })])
    expect((await memory("search", "eu")).out).toBe('no memory entries match "eu"\n')
    expect((await memory("history", "team/runbooks", "failover", "--json")).out).toContain('"version": 2')
  }, 240_000)
})
