import type { Checkpoint } from "../../../engine/records.js";
import { type Db, execute, NOW_MS, prepared, type Statement, ts } from "../db.js";
import { toJsonText } from "../json-codec.js";

/**
 * Store the checkpoint and move the run's `step` to it. One statement is one transaction: both
 * writes commit together or not at all, in a single round trip. A data-modifying CTE always runs to
 * completion, referenced or not.
 */
export async function putCheckpoint(db: Db, c: Checkpoint): Promise<void> {
  await execute(db.pool, putCheckpointStatement(db, c));
}

/** `putCheckpoint` as one statement, to run alone or in a run's group commit. */
export function putCheckpointStatement(db: Db, c: Checkpoint): Statement {
  return prepared(
    "putCheckpoint",
    `WITH saved AS (
       INSERT INTO ${db.schema}.checkpoints (run_id, step, next, joins, created_at)
       VALUES ($1, $2, $3::jsonb, $4::jsonb, ${ts("$5")})
       ON CONFLICT (run_id, step) DO UPDATE SET
         next = excluded.next, joins = excluded.joins, created_at = excluded.created_at
       RETURNING run_id
     )
     UPDATE ${db.schema}.runs SET step = $2::int, updated_at = ${NOW_MS} WHERE id = $1::text`,
    [c.runId, c.step, toJsonText(c.next), toJsonText(c.joins), c.createdAt],
  );
}
