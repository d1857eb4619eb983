-- Agents dock through OAuth 2.1 too (AgentRegistered v2): such an agent has no key prefix, and
-- `via` and `client_id` say how it docks. SQLite cannot drop a NOT NULL, so the table is rebuilt.
CREATE TABLE agents_v2 (
  workspace TEXT NOT NULL,
  agent TEXT NOT NULL,
  status TEXT NOT NULL,
  via TEXT NOT NULL DEFAULT 'key',
  key_prefix TEXT,
  client_id TEXT,
  owner TEXT,
  registered_at TEXT NOT NULL,
  seq INTEGER NOT NULL,
  PRIMARY KEY (workspace, agent)
) WITHOUT ROWID;

INSERT INTO agents_v2 (workspace, agent, status, via, key_prefix, client_id, owner, registered_at, seq)
  SELECT workspace, agent, status, 'key', key_prefix, NULL, owner, registered_at, seq FROM agents;

DROP TABLE agents;

ALTER TABLE agents_v2 RENAME TO agents;
