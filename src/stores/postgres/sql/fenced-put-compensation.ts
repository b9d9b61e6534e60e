import type { CompensationRecord } from "../../../engine/records.js";
import type { Fence } from "../cluster-store.js";
import { type Db, prepared, type Statement, ts } from "../db.js";
import { toJsonText } from "../json-codec.js";
import { heldLease } from "./fence.js";

/** `putCompensation` while the fence's lease on the run is held; false when it is not. */
export function putCompensationFencedStatement(db: Db, fence: Fence, r: CompensationRecord): Statement {
  const s = db.schema;
  const held = heldLease(s, fence, 9);
  return prepared(
    "putCompensation (fenced)",
    `WITH held AS (${held.sql}),
     saved AS (
       INSERT INTO ${s}.compensations (run_id, task_key, node, status, attempts, error, finished_at, started_at)
       SELECT $1, $2, $3, $4, $5::int, $6::jsonb, ${ts("$7")}, ${ts("$8")} FROM held
       ON CONFLICT (run_id, task_key) DO UPDATE SET
         node = excluded.node, status = excluded.status, attempts = excluded.attempts,
         error = excluded.error, finished_at = excluded.finished_at, started_at = excluded.started_at
       RETURNING 1
     )
     SELECT 1 AS written FROM saved`,
    [
      r.runId,
      r.taskKey,
      r.node,
      r.status,
      r.attempts,
      toJsonText(r.error),
      r.finishedAt,
      r.startedAt ?? null,
      ...held.values,
    ],
  );
}
