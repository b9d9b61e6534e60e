import { type Db, query } from "../db.js";

/**
 * End the lease now. The expiry is set to now rather than cleared: an unfinished `running` run with
 * an ended lease is claimable, while one never leased belongs to the process that started it.
 */
export async function releaseRun(db: Db, workerId: string, runId: string): Promise<boolean> {
  const rows = await query<{ id: string }>(
    db.pool,
    "releaseRun",
    `UPDATE ${db.schema}.runs SET lease_owner = NULL, lease_expires_at = statement_timestamp()
     WHERE id = $2 AND lease_owner = $1
     RETURNING id`,
    [workerId, runId],
  );
  return rows.length > 0;
}
