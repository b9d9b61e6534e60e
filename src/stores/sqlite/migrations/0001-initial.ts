/**
 * Runs, the records each task leaves, a checkpoint per step, and the saga log. Record payloads are
 * compact JSON text; keys are columns.
 *
 * Task, checkpoint and saga rows point at their run by its integer `key` (the rowid), not its text
 * id: new runs get the highest key, so their rows append at the right edge of each B-tree (one page
 * written per insert) instead of landing mid-tree at a random UUID (two or three, half-full pages).
 * Those tables are WITHOUT ROWID, one B-tree each. Runs list newest first by key, so no date index.
 */
export default /* sql */ `
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
);
CREATE INDEX runs_by_status ON runs (status);
CREATE INDEX runs_by_graph ON runs (graph);

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
  finished_at INTEGER NOT NULL,
  PRIMARY KEY (run, task_key)
) WITHOUT ROWID;
`;
