// Runs, read straight from the log: a run's events share its id as correlationId, so a run is one
// indexed lookup and the list is RunStarted rows joined to their RunFinished.
import type { Envelope } from "../../events/index.ts"
import type { RunFilter, RunSummary } from "./run-summary.ts"

export type { RunFilter, RunSummary }

const LIST = `
SELECT s.correlation_id AS run, s.seq AS start_seq, s.at AS started_at,
       json_extract(s.data, '$.agent') AS agent, json_extract(s.data, '$.tool') AS tool,
       coalesce(json_extract(f.data, '$.status'), 'open') AS status, json_extract(f.data, '$.durationMs') AS duration_ms
FROM events s LEFT JOIN events f ON f.correlation_id = s.correlation_id AND f.type = 'RunFinished'
WHERE s.type = 'RunStarted'
  AND (?1 IS NULL OR json_extract(s.data, '$.agent') = ?1)
  AND (?2 IS NULL OR json_extract(s.data, '$.tool') = ?2)
  AND (?3 IS NULL OR coalesce(json_extract(f.data, '$.status'), 'open') = ?3)
ORDER BY s.seq DESC LIMIT ?4`

export const listRuns = (sql: SqlStorage, filter: RunFilter): Array<RunSummary> =>
  sql
    .exec<{ run: string; start_seq: number; started_at: string; agent: string; tool: string; status: RunSummary["status"]; duration_ms: number | null }>(
      LIST,
      filter.agent ?? null,
      filter.tool ?? null,
      filter.status ?? null,
      filter.limit ?? 50
    )
    .toArray()
    .map((r) => ({ run: r.run, agent: r.agent, tool: r.tool, status: r.status, startedAt: r.started_at, durationMs: r.duration_ms, startSeq: r.start_seq }))

/** Every event of one run, in order; empty if there is no such run. */
export const runEvents = (sql: SqlStorage, run: string, read: (row: any) => Envelope): Array<Envelope> =>
  sql
    .exec(`SELECT * FROM events WHERE correlation_id = ? AND type IN ('RunStarted', 'SpanRecorded', 'RunFinished') ORDER BY seq`, run)
    .toArray()
    .map(read)
