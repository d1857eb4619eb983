// Random bytes drawn from the runtime's CSPRNG 4 KiB at a time. Ids are minted several to a tool
// call (a trace, spans, each event's ULID); one getRandomValues per byte or per id is a crossing
// into the runtime each time, which cost the object about 0.1 ms of its time per call.
const pool = new Uint8Array(4096)
let used = pool.length

/** The next random byte. */
export const randomByte = (): number => {
  if (used === pool.length) {
    crypto.getRandomValues(pool)
    used = 0
  }
  return pool[used++]!
}

/** A uniform number in [0, 1) with 8 random bits, as ulid's own PRNG gives (it reads one byte per character). */
export const randomFraction = (): number => randomByte() / 256
