/**
 * One owner per run and an append-only history.
 *
 * The owner columns are the run's lease: who drives it (id, host, pid), since when, until when
 * unless renewed, and how many times it was taken (`claims`). History entries are appended in
 * recording order and never updated: `seq` counts a run's entries from 1. Like the task rows, they
 * sit in one B-tree keyed by the run's integer key, so a new run's entries append at its right edge
 * and a commit that adds some touches one more page, not two (a rowid table and an index).
 */
export default /* sql */ `
ALTER TABLE runs ADD COLUMN owner_id TEXT;
ALTER TABLE runs ADD COLUMN owner_host TEXT;
ALTER TABLE runs ADD COLUMN owner_pid INTEGER;
ALTER TABLE runs ADD COLUMN owner_since INTEGER;
ALTER TABLE runs ADD COLUMN lease_expires_at INTEGER;
ALTER TABLE runs ADD COLUMN claims INTEGER NOT NULL DEFAULT 0;
ALTER TABLE runs ADD COLUMN created_by TEXT;
ALTER TABLE compensations ADD COLUMN started_at INTEGER;
CREATE INDEX runs_by_parent ON runs (parent_id) WHERE parent_id IS NOT NULL;

CREATE TABLE history (
  run INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  at INTEGER NOT NULL,
  type TEXT NOT NULL,
  data TEXT NOT NULL,
  PRIMARY KEY (run, seq)
) WITHOUT ROWID;
`;
