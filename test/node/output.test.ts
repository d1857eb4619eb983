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
