// `berth events [--from N] [--follow]`: the workspace's log, paged through ListEvents' `next`.
// --json prints each envelope as the plane returned it, one per line (NDJSON), for jq and audit tools.
import { Effect, Option } from "effect"
import { Command, Flag } from "effect/cli"
import type { Envelope } from "../../events/index.ts"
import { call } from "./client.ts"
import { clip, printJsonLine, printLine } from "./output.ts"
import { printable } from "./printable.ts"
import { jsonOutput, targetWorkspace } from "./root.ts"

const POLL_INTERVAL = "1 second"

interface EventPage {
  readonly events: ReadonlyArray<Envelope>
  readonly next: number | null
  readonly head: number
}

// Long strings (policy text, hashes) would push the line off the screen; the full value is in --json.
const shortData = (data: unknown) =>
  clip(JSON.stringify(data, (_key, value: unknown) => (typeof value === "string" ? clip(value, 24) : value)) ?? "", 100)

/** One event on one line: a line break in an actor's id or the data (an agent's words) is shown escaped. */
export const formatEvent = (e: Envelope) =>
  printable([String(e.seq).padStart(5), e.at, e.type.padEnd(18), `${e.actor.type}:${e.actor.id}`, shortData(e.data)].join("  "))

export const events = Command.make(
  "events",
  {
    from: Flag.Int("from").pipe(Flag.withDescription("First seq to print (default 1)"), Flag.withDefault(1)),
    follow: Flag.Boolean("follow").pipe(
      Flag.withAlias("f"),
      Flag.withDescription("Keep polling for new events (every second) until interrupted"),
      Flag.withDefault(false)
    ),
    pageSize: Flag.Int("page-size").pipe(Flag.withDescription("Events per request, 1 to 1000 (default 1000)"), Flag.optional)
  },
  Effect.fn(function* ({ from, follow, pageSize }) {
    const workspace = yield* targetWorkspace
    const json = yield* jsonOutput
    const limit = Option.getOrElse(pageSize, () => 1000)
    let cursor = from
    let printed = 0
    while (true) {
      const page = (yield* call({ _tag: "ListEvents", workspace, from: cursor, limit })) as EventPage
      for (const envelope of page.events) yield* json ? printJsonLine(envelope) : printLine(formatEvent(envelope))
      printed += page.events.length
      const last = page.events.at(-1)
      if (last) cursor = last.seq + 1
      if (page.next !== null) {
        cursor = page.next
        continue
      }
      if (!follow) {
        if (printed === 0 && !json) yield* printLine(`no events from seq ${from} (head is seq ${page.head})`)
        return
      }
      yield* Effect.sleep(POLL_INTERVAL)
    }
  })
).pipe(
  Command.withDescription("Print the workspace's event log (one line per event; --json: NDJSON envelopes)"),
  Command.withExamples([
    { command: "berth -w acme events --from 10", description: "Events from seq 10 on" },
    { command: "berth -w acme events --json --follow | jq .type", description: "Stream event types as they are appended" }
  ])
)
