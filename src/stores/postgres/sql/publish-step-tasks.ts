import type { Fence, StepTaskOffer } from "../cluster-store.js";
import { type Db, query } from "../db.js";
import { toJsonText } from "../json-codec.js";
import { heldLease } from "./fence.js";

/**
 * Offer a step's tasks to every worker, in one statement under the run's fence. A task offered
 * before (by a driver that since died) keeps its row, lease and all: it may be running right now.
 * Returns false when the run's lease is no longer held (nothing offered).
 */
export async function publishStepTasks(
  db: Db,
  fence: Fence,
  step: number,
  tasks: readonly StepTaskOffer[],
): Promise<boolean> {
  const s = db.schema;
  const held = heldLease(s, fence, 7);
  const rows = await query<{ held: number }>(
    db.pool,
    "publishStepTasks",
    `WITH held AS (${held.sql}),
     offered AS (
       INSERT INTO ${s}.step_tasks AS t (run_id, step, task_id, node, input, queue, seq, lease_expires_at)
       SELECT held.run_id, $6::int, o.task_id, o.node, o.input::jsonb, held.queue, o.seq,
         to_timestamp(o.not_before / 1000)
       FROM held, unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::float8[])
         AS o(task_id, node, input, seq, not_before)
       ON CONFLICT (run_id, step, task_id) DO NOTHING
       RETURNING 1
     )
     SELECT (SELECT count(*)::int FROM held) AS held, (SELECT count(*)::int FROM offered) AS offered`,
    [
      tasks.map((t) => t.id),
      tasks.map((t) => t.node),
      tasks.map((t) => toJsonText(t.input)),
      tasks.map((t) => t.seq),
      tasks.map((t) => t.notBefore ?? null),
      step,
      ...held.values,
    ],
  );
  return rows[0]!.held > 0;
}
