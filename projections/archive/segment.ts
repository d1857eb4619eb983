// An archive segment: a contiguous run of one workspace's log as gzip-compressed NDJSON, one
// envelope per line, exactly as the log stores and exports it (docs/audit-format.md#segments).
// Web APIs only (CompressionStream, TextEncoder), so the Worker and the Node CLI share it.
import type { Envelope } from "../../events/index.ts"

export const segmentKey = (workspace: string, firstSeq: number, lastSeq: number): string =>
  `audit/${workspace}/${firstSeq}-${lastSeq}.ndjson.gz`

export const manifestKey = (workspace: string): string => `audit/${workspace}/manifest.json`

const through = async (bytes: Uint8Array, transform: CompressionStream | DecompressionStream): Promise<Uint8Array> =>
  new Uint8Array(await new Response(new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(transform)).arrayBuffer())

export const gzip = (bytes: Uint8Array): Promise<Uint8Array> => through(bytes, new CompressionStream("gzip"))
export const gunzip = (bytes: Uint8Array): Promise<Uint8Array> => through(bytes, new DecompressionStream("gzip"))

export const toNdjson = (envelopes: ReadonlyArray<Envelope>): string => envelopes.map((e) => `${JSON.stringify(e)}\n`).join("")

export const encodeSegment = (envelopes: ReadonlyArray<Envelope>): Promise<Uint8Array> =>
  gzip(new TextEncoder().encode(toNdjson(envelopes)))

/** The envelopes of a segment; throws if it is not gzip or a line is not JSON. */
export const decodeSegment = async (bytes: Uint8Array): Promise<Array<Envelope>> => {
  const text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(await gunzip(bytes))
  return parseNdjson(text)
}

export const parseNdjson = (text: string): Array<Envelope> => {
  const lines = text.split("\n")
  if (lines[lines.length - 1] === "") lines.pop()
  return lines.map((line) => JSON.parse(line) as Envelope)
}

export const sha256Hex = async (bytes: Uint8Array): Promise<string> =>
  [...new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>))].map((b) => b.toString(16).padStart(2, "0")).join("")
