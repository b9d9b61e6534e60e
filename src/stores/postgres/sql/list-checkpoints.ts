import type { Checkpoint } from "../../../engine/records.js";
import { type Db, query } from "../db.js";
import { CHECKPOINT_COLUMNS, type CheckpointRow, checkpointFromRow } from "../rows.js";

export async function listCheckpoints(db: Db, runId: string): Promise<Checkpoint[]> {
  const rows = await query<CheckpointRow>(
    db.pool,
    "listCheckpoints",
    `SELECT ${CHECKPOINT_COLUMNS} FROM ${db.schema}.checkpoints WHERE run_id = $1 ORDER BY step`,
    [runId],
  );
  return rows.map(checkpointFromRow);
}
