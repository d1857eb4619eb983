// Counts a workspace's runs from its log, paging ListEvents from seq 1 to the head: each RunStarted
// matched by run id with its RunFinished, and tallied by tool and status. `npm run soak` compares
// these with the calls its agents made and the answers they got.
type Rpc = (body: Record<string, unknown>) => Promise<any>

interface Envelope {
  readonly seq: number
  readonly type: string
  readonly data: Record<string, unknown>
}

export interface RecordedRuns {
  /** Events read, and the head seq the last page reported. */
  readonly events: number
  readonly head: number
  /** Seqs missing between 1 and the last one read (retention is off in a soak, so none should be). */
  readonly gaps: number
  readonly byType: Readonly<Record<string, number>>
  readonly started: number
  /** Finished runs by `"<tool> <status>"`, the tool taken from the run's RunStarted. */
  readonly finished: Readonly<Record<string, number>>
  /** RunStarted without a RunFinished, RunFinished without a RunStarted, and a run id started or finished twice. */
  readonly unfinished: number
  readonly unstarted: number
  readonly duplicates: number
}

const PAGE = 1000 // ListEvents' largest page

export const recordedRuns = async (rpc: Rpc, workspace: string): Promise<RecordedRuns> => {
  const tools = new Map<string, string>()
  const done = new Set<string>()
  const byType: Record<string, number> = {}
  const finished: Record<string, number> = {}
  let events = 0
  let head = 0
  let lastSeq = 0
  let gaps = 0
  let unstarted = 0
  let duplicates = 0
  for (let from: number | null = 1; from !== null; ) {
    const page = (await rpc({ _tag: "ListEvents", workspace, from, limit: PAGE })) as { events: ReadonlyArray<Envelope>; next: number | null; head: number }
    head = page.head
    for (const e of page.events) {
      events++
      gaps += e.seq - lastSeq - 1
      lastSeq = e.seq
      byType[e.type] = (byType[e.type] ?? 0) + 1
      const run = e.data.run as string
      if (e.type === "RunStarted") {
        if (tools.has(run)) duplicates++
        tools.set(run, e.data.tool as string)
      } else if (e.type === "RunFinished") {
        const tool = tools.get(run)
        if (tool === undefined) unstarted++
        else if (done.has(run)) duplicates++
        else {
          done.add(run)
          const key = `${tool} ${e.data.status as string}`
          finished[key] = (finished[key] ?? 0) + 1
        }
      }
    }
    from = page.next
  }
  return { events, head, gaps, byType, started: tools.size, finished, unfinished: tools.size - done.size, unstarted, duplicates }
}
