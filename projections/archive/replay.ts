// The state at a point in history, replayed from the archive alone: the segments up to the point,
// each checked against the manifest (sha256 and the chain's links, or every hash), folded in one pass.
// `berth replay --from-archive` runs it in the CLI; the replay benchmark runs it in workerd.
import { type Envelope, foldableEvent, GENESIS_HASH, type Point } from "../../events/index.ts"
import { applyEvents } from "../evolve.ts"
import { initialState, type WorkspaceState } from "../state.ts"
import type { Manifest } from "./manifest.ts"
import { type ArchiveSource, archivedEvents } from "./verify.ts"

export interface ArchiveReplay {
  readonly seq: number
  readonly hash: string
  readonly at: string | null
  readonly state: WorkspaceState
  /** The last seq the archive holds: a point past it is answered as of this seq. */
  readonly sealedThrough: number
}

/**
 * `rehash: false` (the default) trusts the manifest for the envelopes' hashes: it checks each
 * segment's sha256 and the chain's links, which is right for the plane reading its own archive.
 * A verifier that holds only the public key passes `rehash: true`, as `berth replay` does.
 */
export const replayArchive = async (
  source: ArchiveSource,
  manifest: Manifest,
  point: Point,
  options: { readonly rehash?: boolean } = {}
): Promise<ArchiveReplay> => {
  const prefix: Array<Envelope> = []
  const range = { rehash: options.rehash ?? false, ...("seq" in point ? { toSeq: point.seq } : {}) }
  for await (const e of archivedEvents(source, manifest, range)) {
    if ("time" in point && e.at > point.time) break
    prefix.push(e)
  }
  const last = prefix.at(-1)
  const { state } = applyEvents(initialState, prefix.map((e) => foldableEvent(e.type, e.v, e.at, e.data)))
  return {
    seq: last?.seq ?? 0,
    hash: last?.hash ?? GENESIS_HASH,
    at: last?.at ?? null,
    state,
    sealedThrough: manifest.segments.at(-1)?.lastSeq ?? 0
  }
}
