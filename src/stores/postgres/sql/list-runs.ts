import type { RunRecord } from "../../../engine/records.js";
import type { RunFilter } from "../../../engine/store.js";
import { type Db, query } from "../db.js";
import { type RunRow, runColumns, runFromRow } from "../rows.js";

/** Newest first (ties in the same millisecond: the later insert first), at most 100 unless told. */
export async function listRuns(db: Db, filter: RunFilter = {}): Promise<RunRecord[]> {
  const statuses = filter.status === undefined ? null : ([] as string[]).concat(filter.status);
  const rows = await query<RunRow>(
    db.pool,
    "listRuns",
    `SELECT ${runColumns("r")} FROM ${db.schema}.runs AS r
     WHERE ($1::text[] IS NULL OR r.status = ANY($1::text[]))
       AND ($2::text IS NULL OR r.graph = $2::text)
       AND ($4::text IS NULL OR r.parent_run_id = $4::text)
       AND ($5::text IS NULL OR r.thread = $5::text)
     ORDER BY r.created_at DESC, r.seq DESC
     LIMIT $3`,
    [
      statuses,
      filter.graph || null,
      Math.max(0, filter.limit ?? 100),
      filter.parent ?? null,
      filter.thread ?? null,
    ],
  );
  return rows.map(runFromRow);
}
