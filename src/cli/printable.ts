// Text the CLI did not write (an agent's tool or client name, span attributes, memory, an upstream's
// tool descriptions) must not act on the admin's terminal, so output.ts passes everything it prints through here.

/**
 * What a terminal would obey or reorder rather than show: C0 (ESC among them), DEL and C1 (CSI is
 * U+009B), the bidi controls (U+202E and kin, which reorder a line), and the Unicode line and
 * paragraph separators.
 */
const UNPRINTABLE = /[\p{Cc}\p{Bidi_Control}\u2028\u2029]/gu
const UNPRINTABLE_BUT_NEWLINE = /(?!\n)[\p{Cc}\p{Bidi_Control}\u2028\u2029]/gu
/** The ones JSON.stringify leaves raw: it escapes C0 only. */
const RAW_IN_JSON = /[\u007f-\u009f\p{Bidi_Control}\u2028\u2029]/gu

const hex = (c: string, digits: number) => c.charCodeAt(0).toString(16).padStart(digits, "0")

/** `\xNN` for C0, DEL and C1; `\uNNNN` for the rest: visible, so the reader sees something was there. */
const shown = (c: string) => (c.charCodeAt(0) <= 0xff ? `\\x${hex(c, 2)}` : `\\u${hex(c, 4)}`)

/** One line: every unprintable character, newlines too, shown escaped. For table cells and one-line listings. */
export const printable = (text: string) => text.replace(UNPRINTABLE, shown)

/** Many lines kept as lines; every other unprintable character shown escaped. */
export const printableLines = (text: string) => text.replace(UNPRINTABLE_BUT_NEWLINE, shown)

/**
 * JSON.stringify with what it leaves raw written as `\uNNNN` escapes: the same JSON value, byte for
 * byte where no such character occurs, and nothing a terminal obeys. Outside strings JSON text has
 * only ASCII, so every match is inside a string.
 */
export const printableJson = (value: unknown, indent?: number) =>
  (JSON.stringify(value, null, indent) ?? "null").replace(RAW_IN_JSON, (c) => `\\u${hex(c, 4)}`)
