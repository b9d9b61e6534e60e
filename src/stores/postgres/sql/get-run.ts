import type { RunRecord } from "../../../engine/records.js";
import { type Db, query } from "../db.js";
import { type RunRow, runColumns, runFromRow } from "../rows.js";

export async function getRun(db: Db, runId: string): Promise<RunRecord | undefined> {
  const rows = await query<RunRow>(
    db.pool,
    "getRun",
    `SELECT ${runColumns("r")} FROM ${db.schema}.runs AS r WHERE r.id = $1`,
    [runId],
  );
  return rows[0] ? runFromRow(rows[0]) : undefined;
}
