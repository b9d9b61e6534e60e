import type { Migration } from "./migration.js";

/**
 * Durable time and events.
 *
 * A run that sleeps, waits for an event or starts later records when it is due (`wake_at`) and what
 * its tasks wait for (`waits`); a task that waits keeps its durable calls so far (`journal`) and
 * what it waits for (`wait`). The partial index holds only runs with a wake time, so workers find
 * due work without scanning the rest; the claimable runs' index takes in the two new statuses. Events sent to a run are kept in `events` until one wait
 * takes each (`consumer`, the wait's stable name, unique per run); a wait that timed out keeps its
 * timeout as a row of its own, so a later event never reaches it.
 */
export default {
  version: 5,
  name: "time-events",
  sql: `
ALTER TABLE runs
  ADD COLUMN waits jsonb,
  ADD COLUMN wake_at timestamptz,
  DROP CONSTRAINT runs_status_check,
  ADD CONSTRAINT runs_status_check CHECK (status IN ('pending', 'running', 'interrupted', 'sleeping',
    'waiting', 'completed', 'failed', 'cancelled', 'compensating', 'compensated', 'compensation_failed'));
CREATE INDEX runs_by_wake ON runs (wake_at) WHERE wake_at IS NOT NULL;
DROP INDEX runs_claimable;
CREATE INDEX runs_claimable ON runs (seq) WHERE status IN ('pending', 'running', 'compensating', 'sleeping', 'waiting');
ALTER TABLE tasks
  ADD COLUMN journal jsonb,
  ADD COLUMN wait jsonb,
  DROP CONSTRAINT tasks_status_check,
  ADD CONSTRAINT tasks_status_check CHECK (status IN ('succeeded', 'failed', 'continued', 'retrying',
    'interrupted', 'waiting'));

CREATE TABLE events (
  seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  run_id text NOT NULL,
  name text NOT NULL,
  payload jsonb,
  sent_at timestamptz NOT NULL,
  sent_by jsonb,
  consumer text,
  timeout boolean NOT NULL DEFAULT false
);
CREATE INDEX events_open ON events (run_id, name) WHERE consumer IS NULL;
CREATE UNIQUE INDEX events_by_consumer ON events (run_id, consumer) WHERE consumer IS NOT NULL;
`,
} satisfies Migration;
