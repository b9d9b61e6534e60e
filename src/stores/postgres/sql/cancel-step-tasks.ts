import type { Fence } from "../cluster-store.js";
import { type Db, query } from "../db.js";
import { heldLease } from "./fence.js";

/**
 * Withdraw a cancelled step's tasks, under the run's fence. Workers running them find their leases
 * gone at the next heartbeat and stop; their records can no longer be stored (the fence is gone).
 */
export async function cancelStepTasks(db: Db, fence: Fence, step: number): Promise<boolean> {
  const held = heldLease(db.schema, fence, 2);
  const rows = await query<{ held: number }>(
    db.pool,
    "cancelStepTasks",
    `WITH held AS (${held.sql}),
     gone AS (DELETE FROM ${db.schema}.step_tasks AS t USING held WHERE t.run_id = held.run_id AND t.step = $1)
     SELECT count(*)::int AS held FROM held`,
    [step, ...held.values],
  );
  return rows[0]!.held > 0;
}
