// Spec for checking a policy file before SetPolicy stores it: ids in source order, Cedar's message and
// line:column for a syntax or schema error, and `context.args.<field>` accepted although the schema
// cannot declare the arguments.
import { describe, expect, it } from "vitest"
import { cedar } from "../../src/policy/cedar.ts"
import { CEDAR_SCHEMA, STARTER_POLICY } from "../../src/policy/schema.ts"
import { validatePolicySet } from "../../src/policy/validate.ts"

const refused = (setId: string, text: string) => {
  const r = validatePolicySet(setId, text)
  if (r.ok) throw new Error(`expected a refusal, got ${JSON.stringify(r.policies)}`)
  return r
}

describe("the schema", () => {
  it("parses, and the starter policy validates against it as one policy named after its set", () => {
    expect(cedar().checkParseSchema(CEDAR_SCHEMA)).toEqual({ type: "success" })
    expect(validatePolicySet("starter", STARTER_POLICY)).toEqual({ ok: true, policies: [{ id: "starter", text: STARTER_POLICY.trim() }] })
  })
})

describe("policy ids", () => {
  it("one policy is named <set>; several are <set>.1, <set>.2, … in source order", () => {
    const forbidShell = `forbid(principal, action == Action::"call_tool", resource == Tool::"shell__exec");`
    const permitBot = `@id("bot") permit(principal == Agent::"bot", action == Action::"call_tool", resource in Plugin::"gh");`
    const readDocs = `permit(principal, action == Action::"read_resource", resource == Plugin::"docs");`
    expect(validatePolicySet("guard", `// guard rails\n${forbidShell}\n\n${permitBot}\n${readDocs}\n`)).toEqual({
      ok: true,
      policies: [
        { id: "guard.1", text: forbidShell },
        { id: "guard.2", text: permitBot },
        { id: "guard.3", text: readDocs }
      ]
    })
  })

  it("keeps source order past ten policies (Cedar sorts its own names as strings: policy10 before policy2)", () => {
    const agents = Array.from({ length: 12 }, (_, i) => `agent${i}`)
    const text = agents.map((a) => `permit(principal == Agent::"${a}", action == Action::"call_tool", resource);`).join("\n")
    const r = validatePolicySet("agents", text)
    if (!r.ok) throw new Error(r.message)
    expect(r.policies.map((p) => [p.id, p.text.match(/agent\d+/)![0]])).toEqual(agents.map((a, i) => [`agents.${i + 1}`, a]))
  })
})

describe("refusals carry Cedar's message and where it is", () => {
  it("a syntax error: the message, its label, and line:column", () => {
    const text = `permit(principal, action == Action::"call_tool", resource)\nwhen { resource.approved &&  };`
    const r = refused("p", text)
    expect(r.message).toMatch(/^unexpected token `}` \(expected `!`, `\(`, .* or `true`\)$/)
    expect(r.location).toEqual({ start: 88, end: 89, line: 2, column: 30 })
    expect(text.slice(r.location!.start, r.location!.end)).toBe("}")
  })

  it("converts Cedar's UTF-8 byte offsets: non-ASCII text before the error does not shift the location", () => {
    const text = `// règle de l'équipe 🚢\npermit(principal, action == Action::"call_tool", resource) when { resource.aproved };`
    const r = refused("intl", text)
    expect(text.slice(r.location!.start, r.location!.end)).toBe("resource.aproved")
    expect(r.location).toMatchObject({ line: 2, column: 67 })
  })

  it("an unknown attribute: the message names the Berth id, with Cedar's hint", () => {
    const text = `permit(principal, action, resource == Tool::"gh__search");\npermit(principal, action == Action::"call_tool", resource) when { resource.aproved };`
    const r = refused("starter", text)
    expect(r.message).toBe("for policy `starter.2`, attribute `aproved` on entity type `Tool` not found; did you mean `approved`?")
    expect(r.location).toMatchObject({ line: 2, column: 67 })
  })

  it("an unknown entity type and an unknown action; the first in the file is reported, the rest counted", () => {
    const text = `permit(principal == Robot::"x", action == Action::"call_tool", resource);\npermit(principal, action == Action::"delete_everything", resource);`
    const r = refused("bad", text)
    expect(r.message).toMatch(/^for policy `bad.1`, unrecognized entity type `Robot`.* \(and 1 more error\)$/)
    expect(r.location).toMatchObject({ line: 1, column: 21 })
    expect(refused("bad", text.split("\n")[1]!).message).toMatch(/^for policy `bad`, unrecognized action `Action::"delete_everything"`/)
  })

  it("a resource attribute on the wrong action's resource type (Plugin has no `approved`)", () => {
    expect(refused("p", `permit(principal, action == Action::"get_prompt", resource) when { resource.approved };`).message).toMatch(
      /attribute `approved` on entity type `Plugin` not found/
    )
  })

  it("templates, and a file with no policy, are refused", () => {
    expect(refused("t", `permit(principal == ?principal, action, resource);`).message).toMatch(/templates/)
    expect(refused("empty", `// nothing yet\n`).message).toBe("the policy set holds no policy")
  })
})

describe("context.args", () => {
  it("any argument field may be read, although the schema cannot declare them", () => {
    const text = `permit(principal == Agent::"bot", action == Action::"call_tool", resource == Tool::"gh__search")
  when { context.args.repo like "acme/*" && context.args.per_page <= 100 && context.args.options.sort == "updated" };
forbid(principal, action, resource) when { context.args has cmd && context.time > datetime("2026-01-01T00:00:00Z") };`
    expect(validatePolicySet("repo", text)).toMatchObject({ ok: true, policies: [{ id: "repo.1" }, { id: "repo.2" }] })
  })

  it("the exception is exactly `context.args.<field>`: a misspelt `args`, or an undeclared context field, refuses", () => {
    expect(refused("p", `permit(principal, action, resource) when { context.arsg.repo == "x" };`).message).toMatch(/attribute `arsg` in context/)
    expect(refused("p", `permit(principal, action, resource) when { context.user == "x" };`).message).toMatch(/attribute `user` in context/)
  })
})
