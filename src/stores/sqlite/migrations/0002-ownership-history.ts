/**
 * One owner per run and an append-only history.
 *
 * The owner columns are the run's lease: who drives it (id, host, pid), since when, until when
 * unless renewed, and how many times it was taken (`claims`). History entries are appended in
 * recording order (`seq`, the rowid) and never updated; they are read per run through the index.
 */
export default /* sql */ `
ALTER TABLE runs ADD COLUMN owner_id TEXT;
ALTER TABLE runs ADD COLUMN owner_host TEXT;
ALTER TABLE runs ADD COLUMN owner_pid INTEGER;
ALTER TABLE runs ADD COLUMN owner_since INTEGER;
ALTER TABLE runs ADD COLUMN lease_expires_at INTEGER;
ALTER TABLE runs ADD COLUMN claims INTEGER NOT NULL DEFAULT 0;
ALTER TABLE compensations ADD COLUMN started_at INTEGER;
CREATE INDEX runs_by_parent ON runs (parent_id) WHERE parent_id IS NOT NULL;

CREATE TABLE history (
  seq INTEGER PRIMARY KEY,
  run INTEGER NOT NULL,
  at INTEGER NOT NULL,
  type TEXT NOT NULL,
  data TEXT NOT NULL
);
CREATE INDEX history_by_run ON history (run, seq);
`;
