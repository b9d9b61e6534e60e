import type { Migration } from "./migration.js";

/**
 * Schedules: a workflow started on the ticks of a cron expression.
 *
 * `next_at` is the first tick not yet handled. Whoever runs due work creates a due tick's run
 * first (its id is fixed by the schedule and the tick, and runs are idempotent on the id), then
 * moves `next_at` on with `UPDATE … WHERE name = $1 AND next_at = $2`: of the workers handling the
 * same tick exactly one moves it, none starts it twice, and a crash between the two loses no tick.
 * The partial index holds only running schedules, in the order workers ask for them.
 */
export default {
  version: 7,
  name: "schedules",
  sql: `
CREATE TABLE schedules (
  name text PRIMARY KEY,
  workflow text NOT NULL,
  cron text NOT NULL,
  tz text NOT NULL,
  input jsonb,
  overlap text NOT NULL CHECK (overlap IN ('skip', 'allow')),
  catch_up integer NOT NULL CHECK (catch_up >= 0),
  paused boolean NOT NULL DEFAULT false,
  next_at timestamptz,
  last_tick_at timestamptz,
  last_run_id text,
  last_skip jsonb,
  created_by jsonb,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);
CREATE INDEX schedules_due ON schedules (next_at) WHERE NOT paused;
`,
} satisfies Migration;
