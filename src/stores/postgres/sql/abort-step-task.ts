import type { Fence } from "../cluster-store.js";
import { type Db, query } from "../db.js";
import { taskFence } from "./release-step-task.js";

/**
 * A step task called `ctx.abort(reason)`: it leaves no task record, so the reason is kept on its row
 * for the run's driver, and the row is never offered again.
 */
export async function abortStepTask(db: Db, fence: Fence, reason: string): Promise<boolean> {
  const rows = await query<{ task_id: string }>(
    db.pool,
    "abortStepTask",
    `UPDATE ${db.schema}.step_tasks SET aborted = $6, lease_owner = NULL, lease_expires_at = NULL
     WHERE run_id = $1 AND step = $2 AND task_id = $3 AND lease_owner = $4 AND attempts = $5
       AND lease_expires_at > statement_timestamp()
     RETURNING task_id`,
    [...taskFence(fence), reason],
  );
  return rows.length > 0;
}
