import type { Migration } from "./migration.js";

/**
 * One owner per run for every process, not only workers, and an append-only history.
 *
 * The lease columns of 002 (`lease_owner`, `lease_expires_at`, `attempts`) now hold whoever drives
 * the run: a worker, or the process that started or resumed it in-process. `owner_host`, `owner_pid`
 * and `owner_since` say where that owner runs and since when, so a process on the same machine can
 * tell at once that the owner has exited. History entries are appended in recording order (`seq`)
 * and never updated.
 *
 * `submitted` marks runs made for workers (`submitRun`): only those are claimed. A run started
 * in-process keeps belonging to whoever started it; if that process dies, `baton recover` (or
 * `baton serve`) takes it over, since a worker may not have its workflow.
 */
export default {
  version: 4,
  name: "ownership-history",
  sql: `
ALTER TABLE runs
  ADD COLUMN owner_host text,
  ADD COLUMN owner_pid integer,
  ADD COLUMN owner_since timestamptz,
  ADD COLUMN submitted boolean NOT NULL DEFAULT false,
  ADD COLUMN created_by jsonb;
UPDATE runs SET submitted = true WHERE status = 'pending' OR attempts > 0;
ALTER TABLE compensations ADD COLUMN started_at timestamptz;
CREATE INDEX runs_by_parent ON runs (parent_run_id) WHERE parent_run_id IS NOT NULL;

CREATE TABLE history (
  seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  run_id text NOT NULL,
  at timestamptz NOT NULL,
  type text NOT NULL,
  data jsonb NOT NULL
);
CREATE INDEX history_by_run ON history (run_id, seq);
`,
} satisfies Migration;
