/**
 * Schedules: a workflow started on the ticks of a cron expression. `next_at` is the first tick not
 * yet handled; a tick pass creates its runs first (ids fixed by the tick), then moves `next_at` on
 * with a compare-and-set, so processes sharing the file never start a tick twice and a crash
 * between the two loses none. The index serves the runners' question: which schedules are due.
 */
export default /* sql */ `
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
`;
