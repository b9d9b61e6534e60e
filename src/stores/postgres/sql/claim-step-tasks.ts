import type { ClaimedStepTask } from "../cluster-store.js";
import { type Db, ms, query } from "../db.js";
import { fromJsonText } from "../json-codec.js";
import { TASK_COLUMNS, type TaskRow, taskFromRow } from "../rows.js";
import { checkLease } from "./claim-run.js";

interface ClaimedRow {
  run_id: string;
  step: number;
  task_id: string;
  node: string;
  input: string | null;
  seq: number;
  queue: string;
  attempts: number;
  lease_owner: string;
  lease_expires_at: number;
  previous_owner: string | null;
  graph: string;
  graph_hash: string;
}

/**
 * Lease up to `limit` offered step tasks of live runs, oldest step first. `FOR UPDATE SKIP LOCKED` lets many
 * workers claim from one large step at once without waiting on each other; a task whose lease
 * expired (its worker died) or whose retry came due is claimable like a new one. Queue limits are
 * not counted here: they bound runs, and a step task belongs to a run that holds its queue slot.
 *
 * The tasks' own records (a retry or an interrupt in progress) are read in a second statement: most
 * tasks have none, and under the new lease nobody else may change them.
 *
 * Measured: 6 claimers (own connections) draining one 1,000-task step, PostgreSQL 15 on a shared
 * 2-core machine: 690–840 tasks/s claimed one at a time, 8,200 tasks/s in batches of 10 — hence
 * workers claim as many as they have room for in one statement.
 */
export async function claimStepTasks(
  db: Db,
  workerId: string,
  leaseMs: number,
  limit: number,
  queues?: readonly string[],
): Promise<ClaimedStepTask[]> {
  checkLease(leaseMs);
  if (limit <= 0) return [];
  const s = db.schema;
  const claimed = await query<ClaimedRow>(
    db.pool,
    "claimStepTasks",
    `WITH candidate AS (
       SELECT c.run_id, c.step, c.task_id, c.lease_owner AS previous_owner
       FROM ${s}.step_tasks AS c JOIN ${s}.runs AS owner ON owner.id = c.run_id
       WHERE c.aborted IS NULL AND owner.status IN ('running', 'compensating')
         AND (c.lease_expires_at IS NULL OR c.lease_expires_at <= statement_timestamp())
         AND ($2::text[] IS NULL OR c.queue = ANY($2::text[]))
       ORDER BY c.created_at, c.run_id, c.step, c.task_id
       LIMIT $4
       FOR UPDATE OF c SKIP LOCKED
     )
     UPDATE ${s}.step_tasks AS t SET
       lease_owner = $1,
       lease_expires_at = statement_timestamp() + $3::float8 * interval '1 millisecond',
       attempts = t.attempts + 1
     FROM candidate JOIN ${s}.runs AS r ON r.id = candidate.run_id
     WHERE t.run_id = candidate.run_id AND t.step = candidate.step AND t.task_id = candidate.task_id
     RETURNING t.run_id, t.step, t.task_id, t.node, t.input::text AS input, t.seq, t.queue, t.attempts,
       t.lease_owner, ${ms("t.lease_expires_at", "lease_expires_at")}, candidate.previous_owner,
       r.graph, r.graph_hash`,
    [workerId, queues ? [...queues] : null, leaseMs, limit],
  );
  if (claimed.length === 0) return [];
  const previous = await query<TaskRow>(
    db.pool,
    "claimStepTasks",
    `SELECT ${TASK_COLUMNS} FROM ${s}.tasks
     WHERE (run_id, step, task_id) IN (SELECT * FROM unnest($1::text[], $2::int[], $3::text[]))`,
    [claimed.map((c) => c.run_id), claimed.map((c) => c.step), claimed.map((c) => c.task_id)],
  );
  const byKey = new Map(previous.map((p) => [`${p.run_id}\0${p.step}\0${p.task_id}`, taskFromRow(p)]));
  return claimed.map((c) => {
    const record = byKey.get(`${c.run_id}\0${c.step}\0${c.task_id}`);
    const input = fromJsonText(c.input);
    return {
      runId: c.run_id,
      step: c.step,
      taskId: c.task_id,
      node: c.node,
      ...(input !== undefined ? { input } : {}),
      seq: c.seq,
      queue: c.queue,
      graph: c.graph,
      graphHash: c.graph_hash,
      ...(record ? { previous: record } : {}),
      lease: {
        owner: c.lease_owner,
        expiresAt: c.lease_expires_at,
        attempts: c.attempts,
        ...(c.previous_owner !== null ? { previousOwner: c.previous_owner } : {}),
      },
    };
  });
}
