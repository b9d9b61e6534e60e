import type { CompensationRecord } from "../../../engine/records.js";
import { type Db, execute, prepared, type Statement, ts } from "../db.js";
import { toJsonText } from "../json-codec.js";

/** Insert or replace the undo record of one task; a replaced record keeps its place in the list. */
export async function putCompensation(db: Db, r: CompensationRecord): Promise<void> {
  await execute(db.pool, putCompensationStatement(db, r));
}

/** `putCompensation` as one statement, for a run's group commit. */
export function putCompensationStatement(db: Db, r: CompensationRecord): Statement {
  return prepared(
    "putCompensation",
    `INSERT INTO ${db.schema}.compensations (run_id, task_key, node, status, attempts, error, finished_at, started_at)
     VALUES ($1, $2, $3, $4, $5, $6::jsonb, ${ts("$7")}, ${ts("$8")})
     ON CONFLICT (run_id, task_key) DO UPDATE SET
       node = excluded.node, status = excluded.status, attempts = excluded.attempts,
       error = excluded.error, finished_at = excluded.finished_at, started_at = excluded.started_at`,
    [
      r.runId,
      r.taskKey,
      r.node,
      r.status,
      r.attempts,
      toJsonText(r.error),
      r.finishedAt,
      r.startedAt ?? null,
    ],
  );
}
