// validateArguments with real @cfworker/json-schema in workerd: pointers and rules, drafts, the compile cache, no value leaks.
import { describe, expect, it } from "vitest"
import { compiledSchemas, validateArguments } from "../../src/mcp/validate-args.ts"

const refusal = (pointer: string, message: string) => ({ ok: false, pointer, message })

describe("validateArguments", () => {
  const repoSchema = {
    type: "object",
    properties: {
      repo: { type: "string" },
      count: { type: "integer", minimum: 1 },
      mode: { enum: ["fast", "thorough"] },
      options: {
        type: "object",
        properties: { depth: { type: "integer" }, labels: { type: "array", items: { type: "string" } } }
      }
    },
    required: ["repo"],
    additionalProperties: false
  }

  it("accepts valid arguments", () => {
    expect(
      validateArguments("gh__search", repoSchema, {
        repo: "acme/api",
        count: 3,
        mode: "fast",
        options: { depth: 2, labels: ["bug"] }
      })
    ).toEqual({ ok: true })
  })

  it("a missing required field points at its object and names the field", () => {
    expect(validateArguments("gh__search", repoSchema, { count: 3 })).toEqual(
      refusal("", 'gh__search: arguments must have required property "repo" (required)')
    )
    const nested = { type: "object", properties: { options: { type: "object", required: ["depth"] } } }
    expect(validateArguments("gh__search", nested, { options: {} })).toEqual(
      refusal("/options", 'gh__search: /options must have required property "depth" (required)')
    )
  })

  it("a wrong type in a nested object points at the field itself, not the outer properties failure", () => {
    expect(validateArguments("gh__search", repoSchema, { repo: "acme/api", options: { depth: "deep" } })).toEqual(
      refusal("/options/depth", "gh__search: /options/depth must be an integer (type)")
    )
    expect(validateArguments("gh__search", repoSchema, { repo: "acme/api", options: { labels: ["a", 7] } })).toEqual(
      refusal("/options/labels/1", "gh__search: /options/labels/1 must be a string (type)")
    )
  })

  it("names the expected integer the brief's way", () => {
    const schema = { type: "object", properties: { count: { type: "integer" } } }
    expect(validateArguments("up__echo", schema, { count: 1.5 })).toEqual(
      refusal("/count", "up__echo: /count must be an integer (type)")
    )
  })

  it("an enum violation lists the allowed values", () => {
    expect(validateArguments("gh__search", repoSchema, { repo: "acme/api", mode: "slow" })).toEqual(
      refusal("/mode", 'gh__search: /mode must be one of ["fast","thorough"] (enum)')
    )
  })

  it("additionalProperties: false names the extra property", () => {
    expect(validateArguments("gh__search", repoSchema, { repo: "acme/api", force: true })).toEqual(
      refusal("/force", "gh__search: /force is not allowed (additionalProperties)")
    )
  })

  it("pointers are plain RFC 6901 pointers, not URI fragments", () => {
    const schema = { type: "object", additionalProperties: false }
    expect(validateArguments("t__x", schema, { "a b/c~d#": 1 })).toMatchObject({ ok: false, pointer: "/a b~1c~0d#" })
  })

  it("honours a draft-07 $schema: $ref siblings are ignored there, and enforced under the 2020-12 default", () => {
    const body = {
      type: "object",
      definitions: { n: { type: "integer" } },
      properties: { count: { $ref: "#/definitions/n", minimum: 100 } }
    }
    const draft07 = { $schema: "http://json-schema.org/draft-07/schema#", ...body }
    expect(validateArguments("t__x", draft07, { count: 5 })).toEqual({ ok: true })
    expect(validateArguments("t__x", draft07, { count: "5" })).toEqual(
      refusal("/count", "t__x: /count must be an integer (type)")
    )
    expect(validateArguments("t__x", body, { count: 5 })).toEqual(refusal("/count", "t__x: /count must be >= 100 (minimum)"))
  })

  it("checks a server-everything style echo schema", () => {
    const echo = {
      type: "object",
      properties: { message: { type: "string", description: "Message to echo" } },
      required: ["message"],
      additionalProperties: false,
      $schema: "http://json-schema.org/draft-07/schema#"
    }
    expect(validateArguments("everything__echo", echo, { message: "hi" })).toEqual({ ok: true })
    expect(validateArguments("everything__echo", echo, {})).toEqual(
      refusal("", 'everything__echo: arguments must have required property "message" (required)')
    )
    expect(validateArguments("everything__echo", echo, { message: 42 })).toEqual(
      refusal("/message", "everything__echo: /message must be a string (type)")
    )
  })

  it("arguments must be an object whatever the schema; absent arguments are the empty object", () => {
    for (const schema of [undefined, {}, { type: "object" }, repoSchema]) {
      expect(validateArguments("t__x", schema, [1])).toEqual(refusal("", "t__x: arguments must be an object, not an array (type)"))
      expect(validateArguments("t__x", schema, null)).toEqual(refusal("", "t__x: arguments must be an object, not null (type)"))
      expect(validateArguments("t__x", schema, "hunter2")).toEqual(
        refusal("", "t__x: arguments must be an object, not a string (type)")
      )
    }
    for (const schema of [undefined, {}, { type: "object" }, "not a schema", true]) {
      expect(validateArguments("t__x", schema, { anything: [1, { deep: true }] })).toEqual({ ok: true })
      expect(validateArguments("t__x", schema, undefined)).toEqual({ ok: true })
    }
    expect(validateArguments("gh__search", repoSchema, undefined)).toEqual(
      refusal("", 'gh__search: arguments must have required property "repo" (required)')
    )
  })

  it("compiles each distinct schema once: by identity, and by content when the object is rebuilt", () => {
    const schema = { type: "object", properties: { unique: { const: "compile-once-test" } } }
    const before = compiledSchemas()
    for (let i = 0; i < 5; i++) validateArguments("t__x", schema, { unique: "compile-once-test" })
    expect(compiledSchemas()).toBe(before + 1)
    // A rebuilt projection hands over an equal schema in a new object, keys in another order.
    const rebuilt = { properties: { unique: { const: "compile-once-test" } }, type: "object" }
    expect(validateArguments("t__x", rebuilt, { unique: "other" })).toMatchObject({ ok: false, pointer: "/unique" })
    expect(compiledSchemas()).toBe(before + 1)
    validateArguments("t__x", { ...schema, required: ["unique"] }, {})
    expect(compiledSchemas()).toBe(before + 2)
  })

  it("the content cache is bounded: a schema pushed out by 256 others is compiled again", () => {
    const first = () => ({ type: "object", properties: { evicted: { const: 0 } } })
    const before = compiledSchemas()
    validateArguments("t__x", first(), {})
    for (let i = 1; i <= 256; i++) validateArguments("t__x", { type: "object", properties: { evicted: { const: i } } }, {})
    expect(compiledSchemas()).toBe(before + 257)
    validateArguments("t__x", first(), {})
    expect(compiledSchemas()).toBe(before + 258)
  })

  it("never echoes the value of a bad field (invariant 6)", () => {
    const secret = "hunter2-s3cret"
    const schema = {
      type: "object",
      properties: {
        password: { type: "string", minLength: 32, maxLength: 40, pattern: "^[A-Z]{8}$", format: "email", enum: ["x"] },
        pin: { type: "number", maximum: 10, multipleOf: 7 }
      }
    }
    const refused = validateArguments("vault__login", schema, { password: secret })
    // Several rules fail at /password; cfworker checks type, const and enum before the string rules.
    expect(refused).toEqual(refusal("/password", 'vault__login: /password must be one of ["x"] (enum)'))
    for (const property of ["minLength", "pattern", "format", "enum"]) {
      const narrowed = { type: "object", properties: { password: { [property]: schema.properties.password[property as "enum"] } } }
      const result = validateArguments("vault__login", narrowed, { password: secret })
      expect(result).toMatchObject({ ok: false, pointer: "/password", message: expect.stringContaining(`(${property})`) })
      expect(JSON.stringify(result)).not.toContain("hunter2")
      expect(JSON.stringify(result)).not.toContain(String(secret.length))
    }
    // cfworker's own text for these keywords starts with the value ("31337 is greater than 10.").
    const pin = validateArguments("vault__login", schema, { pin: 31337 })
    expect(pin).toEqual(refusal("/pin", "vault__login: /pin must be <= 10 (maximum)"))
    const multiple = validateArguments("vault__login", { properties: { pin: { multipleOf: 7 } } }, { pin: 31337 })
    expect(multiple).toEqual(refusal("/pin", "vault__login: /pin must be a multiple of 7 (multipleOf)"))
  })

  it("says what each other rule expected", () => {
    const cases: ReadonlyArray<[Record<string, unknown>, Record<string, unknown>, string, string]> = [
      [{ properties: { q: { pattern: "^a+$" } } }, { q: "b" }, "/q", '/q must match the pattern "^a+$" (pattern)'],
      [{ properties: { q: { anyOf: [{ type: "string" }, { type: "null" }] } } }, { q: 1 }, "/q", "/q must match at least one of the schemas in anyOf (anyOf)"],
      [{ properties: { q: { type: ["string", "null"] } } }, { q: 1 }, "/q", "/q must be a string or null (type)"],
      [{ properties: { tags: { type: "array", maxItems: 1 } } }, { tags: [1, 2] }, "/tags", "/tags must have at most 1 items (maxItems)"],
      [{ maxProperties: 1 }, { a: 1, b: 2 }, "", "arguments must have at most 1 properties (maxProperties)"],
      [{ dependentRequired: { user: ["password"] } }, { user: "u" }, "", 'arguments must also have "password" when it has "user" (dependentRequired)'],
      [{ propertyNames: { pattern: "^[a-z]+$" } }, { Bad: 1 }, "/Bad", "/Bad is not an allowed property name (propertyNames)"],
      [{ properties: { n: { exclusiveMinimum: 0 } } }, { n: 0 }, "/n", "/n must be > 0 (exclusiveMinimum)"]
    ]
    for (const [schema, args, pointer, rule] of cases) {
      expect(validateArguments("t__x", schema, args)).toEqual(refusal(pointer, `t__x: ${rule}`))
    }
  })

  it("fails closed on a schema it cannot evaluate, without touching the caller's object", () => {
    const remote = Object.freeze({ type: "object", properties: { a: Object.freeze({ $ref: "https://example.com/a.json" }) } })
    expect(validateArguments("t__x", remote, { a: 1 })).toEqual(
      refusal("", "t__x: arguments cannot be checked against the tool's inputSchema (inputSchema)")
    )
    expect(Object.getOwnPropertyNames(remote)).toEqual(["type", "properties"])
  })
})
