-- Berth's read models in D1: queries across workspaces. Every row is derived from some workspace's
-- log (projections/d1/statements.ts) and can be rebuilt from it (`berth projection rebuild d1`).
-- Writes are idempotent on (workspace, seq) under in-order re-delivery: rows that an event updates
-- carry the seq of the last event applied to them and ignore any event at or below it.

-- An index of every workspace's log: type, actor and time, not the payload (that stays in the log).
CREATE TABLE events (
  workspace TEXT NOT NULL,
  seq INTEGER NOT NULL,
  id TEXT NOT NULL,
  type TEXT NOT NULL,
  at TEXT NOT NULL,
  actor_type TEXT NOT NULL,
  actor_id TEXT NOT NULL,
  correlation_id TEXT NOT NULL,
  hash TEXT NOT NULL,
  PRIMARY KEY (workspace, seq)
) WITHOUT ROWID;
CREATE INDEX events_by_time ON events (at, workspace, seq);
CREATE INDEX events_by_type ON events (type, at);
CREATE INDEX events_by_actor ON events (actor_type, actor_id, at);

CREATE TABLE workspaces (
  workspace TEXT PRIMARY KEY,
  created_at TEXT NOT NULL,
  payload_capture INTEGER NOT NULL DEFAULT 0,
  seq INTEGER NOT NULL
);

CREATE TABLE agents (
  workspace TEXT NOT NULL,
  agent TEXT NOT NULL,
  status TEXT NOT NULL,
  key_prefix TEXT NOT NULL,
  owner TEXT,
  registered_at TEXT NOT NULL,
  seq INTEGER NOT NULL,
  PRIMARY KEY (workspace, agent)
) WITHOUT ROWID;

CREATE TABLE plugins (
  workspace TEXT NOT NULL,
  plugin TEXT NOT NULL,
  url TEXT NOT NULL,
  transport TEXT NOT NULL,
  auth TEXT NOT NULL,
  installed_at TEXT NOT NULL,
  seq INTEGER NOT NULL,
  PRIMARY KEY (workspace, plugin)
) WITHOUT ROWID;

CREATE TABLE tools (
  workspace TEXT NOT NULL,
  tool TEXT NOT NULL,
  plugin TEXT NOT NULL,
  name TEXT NOT NULL,
  status TEXT NOT NULL,
  hash TEXT NOT NULL,
  approved_hash TEXT,
  description TEXT,
  seq INTEGER NOT NULL,
  PRIMARY KEY (workspace, tool)
) WITHOUT ROWID;
CREATE INDEX tools_by_plugin ON tools (workspace, plugin);

-- One row per tool call (a run), whether allowed, denied or failed; status is 'open' until it finishes.
CREATE TABLE runs (
  workspace TEXT NOT NULL,
  run TEXT NOT NULL,
  agent TEXT NOT NULL,
  tool TEXT NOT NULL,
  status TEXT NOT NULL,
  trace_id TEXT NOT NULL,
  started_at TEXT NOT NULL,
  finished_at TEXT,
  duration_ms REAL,
  error TEXT,
  start_seq INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  PRIMARY KEY (workspace, run)
) WITHOUT ROWID;
-- "Runs by agent, tool, status or time", newest first, across workspaces.
CREATE INDEX runs_by_time ON runs (started_at, workspace, run);
CREATE INDEX runs_by_agent ON runs (agent, started_at);
CREATE INDEX runs_by_tool ON runs (tool, started_at);
CREATE INDEX runs_by_status ON runs (status, started_at);

CREATE TABLE spans (
  workspace TEXT NOT NULL,
  seq INTEGER NOT NULL,
  run TEXT NOT NULL,
  trace_id TEXT NOT NULL,
  span_id TEXT NOT NULL,
  parent_span_id TEXT,
  name TEXT NOT NULL,
  start TEXT NOT NULL,
  "end" TEXT NOT NULL,
  status_code TEXT NOT NULL,
  status_message TEXT,
  attributes TEXT NOT NULL,
  PRIMARY KEY (workspace, seq)
) WITHOUT ROWID;
CREATE INDEX spans_by_run ON spans (workspace, run, start);
CREATE INDEX spans_by_name ON spans (name, start);
CREATE INDEX spans_by_time ON spans (start, workspace, seq);
