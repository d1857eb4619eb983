// OpenTelemetry-shaped ids and spans for runs (W3C trace context sizes: 16-byte trace, 8-byte span).
import type { Span } from "../../events/index.ts"
import { randomByte } from "../workspace/random-pool.ts"

const HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, "0"))

const hex = (bytes: number): string => {
  let out = ""
  for (let i = 0; i < bytes; i++) out += HEX[randomByte()]
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
