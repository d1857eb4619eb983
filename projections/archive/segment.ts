// An archive segment: a contiguous run of one workspace's log as gzip-compressed NDJSON, one
// envelope per line, exactly as the log stores and exports it (docs/audit-format.md#segments).
// node:zlib (native in workerd under nodejs_compat, and in Node), so the Worker and the CLI share it.
import { gunzipSync, gzipSync } from "node:zlib"
import type { Envelope } from "../../events/index.ts"

export const segmentKey = (workspace: string, firstSeq: number, lastSeq: number): string =>
  `audit/${workspace}/${firstSeq}-${lastSeq}.ndjson.gz`

export const manifestKey = (workspace: string): string => `audit/${workspace}/manifest.json`

// Synchronous: a segment is at most a few MB, and the stream APIs cost more than the inflate itself.
export const gzip = async (bytes: Uint8Array): Promise<Uint8Array> => new Uint8Array(gzipSync(bytes))
export const gunzip = async (bytes: Uint8Array): Promise<Uint8Array> => new Uint8Array(gunzipSync(bytes))

const toNdjson = (envelopes: ReadonlyArray<Envelope>): string => envelopes.map((e) => `${JSON.stringify(e)}\n`).join("")

export const encodeSegment = (envelopes: ReadonlyArray<Envelope>): Promise<Uint8Array> =>
  gzip(new TextEncoder().encode(toNdjson(envelopes)))

/** The envelopes of a segment; throws if it is not gzip or a line is not JSON. */
export const decodeSegment = async (bytes: Uint8Array): Promise<Array<Envelope>> => {
  const text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(await gunzip(bytes))
  return parseNdjson(text)
}

/** One envelope per line; a trailing newline is allowed. Parsed in one call, as the array the lines spell. */
export const parseNdjson = (text: string): Array<Envelope> => {
  const body = text.endsWith("\n") ? text.slice(0, -1) : text
  if (body === "") return []
  try {
    return JSON.parse(`[${body.replaceAll("\n", ",")}]`) as Array<Envelope>
  } catch {
    // Name the first bad line rather than a position in the joined text.
    const lines = body.split("\n")
    for (const [i, line] of lines.entries()) {
      try {
        JSON.parse(line)
      } catch {
        throw new SyntaxError(`line ${i + 1} is not JSON`)
      }
    }
    throw new SyntaxError("the segment is not one JSON envelope per line")
  }
}

export const sha256Hex = async (bytes: Uint8Array): Promise<string> =>
  [...new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>))].map((b) => b.toString(16).padStart(2, "0")).join("")
