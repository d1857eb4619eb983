// How much of the plane's CPU per call is the D1 fan-out, measured in the same run as the hop: the
// workspace's D1 rows are cleared (`ResetReadModels`) and the plane's CPU is read while its alarm
// rebuilds them from the log, until the D1 lag is 0. Locally that work runs in the plane's own
// workerd, where miniflare's D1 keeps its SQLite; on Cloudflare, D1 is a service of its own and the
// object pays only its side of the push. Two ways a rebuild differs from the steady pushes under
// load, in opposite directions: it pushes up to 250 events a batch where a push under the hop's load
// carries some 50–70 (less batch overhead per event), and it reads the events back from SQLite where
// a steady push takes them from memory (more). The GetState polls every 200 ms are counted in too.
import { setTimeout as sleep } from "node:timers/promises"
import { adminRpc } from "../../test/node/plane.ts"
import { cpuMeter } from "./process-cpu.ts"

export interface D1Share {
  /** Events the rebuild pushed to D1. */
  readonly events: number
  readonly seconds: number
  /** The plane workerd's CPU per event pushed, ms. */
  readonly cpuMsPerEvent: number
}

/** A rebuild of the longest this may take, at the rates measured here (some 5,000 events/s). */
const REBUILD_LIMIT_MS = 120_000
const POLL_MS = 200

interface Lag {
  readonly head: number
  readonly lag: number
}

export const d1Share = async (plane: { readonly url: string; readonly token: string }, workspace: string, planePid: number): Promise<D1Share> => {
  await adminRpc(plane, { _tag: "ResetReadModels", workspace })
  const meter = cpuMeter({ plane: [planePid] })
  const t0 = performance.now()
  for (;;) {
    const { projections } = (await adminRpc(plane, { _tag: "GetState", workspace })) as { projections: { d1: Lag } }
    if (projections.d1.lag === 0) {
      const seconds = (performance.now() - t0) / 1000
      return { events: projections.d1.head, seconds, cpuMsPerEvent: meter.stop().plane! / projections.d1.head }
    }
    if (performance.now() - t0 > REBUILD_LIMIT_MS) throw new Error(`D1 did not catch up with ${workspace}'s log within ${REBUILD_LIMIT_MS / 1000} s`)
    await sleep(POLL_MS)
  }
}
