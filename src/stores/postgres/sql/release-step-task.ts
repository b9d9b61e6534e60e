import { BatonError } from "../../../errors.js";
import type { Fence } from "../cluster-store.js";
import { type Db, query, ts } from "../db.js";

export const taskFence = (fence: Fence) => {
  if (fence.kind !== "task") throw new BatonError("STORE", "A step task is released under its own fence");
  return [fence.runId, fence.step, fence.taskId, fence.owner, fence.attempts] as const;
};

/** Give a leased step task back, claimable again from `notBefore` (a retry's due time) or now. */
export async function releaseStepTask(db: Db, fence: Fence, notBefore?: number): Promise<boolean> {
  const rows = await query<{ task_id: string }>(
    db.pool,
    "releaseStepTask",
    `UPDATE ${db.schema}.step_tasks SET lease_owner = NULL,
       lease_expires_at = COALESCE(${ts("$6")}, statement_timestamp())
     WHERE run_id = $1 AND step = $2 AND task_id = $3 AND lease_owner = $4 AND attempts = $5
     RETURNING task_id`,
    [...taskFence(fence), notBefore ?? null],
  );
  return rows.length > 0;
}
