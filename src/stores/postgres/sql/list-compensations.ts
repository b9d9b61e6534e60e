import type { CompensationRecord } from "../../../engine/records.js";
import { type Db, query } from "../db.js";
import { COMPENSATION_COLUMNS, type CompensationRow, compensationFromRow } from "../rows.js";

/** In the order each task's undo was first recorded. */
export async function listCompensations(db: Db, runId: string): Promise<CompensationRecord[]> {
  const rows = await query<CompensationRow>(
    db.pool,
    "listCompensations",
    `SELECT ${COMPENSATION_COLUMNS} FROM ${db.schema}.compensations WHERE run_id = $1 ORDER BY seq`,
    [runId],
  );
  return rows.map(compensationFromRow);
}
