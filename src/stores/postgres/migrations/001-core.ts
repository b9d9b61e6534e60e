import type { Migration } from "./migration.js";

/**
 * The tables of the `Store` interface. JSONB for everything the engine hands over as values;
 * timestamptz for times, so operators can read them. No foreign keys: like the memory store, the
 * store accepts records in any order, and the engine never deletes runs.
 */
export default {
  version: 1,
  name: "core",
  sql: `
CREATE TABLE runs (
  id text PRIMARY KEY,
  seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  graph text NOT NULL,
  graph_hash text NOT NULL,
  status text NOT NULL CHECK (status IN ('pending', 'running', 'interrupted', 'completed', 'failed',
    'cancelled', 'compensating', 'compensated', 'compensation_failed')),
  input jsonb,
  step integer NOT NULL DEFAULT 0,
  queue text NOT NULL DEFAULT 'default',
  error jsonb,
  interrupts jsonb,
  cancel_requested jsonb,
  parent_run_id text,
  parent_step integer,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);
CREATE INDEX runs_created ON runs (created_at DESC, seq DESC);
CREATE INDEX runs_status_created ON runs (status, created_at DESC);
CREATE INDEX runs_graph_created ON runs (graph, created_at DESC);

CREATE TABLE tasks (
  run_id text NOT NULL,
  step integer NOT NULL,
  task_id text NOT NULL,
  node text NOT NULL,
  status text NOT NULL CHECK (status IN ('succeeded', 'failed', 'continued', 'retrying', 'interrupted')),
  attempts integer NOT NULL,
  seq integer NOT NULL,
  writes jsonb,
  mode text CHECK (mode = 'set'),
  goto jsonb,
  error jsonb,
  next_due_at timestamptz,
  interrupts jsonb,
  resumes jsonb,
  history jsonb,
  started_at timestamptz NOT NULL,
  finished_at timestamptz NOT NULL,
  PRIMARY KEY (run_id, step, task_id)
);

CREATE TABLE checkpoints (
  run_id text NOT NULL,
  step integer NOT NULL,
  next jsonb NOT NULL,
  joins jsonb NOT NULL,
  created_at timestamptz NOT NULL,
  PRIMARY KEY (run_id, step)
);

CREATE TABLE compensations (
  run_id text NOT NULL,
  task_key text NOT NULL,
  -- Listing keeps the order of first insertion, as the memory store's Map does.
  seq bigint GENERATED ALWAYS AS IDENTITY,
  node text NOT NULL,
  status text NOT NULL CHECK (status IN ('done', 'failed')),
  attempts integer NOT NULL,
  error jsonb,
  finished_at timestamptz NOT NULL,
  PRIMARY KEY (run_id, task_key)
);
`,
} satisfies Migration;
