import type { Migration } from "./migration.js";

/**
 * What `baton worker` processes need to share runs: a lease on each run they execute (owner and
 * expiry, kept alive by heartbeats; an expired lease may be taken over), per-queue concurrency
 * limits, and the tasks of a superstep offered to every worker so a large fan-out spreads out.
 *
 * A run's lease is in one of three states: never leased (`lease_expires_at IS NULL`: submitted and
 * waiting, or started in-process by `graph.run`, which no worker may take), held (`lease_owner` set
 * and not expired), or ended (released, or expired because its worker died).
 */
export default {
  version: 2,
  name: "cluster",
  sql: `
ALTER TABLE runs
  ADD COLUMN lease_owner text,
  ADD COLUMN lease_expires_at timestamptz,
  ADD COLUMN attempts integer NOT NULL DEFAULT 0;

-- The claim scan walks only runs that may still need a worker, oldest first.
CREATE INDEX runs_claimable ON runs (seq) WHERE status IN ('pending', 'running', 'compensating');
-- Live leases per queue, counted against queue concurrency limits.
CREATE INDEX runs_leased ON runs (queue, lease_expires_at) WHERE lease_owner IS NOT NULL;

-- A queue without a row here, or with a NULL concurrency, has no limit; 0 pauses it.
CREATE TABLE queues (
  name text PRIMARY KEY,
  concurrency integer CHECK (concurrency >= 0),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Tasks of a superstep offered to any worker (distributed fan-out). A row lives from the moment the
-- step is planned until its task record is stored as finished; the worker that removes the last row
-- of a step, under the run's row lock, is the one that runs the join and writes the checkpoint.
CREATE TABLE step_tasks (
  run_id text NOT NULL,
  step integer NOT NULL,
  task_id text NOT NULL,
  node text NOT NULL,
  input jsonb,
  queue text NOT NULL,
  lease_owner text,
  lease_expires_at timestamptz,
  attempts integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (run_id, step, task_id)
);
CREATE INDEX step_tasks_claimable ON step_tasks (created_at, run_id, step, task_id);
`,
} satisfies Migration;
