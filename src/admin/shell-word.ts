// Berth's messages suggest commands an admin may paste into a shell (`berth prompt approve gh <name>`,
// `berth bot allow '<client>'`), and some of their arguments are an upstream's or an agent's words.
// Each such argument is written as one shell word that means exactly that string, so none can end
// the command or start another, and none writes a control sequence onto the admin's terminal.

/** Safe in a POSIX shell as they are, and what Berth's own names are made of. */
const PLAIN = /^[A-Za-z0-9_./:@%+=,-]+$/
/** What a terminal would obey rather than show (as in src/cli/printable.ts). */
const UNPRINTABLE = /[\p{Cc}\p{Bidi_Control}\u2028\u2029]/u

/** `\xNN` inserts one byte, so only ASCII is written that way; the rest as the character's code point. */
const escaped = (c: string) => {
  const code = c.codePointAt(0)!
  return code < 0x80 ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`
}

/**
 * `s` quoted as one shell word: in single quotes, or, when it holds characters a terminal would
 * obey, with ANSI-C quoting (`$'…'`, which bash and zsh read) and those characters escaped, so
 * that the suggestion stays printable and still names the same string.
 */
export const shellQuoted = (s: string): string => {
  if (!UNPRINTABLE.test(s)) return `'${s.replace(/'/g, `'\\''`)}'`
  const inner = Array.from(s, (c) => (c === "\\" || c === "'" ? `\\${c}` : UNPRINTABLE.test(c) ? escaped(c) : c)).join("")
  return `$'${inner}'`
}

/** `s` as one shell word: bare when it is plain, else quoted (`shellQuoted`). */
export const shellWord = (s: string): string => (PLAIN.test(s) ? s : shellQuoted(s))

/**
 * `s` as the last positional argument of a suggested `berth` command: one shell word, after `--` when
 * it starts with a dash, so that berth's own parser cannot take an upstream's `-w` for its flag.
 */
export const lastArgument = (s: string): string => (s.startsWith("-") ? `-- ${shellWord(s)}` : shellWord(s))

/** The same, always quoted (`shellQuoted`): for patterns such as a bot rule's `Claude*`. */
export const lastArgumentQuoted = (s: string): string => (s.startsWith("-") ? `-- ${shellQuoted(s)}` : shellQuoted(s))

/**
 * A flag and its value as one shell word, `--name='value'`: joined by `=`, so that berth's parser
 * takes a value that starts with a dash (a tag such as `-urgent`) as the flag's, not as a flag.
 */
export const flagQuoted = (name: string, value: string): string => `--${name}=${shellQuoted(value)}`

/**
 * A suggested command, or an upstream's name in a message that suggests one, as a markdown code span
 * (CommonMark's rule): fenced by one more backtick than the longest run inside it, with a space inside
 * each fence when the text starts or ends with a backtick or with a space, so that a backtick in an
 * upstream's word cannot end a span early or pair with another span's, and the span shows exactly the text.
 */
export const codeSpan = (command: string): string => {
  let longest = 0
  for (const [run] of command.matchAll(/`+/g)) longest = Math.max(longest, run.length)
  const fence = "`".repeat(longest + 1)
  const pad = /^[` ]|[` ]$/.test(command) ? " " : ""
  return `${fence}${pad}${command}${pad}${fence}`
}
