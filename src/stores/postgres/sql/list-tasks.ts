import type { TaskRecord } from "../../../engine/records.js";
import { compareTaskIds } from "../../../engine/writes.js";
import { type Db, query } from "../db.js";
import { TASK_COLUMNS, type TaskRow, taskFromRow } from "../rows.js";

/**
 * Every task record of the run, by step then task id. Within a step the order is the engine's
 * (node name, then send index: `n#2` before `n#10`), which SQL collation cannot express, so it is
 * sorted here.
 */
export async function listTasks(db: Db, runId: string): Promise<TaskRecord[]> {
  const rows = await query<TaskRow>(
    db.pool,
    "listTasks",
    `SELECT ${TASK_COLUMNS} FROM ${db.schema}.tasks WHERE run_id = $1 ORDER BY step`,
    [runId],
  );
  return rows.map(taskFromRow).sort((a, b) => a.step - b.step || compareTaskIds(a.taskId, b.taskId));
}
