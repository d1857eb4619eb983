// The CLI shows text an agent, a client or an upstream chose, so control characters are shown, not
// obeyed: in tables, in every printed line, and in JSON (which stays the same JSON value).
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { CliIo } from "../../src/cli/io.ts"
import { formatTable, printJson, printLine, printNote } from "../../src/cli/output.ts"
import { printable, printableJson, printableLines } from "../../src/cli/printable.ts"

/** What an output effect wrote to stdout and stderr. */
const printed = (effect: Effect.Effect<void, never, CliIo>) => {
  let out = ""
  let err = ""
  const io = { env: {}, cwd: ".", stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) }, fetch: globalThis.fetch }
  Effect.runSync(effect.pipe(Effect.provideService(CliIo, io)))
  return { out, err }
}

/** Anything a terminal obeys or reorders: C0 but the newline, DEL, C1, bidi controls, line and paragraph separators. */
const UNPRINTABLE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/

describe("printable", () => {
  it("shows every C0 and C1 control character and DEL as \\xNN and leaves the rest alone", () => {
    expect(printable("Claude \u001b[2J\u001b]0;owned\u0007 bot\u009b\u007f")).toBe("Claude \\x1b[2J\\x1b]0;owned\\x07 bot\\x9b\\x7f")
    expect(printable("tab\there\nnewline\rover")).toBe("tab\\x09here\\x0anewline\\x0dover")
    expect(printable("ünïcode ✓ — plain, 👩‍💻 kept whole")).toBe("ünïcode ✓ — plain, 👩‍💻 kept whole")
  })

  it("shows bidi overrides and isolates, and the Unicode line separators, as \\uNNNN", () => {
    expect(printable("invoice\u202Efdp.exe")).toBe("invoice\\u202efdp.exe")
    expect(printable("\u2066a\u2069\u200f\u061c|\u2028|\u2029")).toBe("\\u2066a\\u2069\\u200f\\u061c|\\u2028|\\u2029")
  })

  it("printableLines keeps line breaks and nothing else", () => {
    expect(printableLines("one \u001b[31m\ntwo\t\u202e")).toBe("one \\x1b[31m\ntwo\\x09\\u202e")
  })

  it("printableJson is the same JSON value, with nothing raw a terminal would obey", () => {
    const value = { tool: "up__\u001b]0;pwned\u0007", client: "evil\u009b2J\u202e\u007f", line: "a\u2028b", plain: "ünï ✓" }
    const json = printableJson(value, 2)
    expect(json).not.toMatch(UNPRINTABLE)
    expect(JSON.parse(json)).toEqual(value)
    expect(json).toContain('"client": "evil\\u009b2J\\u202e\\u007f"')
    // Where nothing needs escaping, the bytes are JSON.stringify's.
    expect(printableJson({ plain: "ünï ✓", n: 1 })).toBe(JSON.stringify({ plain: "ünï ✓", n: 1 }))
  })

  it("applies to every cell of a table, so a hostile client name cannot rewrite the screen", () => {
    const table = formatTable(["AGENT", "DOCKS WITH"], [["evil", "oauth \u001b[31mred"]])
    expect(table).not.toContain("\u001b")
    expect(table.split("\n")[1]).toBe("evil   oauth \\x1b[31mred")
  })

  it("every line, note and JSON value the CLI prints goes through it", () => {
    expect(printed(printLine("run \u001b[2J\nsecond \u202eline"))).toEqual({ out: "run \\x1b[2J\nsecond \\u202eline\n", err: "" })
    expect(printed(printNote("more: \u009b1m"))).toEqual({ out: "", err: "more: \\x9b1m\n" })
    const json = printed(printJson({ tool: "a\u009bb\u001b" })).out
    expect(json).toBe('{\n  "tool": "a\\u009bb\\u001b"\n}\n')
    expect(JSON.parse(json)).toEqual({ tool: "a\u009bb\u001b" })
  })
})

describe("run show and events", () => {
  const ESC = "\u001b"
  const envelope = (seq: number, type: string, data: unknown, actorId = "bot") => ({
    seq,
    id: `id${seq}`,
    type,
    v: 1,
    at: "2026-12-04T10:00:00.000Z",
    actor: { type: "agent" as const, id: actorId },
    correlationId: "r1",
    causationId: null,
    data,
    prevHash: "0".repeat(64),
    hash: "1".repeat(64)
  })

  it("a refused call's tool name and error text are shown, not obeyed, line by line", async () => {
    const { formatRun } = await import("../../src/cli/run.ts")
    const text = formatRun({
      run: "r1",
      started: envelope(1, "RunStarted", { agent: "bot", tool: `up__${ESC}]0;pwned${ESC}\\`, traceId: "t", argsHash: "a", argsSize: 2 }),
      spans: [{ traceId: "t", spanId: "s1", name: `tools/call ${ESC}[2J`, start: "2026-12-04T10:00:00.000Z", end: "2026-12-04T10:00:00.010Z", status: { code: "error", message: `no ${ESC}[31m` }, attributes: {} }],
      finished: envelope(2, "RunFinished", { status: "denied", durationMs: 10, error: `denied ${ESC}[8m` })
    })
    expect(text).not.toContain(ESC)
    expect(text).toContain("tool    up__\\x1b]0;pwned\\x1b\\")
    expect(text).toContain("error   denied \\x1b[8m")
    expect(text.split("\n").length).toBeGreaterThan(5)
  })

  it("an event line shows an actor's control characters escaped", async () => {
    const { formatEvent } = await import("../../src/cli/events.ts")
    const line = formatEvent(envelope(3, "MemberAdded", { member: "x" }, `eve${ESC}[2K`))
    expect(line).not.toContain(ESC)
    expect(line).toContain("agent:eve\\x1b[2K")
  })
})

describe("state", () => {
  it("an upstream's tool name cannot forge a line of the state: its line break is shown, not obeyed", async () => {
    const { formatState } = await import("../../src/cli/state.ts")
    const forged = "up__x\n  gh__delete_repo  approved"
    const text = formatState({
      seq: 3,
      hash: "1".repeat(64),
      state: {
        workspace: { slug: "acme", createdAt: "2026-12-04T10:00:00.000Z" },
        members: {},
        agents: {},
        plugins: {},
        tools: { [forged]: { status: "pending" } },
        grants: {},
        policies: {}
      } as never
    })
    expect(text).toContain("tools (1)\n  up__x\\x0a  gh__delete_repo  approved  pending")
    expect(text.split("\n").filter((l) => l.includes("gh__delete_repo"))).toHaveLength(1)
  })
})

describe("run types", () => {
  it("shows an upstream's control characters in a tool's description or schema, never obeys them", async () => {
    const { renderOrbitTypes } = await import("../../src/cli/code-types.ts")
    const text = await renderOrbitTypes(
      [
        {
          name: "up__echo",
          plugin: "up",
          tool: "echo",
          description: "Echoes \u001b]0;owned\u0007 back */ and closes",
          inputSchema: { type: "object", properties: { text: { type: "string", description: "the \u001b[2Jtext" } }, required: ["text"] }
        }
      ],
      "orbit for agent \"bot\""
    )
    // The .d.ts keeps the upstream's words; printing it shows their control characters, never obeys them.
    const shown = printed(printLine(text)).out
    expect(shown).not.toMatch(UNPRINTABLE)
    expect(shown).toContain("\\x1b]0;owned\\x07")
    expect(text).toContain("echo(args: UpEchoArgs): Promise<CallToolResult>")
    expect(text).not.toContain("back */ and")
  })
})
