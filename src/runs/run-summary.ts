// The shape of a run in listings: what the plane answers to ListRuns and what the CLI prints.
export interface RunFilter {
  readonly agent?: string | undefined
  readonly tool?: string | undefined
  readonly status?: "ok" | "error" | "denied" | "timeout" | "open" | undefined
  readonly limit?: number | undefined
}

export interface RunSummary {
  readonly run: string
  readonly agent: string
  readonly tool: string
  readonly status: "ok" | "error" | "denied" | "timeout" | "open"
  readonly startedAt: string
  readonly durationMs: number | null
  readonly startSeq: number
}
