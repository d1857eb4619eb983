// The CLI's tables show text an agent or a client chose, so control characters are shown, not obeyed.
import { describe, expect, it } from "vitest"
import { formatTable, printable } from "../../src/cli/output.ts"

describe("printable", () => {
  it("shows every C0 and C1 control character as \\xNN and leaves the rest alone", () => {
    expect(printable("Claude \u001b[2J\u001b]0;owned\u0007 bot\u009b")).toBe("Claude \\x1b[2J\\x1b]0;owned\\x07 bot\\x9b")
    expect(printable("tab\there\nnewline")).toBe("tab\\x09here\\x0anewline")
    expect(printable("ünïcode ✓ — plain")).toBe("ünïcode ✓ — plain")
  })

  it("applies to every cell of a table, so a hostile client name cannot rewrite the screen", () => {
    const table = formatTable(["AGENT", "DOCKS WITH"], [["evil", "oauth \u001b[31mred"]])
    expect(table).not.toContain("\u001b")
    expect(table.split("\n")[1]).toBe("evil   oauth \\x1b[31mred")
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
    expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/)
    expect(text).toContain("\\x1b]0;owned\\x07")
    expect(text).toContain("echo(args: UpEchoArgs): Promise<CallToolResult>")
    expect(text).not.toContain("back */ and")
  })
})
