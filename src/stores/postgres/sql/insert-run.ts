import type { NewRun, RunRecord } from "../../../engine/records.js";
import { thisHost } from "../../liveness.js";
import { type Db, NOW_MS, query, ts } from "../db.js";
import { toJsonText } from "../json-codec.js";
import { type RunRow, runColumns, runFromRow } from "../rows.js";

/**
 * Create the run, or return the one that already has its id: a caller's run id is an idempotency
 * key. `ON CONFLICT DO NOTHING` waits for a concurrent insert of the same id to commit; the row is
 * then read in a second statement, whose fresh snapshot sees it.
 *
 * A run is `submitted` (workers' to claim once its lease ends) when it is submitted as `pending`, or
 * when it is a child run of a submitted run: a child a worker's task started, whose worker died
 * while it ran, is taken over by any worker, as its parent is, instead of waiting for its parent's
 * task to look again (see `CHILD_RECHECK_MS`).
 */
export async function insertRun(
  db: Db,
  run: NewRun,
  /** More writes in the same statement, as CTEs reading `made` (the inserted row, if any). */
  also?: (first: number) => { sql: string; values: unknown[] },
): Promise<{ run: RunRecord; created: boolean }> {
  const insert = `INSERT INTO ${db.schema}.runs AS r
       (id, graph, graph_hash, status, input, queue, parent_run_id, parent_step, created_at, updated_at,
        lease_owner, owner_host, owner_pid, owner_since, lease_expires_at, attempts, submitted, created_by, wake_at,
        thread, parent_task, parent_kind)
     VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, $8, ${NOW_MS}, ${NOW_MS},
        $9, $10, $11, CASE WHEN $9::text IS NULL THEN NULL ELSE statement_timestamp() END,
        statement_timestamp() + $12::float8 * interval '1 millisecond', CASE WHEN $9::text IS NULL THEN 0 ELSE 1 END,
        $4 = 'pending' OR EXISTS (SELECT 1 FROM ${db.schema}.runs AS p WHERE p.id = $7 AND p.submitted), $13::jsonb, ${ts("$14")}, $15, $16, $17)
     ON CONFLICT (id) DO NOTHING
     RETURNING ${runColumns("r")}`;
  const values: unknown[] = [
    run.id,
    run.graph,
    run.graphHash,
    run.status,
    toJsonText(run.input),
    run.queue ?? "default",
    run.parent?.runId ?? null,
    run.parent?.step ?? null,
    run.owner?.id ?? null,
    run.owner ? thisHost() : null,
    run.owner ? process.pid : null,
    run.owner?.leaseMs ?? null,
    toJsonText(run.createdBy),
    run.wakeAt ?? null,
    run.thread ?? null,
    run.parent?.taskId ?? null,
    run.parent?.kind ?? null,
  ];
  const more = also?.(values.length + 1);
  const inserted = await query<RunRow>(
    db.pool,
    "createRun",
    more ? `WITH made AS (${insert}), ${more.sql} SELECT * FROM made` : insert,
    more ? [...values, ...more.values] : values,
  );
  if (inserted[0]) return { run: runFromRow(inserted[0]), created: true };
  const existing = await query<RunRow>(
    db.pool,
    "createRun",
    `SELECT ${runColumns("r")} FROM ${db.schema}.runs AS r WHERE r.id = $1`,
    [run.id],
  );
  return { run: runFromRow(existing[0]!), created: false };
}
