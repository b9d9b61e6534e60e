import type { Fence } from "../cluster-store.js";

/**
 * The `held` CTE of a fenced write: one row while the fence's lease is live, none once it expired or
 * passed to another worker (its owner or claim number changed). The row is locked, so a takeover
 * cannot commit in the middle of the write: a claimer either waits out the write or, seeing the row
 * locked, skips it (`SKIP LOCKED`) until the write has committed; and a write that waited for a
 * takeover to commit re-reads the row and finds the lease gone.
 *
 * A run's row is locked `FOR KEY SHARE`: that blocks claims (`FOR UPDATE`) but not the owner's own
 * heartbeats, nor the other tasks of the same step writing at the same time. `lock: "update"` is for
 * writes that update the row themselves. Parameters start at `$first`; `values` fills them.
 */
export function heldLease(
  schema: string,
  fence: Fence,
  first: number,
  lock: "share" | "update" = "share",
): { sql: string; values: unknown[] } {
  const p = (i: number) => `$${first + i}`;
  const live = "lease_expires_at > statement_timestamp()";
  if (fence.kind === "run") {
    return {
      sql: `SELECT r.id AS run_id, r.queue FROM ${schema}.runs AS r
        WHERE r.id = ${p(0)} AND r.lease_owner = ${p(1)} AND r.attempts = ${p(2)}::int AND r.${live}
        FOR ${lock === "share" ? "KEY SHARE" : "UPDATE"}`,
      values: [fence.runId, fence.owner, fence.attempts],
    };
  }
  return {
    sql: `SELECT s.run_id, s.queue FROM ${schema}.step_tasks AS s
      WHERE s.run_id = ${p(0)} AND s.lease_owner = ${p(1)} AND s.attempts = ${p(2)}::int
        AND s.step = ${p(3)}::int AND s.task_id = ${p(4)} AND s.${live}
      FOR UPDATE`,
    values: [fence.runId, fence.owner, fence.attempts, fence.step, fence.taskId],
  };
}
