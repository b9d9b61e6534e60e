/**
 * Durable time and events.
 *
 * A run that sleeps, waits for an event or starts later records when it is due (`wake_at`) and what
 * its tasks wait for (`waits`); the partial index holds only such runs, so finding due work reads
 * just them. Events sent to a run are kept in `events` until a wait takes one (`consumer`, the
 * wait's stable name): at most one wait per event, and a wait that timed out keeps its timeout as a
 * row of its own, so a later event never reaches it.
 */
export default /* sql */ `
ALTER TABLE runs ADD COLUMN waits TEXT;
ALTER TABLE runs ADD COLUMN wake_at INTEGER;
CREATE INDEX runs_by_wake ON runs (wake_at) WHERE wake_at IS NOT NULL;

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
CREATE INDEX events_open ON events (run, name) WHERE consumer IS NULL;
CREATE UNIQUE INDEX events_by_consumer ON events (run, consumer) WHERE consumer IS NOT NULL;
`;
