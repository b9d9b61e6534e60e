import { TERMINAL_STATUSES } from "../../../engine/records.js";
import { type Db, query } from "../db.js";

/** Drop whatever is left of a finished run's step tasks (aborted tasks, withdrawn steps). */
export async function clearStepTasks(db: Db, runId: string): Promise<void> {
  await query(
    db.pool,
    "clearStepTasks",
    `DELETE FROM ${db.schema}.step_tasks
     WHERE run_id = $1 AND EXISTS (SELECT 1 FROM ${db.schema}.runs WHERE id = $1 AND status = ANY($2::text[]))`,
    [runId, [...TERMINAL_STATUSES]],
  );
}
