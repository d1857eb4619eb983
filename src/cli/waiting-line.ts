// A line on stderr while the browser is out (`berth login`, `berth credential connect`): redrawn each
// second on a terminal with the time left, every 30 s otherwise; cleared when the wait ends.
import { Effect } from "effect"
import { CliIo } from "./io.ts"

export const waitingLine = (what: string, until: number) =>
  Effect.acquireRelease(
    Effect.gen(function* () {
      const { stderr } = yield* CliIo
      const line = () => {
        const left = Math.max(0, Math.round((until - Date.now()) / 1000))
        return `Waiting for the browser to finish ${what} (${Math.floor(left / 60)}:${String(left % 60).padStart(2, "0")} left; Ctrl-C to stop)`
      }
      stderr.write(stderr.isTTY ? line() : `${line()}\n`)
      let ticks = 0
      const timer = setInterval(() => {
        ticks += 1
        if (stderr.isTTY) stderr.write(`\r${line()}\x1b[K`)
        else if (ticks % 30 === 0) stderr.write(`${line()}\n`)
      }, 1000)
      return { stderr, timer }
    }),
    ({ stderr, timer }) =>
      Effect.sync(() => {
        clearInterval(timer)
        if (stderr.isTTY) stderr.write("\r\x1b[K")
      })
  )
