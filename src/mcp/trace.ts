// OpenTelemetry-shaped ids and spans for runs (W3C trace context sizes: 16-byte trace, 8-byte span).
import type { Span } from "../../events/index.ts"

const HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, "0"))

// Random bytes drawn 4 KiB at a time: a call takes six ids, and one getRandomValues per id, with
// an array and a string per byte to print it, cost about 0.1 ms of the object's time per call.
const random = new Uint8Array(4096)
let used = random.length

const hex = (bytes: number): string => {
  if (used + bytes > random.length) {
    crypto.getRandomValues(random)
    used = 0
  }
  let out = ""
  for (const end = used + bytes; used < end; used++) out += HEX[random[used]!]
  return out
}

export const newTraceId = () => hex(16)
export const newSpanId = () => hex(8)

type Attributes = Record<string, string | number | boolean>

/** A span being timed; `end` seals it. Time in workerd advances across I/O, which is what spans measure. */
export const startSpan = (traceId: string, name: string, parentSpanId?: string) => {
  const spanId = newSpanId()
  const start = new Date().toISOString()
  return {
    spanId,
    end: (status: Span["status"], attributes: Attributes = {}): Span => ({
      traceId,
      spanId,
      ...(parentSpanId === undefined ? {} : { parentSpanId }),
      name,
      start,
      end: new Date().toISOString(),
      status,
      attributes
    })
  }
}
