// How far each async projection trails the log, as GetState and `berth state` report it.

export interface Cursor {
  /** Every event up to and including this seq has reached the sink. */
  readonly seq: number
  /** Failures in a row; 0 when the last attempt succeeded. */
  readonly attempts: number
  /** Epoch ms before which the next attempt waits (backoff); 0 when not backing off. */
  readonly nextAt: number
  readonly lastError: string | null
}

export interface ProjectionLag {
  readonly cursor: number
  readonly head: number
  /** head − cursor: events appended but not yet in the sink. */
  readonly lag: number
  readonly attempts: number
  readonly nextAttemptAt: string | null
  readonly lastError: string | null
}

export interface ArchiveStatus extends ProjectionLag {
  readonly segments: number
  /** The signing key's id, or null while the archive has no usable key. */
  readonly keyId: string | null
}

export interface Projections {
  readonly d1: ProjectionLag
  readonly archive: ArchiveStatus
}

export const lagOf = (cursor: Cursor, head: number): ProjectionLag => ({
  cursor: cursor.seq,
  head,
  lag: head - cursor.seq,
  attempts: cursor.attempts,
  nextAttemptAt: cursor.nextAt > 0 ? new Date(cursor.nextAt).toISOString() : null,
  lastError: cursor.lastError
})
