// Trace and span ids have W3C trace-context sizes and do not repeat, across the 4 KiB of random
// bytes trace.ts draws at a time.
import { expect, it } from "vitest"
import { newSpanId, newTraceId, startSpan } from "../../src/mcp/trace.ts"

it("trace ids are 16 random bytes and span ids 8, in lowercase hex, none repeated", () => {
  const traces = Array.from({ length: 1_000 }, newTraceId)
  const spans = Array.from({ length: 1_000 }, newSpanId)
  for (const id of traces) expect(id).toMatch(/^[0-9a-f]{32}$/)
  for (const id of spans) expect(id).toMatch(/^[0-9a-f]{16}$/)
  expect(new Set(traces).size).toBe(traces.length)
  expect(new Set(spans).size).toBe(spans.length)
  // 16,000 bytes of trace ids: every byte value turns up, so the bytes are not stuck on part of the range.
  const seen = new Set(traces.join("").match(/../g))
  expect(seen.size).toBe(256)
})

it("a span carries its trace, its parent and its times", () => {
  const traceId = newTraceId()
  const span = startSpan(traceId, "authorize", "00f067aa0ba902b7").end({ code: "ok" }, { "berth.decision": "allow" })
  expect(span).toMatchObject({ traceId, parentSpanId: "00f067aa0ba902b7", name: "authorize", status: { code: "ok" } })
  expect(span.spanId).toMatch(/^[0-9a-f]{16}$/)
  expect(span.end >= span.start).toBe(true)
})
