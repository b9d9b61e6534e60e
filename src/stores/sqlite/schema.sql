-- The SQLite schema the migrations produce (src/stores/sqlite/migrations). Generated: do not edit.
-- After adding a migration: UPDATE_SCHEMA=1 npx vitest run test/stores/sqlite-schema.test.ts
CREATE TABLE checkpoints (
  run INTEGER NOT NULL,
  step INTEGER NOT NULL,
  next TEXT NOT NULL,
  joins TEXT,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (run, step)
) WITHOUT ROWID;

CREATE TABLE compensations (
  run INTEGER NOT NULL,
  task_key TEXT NOT NULL,
  node TEXT NOT NULL,
  status TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  error TEXT,
  finished_at INTEGER NOT NULL, started_at INTEGER,
  PRIMARY KEY (run, task_key)
) WITHOUT ROWID;

CREATE TABLE events (
  seq INTEGER PRIMARY KEY,
  run INTEGER NOT NULL,
  name TEXT NOT NULL,
  payload TEXT,
  sent_at INTEGER NOT NULL,
  sent_by TEXT,
  consumer TEXT,
  timeout INTEGER NOT NULL DEFAULT 0
);

CREATE UNIQUE INDEX events_by_consumer ON events (run, consumer) WHERE consumer IS NOT NULL;

CREATE INDEX events_open ON events (run, name) WHERE consumer IS NULL;

CREATE TABLE history (
  run INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  at INTEGER NOT NULL,
  type TEXT NOT NULL,
  data TEXT NOT NULL,
  PRIMARY KEY (run, seq)
) WITHOUT ROWID;

CREATE TABLE migrations (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  applied_at INTEGER NOT NULL
);

CREATE TABLE runs (
  key INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  graph TEXT NOT NULL,
  graph_hash TEXT NOT NULL,
  status TEXT NOT NULL,
  queue TEXT NOT NULL,
  step INTEGER NOT NULL DEFAULT 0,
  input TEXT,
  error TEXT,
  interrupts TEXT,
  cancel_requested TEXT,
  parent_id TEXT,
  parent_step INTEGER,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
, owner_id TEXT, owner_host TEXT, owner_pid INTEGER, owner_since INTEGER, lease_expires_at INTEGER, claims INTEGER NOT NULL DEFAULT 0, created_by TEXT, waits TEXT, wake_at INTEGER, thread TEXT, parent_task TEXT, parent_kind TEXT);

CREATE INDEX runs_by_created ON runs (created_at);

CREATE INDEX runs_by_graph_created ON runs (graph, created_at);

CREATE INDEX runs_by_parent ON runs (parent_id) WHERE parent_id IS NOT NULL;

CREATE INDEX runs_by_status_created ON runs (status, created_at);

CREATE INDEX runs_by_thread ON runs (thread, key) WHERE thread IS NOT NULL;

CREATE INDEX runs_by_wake ON runs (wake_at) WHERE wake_at IS NOT NULL;

CREATE TABLE schedules (
  name TEXT PRIMARY KEY,
  workflow TEXT NOT NULL,
  cron TEXT NOT NULL,
  tz TEXT NOT NULL,
  input TEXT,
  overlap TEXT NOT NULL CHECK (overlap IN ('skip', 'allow')),
  catch_up INTEGER NOT NULL CHECK (catch_up >= 0),
  paused INTEGER NOT NULL DEFAULT 0,
  next_at INTEGER,
  last_tick_at INTEGER,
  last_run_id TEXT,
  last_skip TEXT,
  created_by TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
) WITHOUT ROWID;

CREATE INDEX schedules_due ON schedules (next_at) WHERE paused = 0;

CREATE TABLE tasks (
  run INTEGER NOT NULL,
  step INTEGER NOT NULL,
  task_id TEXT NOT NULL,
  node TEXT NOT NULL,
  status TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  started_at INTEGER NOT NULL,
  finished_at INTEGER NOT NULL,
  data TEXT,
  PRIMARY KEY (run, step, task_id)
) WITHOUT ROWID;
