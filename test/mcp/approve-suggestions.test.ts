// A tool call refused because its tool is quarantined or awaiting approval names the command that
// approves it. A tool id is `{plugin}__{name}` with the upstream's name, which may hold what a shell
// would act on, so the id is written as one shell word (src/admin/shell-word.ts; that bash reads
// such words back exactly is tested in test/node/shell-word.test.ts), inside a markdown code span that
// a backtick in the name cannot end early.
import { describe, expect, it } from "vitest"
import type { WorkspaceState } from "../../projections/state.ts"
import { authorizeToolCall } from "../../src/mcp/authorize.ts"
import { PolicyEngine } from "../../src/policy/engine.ts"

const state = {
  agents: { bot: { owner: "ada", status: "active" } },
  tools: {
    "up__echo": { status: "quarantined" },
    "up__e;id": { status: "quarantined" },
    "up__$(id)": { status: "pending" },
    "up__x\u001b[2J": { status: "pending" },
    "up__e`id`": { status: "quarantined" },
    "up__a`b": { status: "quarantined" }
  }
} as unknown as WorkspaceState

const reason = (tool: string) => {
  const decision = authorizeToolCall(state, new PolicyEngine("acme"), "bot", tool, {})
  return decision.allow ? undefined : decision.reason
}

describe("approve suggestions in tool refusals", () => {
  it("name the tool bare when plain, quoted when a shell would act on it, escaped when a terminal would", () => {
    expect(reason("up__echo")).toMatch(/an admin must run `berth tool approve up__echo`$/)
    expect(reason("up__e;id")).toMatch(/an admin must run `berth tool approve 'up__e;id'`$/)
    expect(reason("up__$(id)")).toBe("tool `up__$(id)` is awaiting approval (`berth tool approve 'up__$(id)'`)")
    expect(reason("up__x\u001b[2J")).toMatch(/\(`berth tool approve \$'up__x\\x1b\[2J'`\)$/)
  })

  it("fence the tool's name and the command with more backticks than any run in the name, so markdown shows all of both", () => {
    expect(reason("up__e`id`")).toBe("tool `` up__e`id` `` is quarantined: its definition changed since it was approved; an admin must run ``berth tool approve 'up__e`id`'``")
    // An odd backtick in the name, which would otherwise pair with one in the command's span.
    expect(reason("up__a`b")).toBe("tool ``up__a`b`` is quarantined: its definition changed since it was approved; an admin must run ``berth tool approve 'up__a`b'``")
  })
})
