import type { StepTaskKey } from "../cluster-store.js";
import { type Db, query } from "../db.js";
import { checkLease } from "./claim-run.js";

/** Renew `workerId`'s live step-task leases; an expired or withdrawn (cancelled) task is not renewed. */
export async function heartbeatStepTasks(
  db: Db,
  workerId: string,
  keys: readonly StepTaskKey[],
  leaseMs: number,
): Promise<StepTaskKey[]> {
  checkLease(leaseMs);
  if (keys.length === 0) return [];
  const rows = await query<{ run_id: string; step: number; task_id: string }>(
    db.pool,
    "heartbeatStepTasks",
    `UPDATE ${db.schema}.step_tasks AS t
     SET lease_expires_at = statement_timestamp() + $5::float8 * interval '1 millisecond'
     FROM unnest($2::text[], $3::int[], $4::text[]) AS k(run_id, step, task_id)
     WHERE t.run_id = k.run_id AND t.step = k.step AND t.task_id = k.task_id
       AND t.lease_owner = $1 AND t.lease_expires_at > statement_timestamp()
     RETURNING t.run_id, t.step, t.task_id`,
    [workerId, keys.map((k) => k.runId), keys.map((k) => k.step), keys.map((k) => k.taskId), leaseMs],
  );
  return rows.map((r) => ({ runId: r.run_id, step: r.step, taskId: r.task_id }));
}
