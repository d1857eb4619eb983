// Progress on stderr for long work (rebuilds, exports, verification): a redrawn bar on a terminal,
// and a plain line every few seconds otherwise, so logs of scripted runs stay readable.
import type { TextSink } from "./io.ts"

const WIDTH = 30
const PLAIN_EVERY_MS = 2_000

export interface Progress {
  update(done: number, total: number, note?: string): void
  done(summary: string): void
}

export const progress = (sink: TextSink, label: string, quiet = false): Progress => {
  let lastPlain = 0
  return {
    update(done, total, note = "") {
      if (quiet) return
      const fraction = total > 0 ? Math.min(1, done / total) : 1
      const text = `${label} ${done}/${total}${note ? ` ${note}` : ""}`
      if (sink.isTTY) {
        const filled = Math.round(fraction * WIDTH)
        sink.write(`\r[${"#".repeat(filled)}${"-".repeat(WIDTH - filled)}] ${Math.floor(fraction * 100)}% ${text}\x1b[K`)
      } else if (Date.now() - lastPlain >= PLAIN_EVERY_MS || done >= total) {
        lastPlain = Date.now()
        sink.write(`${text}\n`)
      }
    },
    /** Clears the bar; writes `summary` on its own line unless it is empty. */
    done(summary) {
      if (quiet) return
      if (sink.isTTY) sink.write("\r\x1b[K")
      if (summary) sink.write(`${summary}\n`)
    }
  }
}
