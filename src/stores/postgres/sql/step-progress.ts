import type { StepProgress } from "../cluster-store.js";
import { type Db, query } from "../db.js";

/** How many of a step's offered tasks are still open, and which ended the run (`ctx.abort`). */
export async function stepProgress(db: Db, runId: string, step: number): Promise<StepProgress> {
  const rows = await query<{ open: number; aborted: Array<{ taskId: string; reason: string }> | null }>(
    db.pool,
    "stepProgress",
    `SELECT count(*) FILTER (WHERE aborted IS NULL)::int AS open,
       json_agg(json_build_object('taskId', task_id, 'reason', aborted) ORDER BY task_id)
         FILTER (WHERE aborted IS NOT NULL) AS aborted
     FROM ${db.schema}.step_tasks WHERE run_id = $1 AND step = $2`,
    [runId, step],
  );
  return { open: rows[0]!.open, aborted: rows[0]!.aborted ?? [] };
}
