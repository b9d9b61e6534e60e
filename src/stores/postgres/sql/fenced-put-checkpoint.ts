import type { Checkpoint } from "../../../engine/records.js";
import type { Fence } from "../cluster-store.js";
import { type Db, NOW_MS, prepared, type Statement, ts } from "../db.js";
import { toJsonText } from "../json-codec.js";
import { heldLease } from "./fence.js";

/** `putCheckpoint` while the fence's lease on the run is held; false when it is not. */
export function putCheckpointFencedStatement(db: Db, fence: Fence, c: Checkpoint): Statement {
  const s = db.schema;
  const held = heldLease(s, fence, 6, "update");
  return prepared(
    "putCheckpoint (fenced)",
    `WITH held AS (${held.sql}),
     saved AS (
       INSERT INTO ${s}.checkpoints (run_id, step, next, joins, created_at)
       SELECT $1, $2::int, $3::jsonb, $4::jsonb, ${ts("$5")} FROM held
       ON CONFLICT (run_id, step) DO UPDATE SET
         next = excluded.next, joins = excluded.joins, created_at = excluded.created_at
       RETURNING run_id
     )
     UPDATE ${s}.runs AS r SET step = $2::int, updated_at = ${NOW_MS}
     FROM held WHERE r.id = held.run_id AND r.id = $1
     RETURNING r.id`,
    [c.runId, c.step, toJsonText(c.next), toJsonText(c.joins), c.createdAt, ...held.values],
  );
}
